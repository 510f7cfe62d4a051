package dev.hourglass.gateway.interop;

import java.io.IOException;
import java.net.CookieHandler;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A scriptable browser for real OPs: one cookie jar for the gateway and the OP (both on
 * 127.0.0.1), redirects followed by hand so every hop can be checked, forms read from the page.
 * Every request goes to a loopback address only.
 */
final class HeadlessBrowser {
  final CookieManager jar = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
  private final HttpClient http = HttpClient.newBuilder().cookieHandler(new LoopbackSecureContext(jar))
      .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
  /** Every request, without query, for failure messages. */
  final List<String> trail = new ArrayList<>();
  /** Every URL requested, in full. */
  final List<URI> visited = new ArrayList<>();

  HttpResponse<String> get(String url, String... headers) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET(), headers);
  }

  HttpResponse<String> post(URI url, String formBody, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "Content-Type";
    all[1] = "application/x-www-form-urlencoded";
    System.arraycopy(headers, 0, all, 2, headers.length);
    return send(HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.ofString(formBody)), all);
  }

  HttpResponse<String> submit(HtmlForm form, String... headers) {
    return post(form.action(), form.encoded(), headers);
  }

  HttpResponse<String> send(HttpRequest.Builder b, String... headers) {
    b.header("Accept", "text/html");
    for (int i = 0; i < headers.length; i += 2) {
      b.setHeader(headers[i], headers[i + 1]);
    }
    HttpRequest req = b.timeout(Duration.ofSeconds(30)).build();
    String host = req.uri().getHost();
    if (!"127.0.0.1".equals(host) && !"localhost".equals(host)) {
      throw new AssertionError("refusing a non-loopback URL: " + req.uri());
    }
    try {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      trail.add(req.method() + " " + stripQuery(req.uri()) + " -> " + r.statusCode());
      visited.add(req.uri());
      return r;
    } catch (IOException e) {
      throw new AssertionError(req.method() + " " + req.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Follows redirects (at most 15) until {@code stop} matches the next URL or a non-redirect arrives. */
  HttpResponse<String> follow(HttpResponse<String> r, Predicate<URI> stop) {
    for (int i = 0; i < 15 && isRedirect(r); i++) {
      URI next = location(r);
      if (stop.test(next)) return r;
      r = get(next.toString());
    }
    return r;
  }

  /** Follows every redirect (at most 15). */
  HttpResponse<String> followAll(HttpResponse<String> r) {
    return follow(r, u -> false);
  }

  /**
   * Like a browser, treats http://127.0.0.1 as a secure context: cookies marked {@code Secure}
   * (Keycloak sets AUTH_SESSION_ID that way even on plain http) are sent back to loopback.
   * java.net.CookieManager alone would drop them and Keycloak answers "cookie_not_found".
   */
  private static final class LoopbackSecureContext extends CookieHandler {
    private final CookieManager jar;

    LoopbackSecureContext(CookieManager jar) {
      this.jar = jar;
    }

    @Override
    public Map<String, List<String>> get(URI uri, Map<String, List<String>> requestHeaders) throws IOException {
      URI asSecure = uri;
      if ("http".equalsIgnoreCase(uri.getScheme()) && "127.0.0.1".equals(uri.getHost())) {
        try {
          asSecure = new URI("https", uri.getRawAuthority(), uri.getRawPath(), null, null);
        } catch (java.net.URISyntaxException e) {
          throw new IOException(e);
        }
      }
      return jar.get(asSecure, requestHeaders);
    }

    @Override
    public void put(URI uri, Map<String, List<String>> responseHeaders) throws IOException {
      jar.put(uri, responseHeaders);
    }
  }

  static boolean isRedirect(HttpResponse<?> r) {
    return r.statusCode() / 100 == 3 && r.headers().firstValue("Location").isPresent();
  }

  static URI location(HttpResponse<?> r) {
    return r.uri().resolve(r.headers().firstValue("Location")
        .orElseThrow(() -> new AssertionError(r.statusCode() + " without Location at " + r.uri())));
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String stripQuery(URI u) {
    return u.getScheme() + "://" + u.getRawAuthority() + u.getRawPath();
  }

  String describe(HttpResponse<String> r) {
    String body = r.body() == null ? "" : r.body();
    return "HTTP " + r.statusCode() + " at " + r.uri() + "\ntrail: " + trail + "\nbody: "
        + body.substring(0, Math.min(body.length(), 1500));
  }
}
