package dev.hourglass.op;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A small blocking HTTP client for tests: a "browser" with cookies, and token-endpoint helpers. */
final class OpTestClient {
  static final String REDIRECT = "http://127.0.0.1:8080/oauth2/callback";
  private static final SecureRandom RANDOM = new SecureRandom();

  final DevOp op;
  final WebClient web;
  final WebClientSession browser;

  OpTestClient(Vertx vertx, DevOp op) {
    this.op = op;
    this.web = WebClient.create(vertx, new WebClientOptions().setFollowRedirects(false));
    this.browser = WebClientSession.create(web);
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  String url(String path) {
    return op.issuer() + path;
  }

  /** A fresh browser with no cookies. */
  OpTestClient newBrowser(Vertx vertx) {
    return new OpTestClient(vertx, op);
  }

  HttpResponse<Buffer> get(String pathAndQuery) {
    return await(browser.getAbs(url(pathAndQuery)).send());
  }

  HttpResponse<Buffer> getAbs(String url) {
    return await(browser.getAbs(url).send());
  }

  HttpResponse<Buffer> postForm(String path, Map<String, String> form) {
    return await(browser.postAbs(url(path)).sendForm(multi(form)));
  }

  static MultiMap multi(Map<String, String> form) {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    form.forEach((k, v) -> {
      if (v != null) m.add(k, v);
    });
    return m;
  }

  /** GET /authorize with these parameters (null values left out). */
  HttpResponse<Buffer> authorize(Map<String, String> params) {
    HttpRequest<Buffer> r = browser.getAbs(url("/authorize"));
    params.forEach((k, v) -> {
      if (v != null) r.addQueryParam(k, v);
    });
    return await(r.send());
  }

  static Map<String, String> params(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m;
  }

  /** Standard parameters for the demo gateway client with auto-login as {@code user}. */
  static Map<String, String> gatewayAuthorize(String user, Pkce pkce) {
    Map<String, String> p = params("client_id", "gateway", "redirect_uri", REDIRECT, "response_type", "code",
        "scope", "openid profile email", "state", "st-" + user, "nonce", "n-" + user, "login_hint", user);
    if (pkce != null) {
      p.put("code_challenge", pkce.challenge());
      p.put("code_challenge_method", "S256");
    }
    return p;
  }

  /** Query parameters of a redirect's Location. */
  static Map<String, String> query(HttpResponse<?> r) {
    String loc = r.getHeader("Location");
    if (loc == null) throw new AssertionError("no Location; status " + r.statusCode() + " body " + r.bodyAsString());
    Map<String, String> m = new LinkedHashMap<>();
    String q = URI.create(loc).getRawQuery();
    if (q == null) return m;
    for (String part : q.split("&")) {
      int eq = part.indexOf('=');
      m.put(URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return m;
  }

  /** Headless login as {@code user} on the gateway client; returns the code. */
  String code(String user, Pkce pkce) {
    HttpResponse<Buffer> r = authorize(gatewayAuthorize(user, pkce));
    if (r.statusCode() != 302) throw new AssertionError("authorize: " + r.statusCode() + " " + r.bodyAsString());
    String code = query(r).get("code");
    if (code == null) throw new AssertionError("no code: " + r.getHeader("Location"));
    return code;
  }

  /** POST /token authenticating with client_secret_basic (secret null: none/public). */
  HttpResponse<Buffer> token(String clientId, String secret, Map<String, String> form) {
    HttpRequest<Buffer> r = web.postAbs(url("/token"));
    if (secret != null) {
      r.basicAuthentication(clientId, secret);
    } else {
      form = new LinkedHashMap<>(form);
      form.put("client_id", clientId);
    }
    return await(r.sendForm(multi(form)));
  }

  HttpResponse<Buffer> gatewayToken(Map<String, String> form) {
    return token("gateway", "gateway-secret", form);
  }

  /** Logs in and redeems the code for the gateway client; the token response. */
  JsonObject login(String user) {
    String code = code(user, null);
    HttpResponse<Buffer> r = gatewayToken(params("grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT));
    if (r.statusCode() != 200) throw new AssertionError("token: " + r.statusCode() + " " + r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  JsonObject refresh(String refreshToken, int expectedStatus) {
    HttpResponse<Buffer> r = gatewayToken(params("grant_type", "refresh_token", "refresh_token", refreshToken));
    if (r.statusCode() != expectedStatus) throw new AssertionError("refresh: " + r.statusCode() + " " + r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  JsonObject introspect(String token) {
    HttpResponse<Buffer> r = await(web.postAbs(url("/introspect")).basicAuthentication("gateway", "gateway-secret")
        .sendForm(multi(params("token", token))));
    if (r.statusCode() != 200) throw new AssertionError("introspect: " + r.statusCode() + " " + r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  HttpResponse<Buffer> admin(io.vertx.core.http.HttpMethod method, String path, String json) {
    HttpRequest<Buffer> r = web.requestAbs(method, url(path));
    return await(json == null ? r.send() : r.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(json)));
  }

  static JWTClaimsSet claims(String jwt) {
    try {
      return SignedJWT.parse(jwt).getJWTClaimsSet();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static SignedJWT parse(String jwt) {
    try {
      return SignedJWT.parse(jwt);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** A hidden form field's value in an HTML page. */
  static String hidden(String html, String name) {
    int i = html.indexOf("name=\"" + name + "\" value=\"");
    if (i < 0) throw new AssertionError("no hidden field " + name + " in " + html);
    int start = i + ("name=\"" + name + "\" value=\"").length();
    return html.substring(start, html.indexOf('"', start));
  }

  record Pkce(String verifier, String challenge) {
    static Pkce create() {
      byte[] b = new byte[32];
      RANDOM.nextBytes(b);
      String v = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
      try {
        byte[] h = MessageDigest.getInstance("SHA-256").digest(v.getBytes(StandardCharsets.US_ASCII));
        return new Pkce(v, Base64.getUrlEncoder().withoutPadding().encodeToString(h));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
  }
}
