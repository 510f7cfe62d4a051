package dev.hourglass.lab.browser;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scripted browser for scenarios and tests: a cookie jar (keyed by host, as browsers do),
 * redirects followed by hand so every hop is visible, and HTML forms submitted the way a person
 * would click them. Loopback only.
 */
public final class VirtualBrowser {
  private static final int MAX_HOPS = 20;
  private static final Pattern FORM = Pattern.compile("<form\\b([^>]*)>(.*?)</form>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
  private static final Pattern ATTR = Pattern.compile("([a-zA-Z_-]+)\\s*=\\s*\"([^\"]*)\"");
  private static final Pattern INPUT = Pattern.compile("<(input|button)\\b([^>]*)>", Pattern.CASE_INSENSITIVE);

  /** One hop: the request and what came back. */
  public record Hop(String method, URI uri, int status, String location) {}

  /** The final response after following redirects, with every hop on the way. */
  public record Page(URI uri, int status, MultiMap headers, String body, List<Hop> hops) {
    public String header(String name) {
      return headers.get(name);
    }

    /** The last redirect target on the way here, or null. */
    public String lastLocation() {
      for (int i = hops.size() - 1; i >= 0; i--) {
        if (hops.get(i).location() != null) return hops.get(i).location();
      }
      return null;
    }
  }

  private final WebClient client;
  // host -> cookie name -> value; browsers share cookies across ports of one host.
  private final Map<String, Map<String, String>> jar = new ConcurrentHashMap<>();

  public VirtualBrowser(Vertx vertx) {
    this.client = WebClient.create(vertx, new WebClientOptions()
        .setFollowRedirects(false).setKeepAlive(true).setUserAgent("hourglass-lab/1"),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64));
  }

  public void close() {
    client.close();
  }

  /** Forgets every cookie (a new browser profile). */
  public void clearCookies() {
    jar.clear();
  }

  public Map<String, String> cookies(String host) {
    return Map.copyOf(jar.getOrDefault(host, Map.of()));
  }

  public void dropCookie(String host, String name) {
    jar.getOrDefault(host, new ConcurrentHashMap<>()).remove(name);
  }

  /** GET with redirects followed. */
  public Future<Page> navigate(URI uri, Map<String, String> headers) {
    return go("GET", uri, headers, null, new ArrayList<>(), 0);
  }

  /** GET with redirects followed until the next hop would match {@code stopBefore}. */
  public Future<Page> navigate(URI uri, Map<String, String> headers, java.util.function.Predicate<URI> stopBefore) {
    return go("GET", uri, headers, null, new ArrayList<>(), 0, stopBefore);
  }

  /** Follows the redirect a page ends on (if any) until the next hop would match {@code stopBefore}. */
  public Future<Page> follow(Page page, java.util.function.Predicate<URI> stopBefore) {
    String loc = page.status() >= 300 && page.status() < 400 ? page.header("Location") : null;
    if (loc == null) return Future.succeededFuture(page);
    URI next = page.uri().resolve(loc);
    if (stopBefore.test(next) || !isLoopback(next)) return Future.succeededFuture(page);
    return go("GET", next, Map.of(), null, new ArrayList<>(page.hops()), 0, stopBefore);
  }

  /** A request with redirects followed (POST bodies are form-encoded). */
  public Future<Page> request(String method, URI uri, Map<String, String> headers, MultiMap form) {
    return go(method, uri, headers, form, new ArrayList<>(), 0);
  }

  /** A single request, no redirect following. */
  public Future<Page> fetch(String method, URI uri, Map<String, String> headers, MultiMap form) {
    return send(method, uri, headers, form).map(r -> {
      List<Hop> hops = new ArrayList<>();
      hops.add(new Hop(method, uri, r.statusCode(), r.getHeader("Location")));
      return new Page(uri, r.statusCode(), r.headers(), r.bodyAsString(), hops);
    });
  }

  /**
   * Submits the first form on {@code page} whose action matches {@code actionContains} (or the
   * first form when null), with its hidden inputs plus {@code extra} fields, and follows redirects.
   */
  public Future<Page> submitForm(Page page, String actionContains, Map<String, String> extra) {
    return submitForm(page, actionContains, extra, u -> false);
  }

  /** As {@link #submitForm(Page, String, Map)}, stopping before a hop that matches {@code stopBefore}. */
  public Future<Page> submitForm(Page page, String actionContains, Map<String, String> extra,
      java.util.function.Predicate<URI> stopBefore) {
    Matcher f = FORM.matcher(page.body() == null ? "" : page.body());
    while (f.find()) {
      Map<String, String> attrs = attrs(f.group(1));
      String action = unescape(attrs.getOrDefault("action", ""));
      if (actionContains != null && !action.contains(actionContains)) continue;
      MultiMap form = MultiMap.caseInsensitiveMultiMap();
      Matcher in = INPUT.matcher(f.group(2));
      while (in.find()) {
        Map<String, String> a = attrs(in.group(2));
        String type = a.getOrDefault("type", in.group(1).equalsIgnoreCase("button") ? "submit" : "text").toLowerCase(Locale.ROOT);
        if (a.containsKey("name") && (type.equals("hidden") || (type.equals("submit") && !form.contains(a.get("name"))))) {
          form.add(unescape(a.get("name")), unescape(a.getOrDefault("value", "")));
        }
      }
      extra.forEach(form::set);
      URI target = action.isEmpty() ? page.uri() : page.uri().resolve(action);
      String method = attrs.getOrDefault("method", "get").toUpperCase(Locale.ROOT);
      return go(method, target, Map.of("Origin", origin(page.uri()), "Referer", page.uri().toString()), form, new ArrayList<>(page.hops()), 0, stopBefore);
    }
    return Future.failedFuture("no form" + (actionContains == null ? "" : " with action containing '" + actionContains + "'") + " on " + page.uri());
  }

  public static boolean hasForm(Page page, String actionContains) {
    Matcher f = FORM.matcher(page.body() == null ? "" : page.body());
    while (f.find()) {
      if (actionContains == null || unescape(attrs(f.group(1)).getOrDefault("action", "")).contains(actionContains)) return true;
    }
    return false;
  }

  private Future<Page> go(String method, URI uri, Map<String, String> headers, MultiMap form, List<Hop> hops, int depth) {
    return go(method, uri, headers, form, hops, depth, u -> false);
  }

  private Future<Page> go(String method, URI uri, Map<String, String> headers, MultiMap form, List<Hop> hops, int depth,
      java.util.function.Predicate<URI> stopBefore) {
    if (depth > MAX_HOPS) {
      return Future.failedFuture("more than " + MAX_HOPS + " redirects; last " + uri);
    }
    return send(method, uri, headers, form).compose(r -> {
      String location = r.getHeader("Location");
      hops.add(new Hop(method, uri, r.statusCode(), location));
      if (r.statusCode() >= 300 && r.statusCode() < 400 && location != null) {
        URI next = uri.resolve(location);
        if (!isLoopback(next) || stopBefore.test(next)) {
          // Never leave the machine: report where it would have gone.
          return Future.succeededFuture(new Page(uri, r.statusCode(), r.headers(), r.bodyAsString(), hops));
        }
        boolean keepMethod = r.statusCode() == 307 || r.statusCode() == 308;
        return go(keepMethod ? method : "GET", next, stripForRedirect(headers), keepMethod ? form : null, hops, depth + 1, stopBefore);
      }
      return Future.succeededFuture(new Page(uri, r.statusCode(), r.headers(), r.bodyAsString(), hops));
    });
  }

  private static Map<String, String> stripForRedirect(Map<String, String> headers) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.keySet().removeIf(k -> k.equalsIgnoreCase("Origin") || k.equalsIgnoreCase("Content-Type"));
    return h;
  }

  private Future<HttpResponse<Buffer>> send(String method, URI uri, Map<String, String> headers, MultiMap form) {
    if (!isLoopback(uri)) {
      return Future.failedFuture("refusing a non-loopback URL: " + uri);
    }
    int port = uri.getPort() > 0 ? uri.getPort() : 80;
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) path += "?" + uri.getRawQuery();
    HttpRequest<Buffer> req = client.request(HttpMethod.valueOf(method), port, uri.getHost(), path);
    headers.forEach(req::putHeader);
    Map<String, String> cookies = jar.get(uri.getHost());
    if (cookies != null && !cookies.isEmpty()) {
      StringBuilder b = new StringBuilder();
      cookies.forEach((k, v) -> b.append(b.length() == 0 ? "" : "; ").append(k).append('=').append(v));
      req.putHeader("Cookie", b.toString());
    }
    Future<HttpResponse<Buffer>> f = form != null ? req.sendForm(form) : req.send();
    return f.onSuccess(r -> storeCookies(uri.getHost(), r.cookies()));
  }

  private void storeCookies(String host, List<String> setCookies) {
    for (String sc : setCookies) {
      String[] parts = sc.split(";");
      int eq = parts[0].indexOf('=');
      if (eq <= 0) continue;
      String name = parts[0].substring(0, eq).trim();
      String value = parts[0].substring(eq + 1).trim();
      boolean expired = value.isEmpty();
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].trim().toLowerCase(Locale.ROOT);
        if (p.equals("max-age=0") || p.startsWith("max-age=-") || p.startsWith("expires=thu, 01 jan 1970")) expired = true;
      }
      Map<String, String> cookies = jar.computeIfAbsent(host, h -> new ConcurrentHashMap<>());
      if (expired) cookies.remove(name);
      else cookies.put(name, value);
    }
  }

  private static Map<String, String> attrs(String s) {
    Map<String, String> m = new LinkedHashMap<>();
    Matcher a = ATTR.matcher(s);
    while (a.find()) m.put(a.group(1).toLowerCase(Locale.ROOT), a.group(2));
    return m;
  }

  private static String unescape(String s) {
    return s.replace("&amp;", "&").replace("&quot;", "\"").replace("&#39;", "'").replace("&#x27;", "'")
        .replace("&lt;", "<").replace("&gt;", ">").replace("&#x2F;", "/").replace("&#47;", "/").replace("&#x3D;", "=");
  }

  public static String origin(URI uri) {
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
  }

  static boolean isLoopback(URI uri) {
    String h = uri.getHost();
    return h != null && (h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1"));
  }
}
