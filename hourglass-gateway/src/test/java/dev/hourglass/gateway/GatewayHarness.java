package dev.hourglass.gateway;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.core.event.Event;
import dev.hourglass.op.DevOp;
import dev.hourglass.op.OpConfig;
import dev.hourglass.core.testing.TestSupport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A dev OP, a gateway and an echo upstream on ONE controllable clock, plus a headless "browser"
 * (java.net.http with a cookie jar, redirects followed by hand).
 */
final class GatewayHarness implements AutoCloseable {
  static final String CLIENT_ID = "gw-test";
  static final String CLIENT_SECRET = "gw-test-secret-0123456789";
  static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";

  final Vertx vertx;
  final ControllableClock clock;
  private final boolean ownsOp;
  DevOp op;
  Gateway gateway;
  HttpServer upstream;
  final int gatewayPort;
  final String publicUrl;
  String extraYaml = "";
  /** When set, the gateway proxies here instead of the echo upstream. */
  String upstreamOverride;
  String sessionYaml = "";

  /** Own Vert.x, clock and OP. */
  GatewayHarness() {
    this.vertx = Vertx.vertx();
    this.clock = ControllableClock.startingAt(Instant.parse("2030-01-01T08:00:00Z"));
    this.ownsOp = true;
    this.gatewayPort = freePort();
    this.publicUrl = "http://127.0.0.1:" + gatewayPort;
  }

  /** Own Vert.x on {@code clock}, for a third-party OP ({@link #startWithIssuer}). */
  GatewayHarness(ControllableClock clock) {
    this.vertx = Vertx.vertx();
    this.clock = clock;
    this.ownsOp = true;
    this.gatewayPort = freePort();
    this.publicUrl = "http://127.0.0.1:" + gatewayPort;
  }

  private String issuer;
  private String clientId = CLIENT_ID;
  private String clientSecret = CLIENT_SECRET;
  private String scopes = "[openid, profile, email, offline_access]";

  /** Gateway + echo upstream against an already running OP at {@code issuer}. */
  GatewayHarness startWithIssuer(String issuer, String clientId, String clientSecret, String scopes, String sessionYaml) {
    this.issuer = issuer;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.scopes = scopes;
    this.sessionYaml = sessionYaml;
    startUpstream();
    startGateway();
    return this;
  }

  /** The OP, clock and Vert.x of a {@link DevOpExtension}: the gateway runs on the OP's clock. */
  GatewayHarness(dev.hourglass.op.junit.DevOpExtension ext) {
    this.vertx = ext.vertx();
    this.clock = ext.clock();
    this.op = ext.op();
    this.ownsOp = false;
    this.gatewayPort = freePort();
    this.publicUrl = "http://127.0.0.1:" + gatewayPort;
  }

  /** Starts OP + upstream + gateway. {@code client} adjusts the OP client (lifetimes …). */
  GatewayHarness start(UnaryOperator<OpConfig.Client> client, String sessionYaml, String extraYaml) {
    this.sessionYaml = sessionYaml;
    this.extraYaml = extraYaml;
    if (op == null) {
      op = await(DevOp.start(vertx, clock, OpConfig.demo().withPort(0)));
    }
    op.registerClient(client.apply(OpConfig.Client.confidential(CLIENT_ID, CLIENT_SECRET, publicUrl + "/oauth2/callback")
        .withPostLogoutRedirectUris(List.of(publicUrl + "/"))));
    startUpstream();
    startGateway();
    return this;
  }

  private void startUpstream() {
    upstream = await(vertx.createHttpServer().requestHandler(req -> {
      JsonObject headers = new JsonObject();
      req.headers().forEach(e -> headers.put(e.getKey(), e.getValue()));
      req.body().onSuccess(body -> req.response().putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("path", req.uri()).put("method", req.method().name())
              .put("headers", headers).put("body", body.toString()).encode()));
    }).listen(0, "127.0.0.1"));
  }

  GatewayHarness start() {
    return start(c -> c, "", "");
  }

  void startGateway() {
    gateway = await(Gateway.start(vertx, clock, config()));
    await(gateway.ready());
  }

  void restartGatewayWith(String extraYaml) {
    this.extraYaml = extraYaml;
    restartGateway();
  }

  void restartGateway() {
    await(gateway.close());
    startGateway();
  }

  GatewayConfig config() {
    String yaml = """
        listen: 127.0.0.1:%d
        public-url: %s
        upstream: http://127.0.0.1:%d
        provider:
          issuer: %s
          client-id: %s
          client-secret: ${SECRET_FROM_ENV}
          scopes: %s
        session:
          secret: %s
        %s
        clock-skew: 60s
        %s
        """.formatted(gatewayPort, publicUrl, upstreamOverride != null ? Integer.parseInt(upstreamOverride.substring(upstreamOverride.lastIndexOf(':') + 1)) : upstream.actualPort(), issuer != null ? issuer : op.issuer(), clientId, scopes, SECRET,
        sessionYaml.indent(2).stripTrailing(), extraYaml);
    return GatewayConfig.parse("test-gateway.yaml", yaml, Map.of("SECRET_FROM_ENV", clientSecret));
  }

  // ---- browser ------------------------------------------------------------------------------

  /** A browser: own cookie jar, never follows redirects by itself. */
  final class Browser {
    final CookieManager jar = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
    /** Like browsers, treats loopback http as a secure context (Keycloak sets Secure cookies there). */
    private final java.net.CookieHandler loopbackSecure = new java.net.CookieHandler() {
      @Override
      public Map<String, List<String>> get(URI uri, Map<String, List<String>> requestHeaders) throws IOException {
        return jar.get(uri, requestHeaders);
      }

      @Override
      public void put(URI uri, Map<String, List<String>> responseHeaders) throws IOException {
        if (!"127.0.0.1".equals(uri.getHost())) {
          jar.put(uri, responseHeaders);
          return;
        }
        Map<String, List<String>> copy = new java.util.HashMap<>(responseHeaders);
        copy.replaceAll((k, v) -> k != null && k.equalsIgnoreCase("Set-Cookie")
            ? v.stream().map(c -> c.replaceAll("(?i);\\s*Secure(?=;|$)", "")).toList() : v);
        jar.put(uri, copy);
      }
    };
    final HttpClient http = HttpClient.newBuilder().cookieHandler(loopbackSecure).followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5)).build();

    HttpResponse<String> get(String url, String... headers) {
      return send(HttpRequest.newBuilder(URI.create(absolute(url))).GET(), headers);
    }

    HttpResponse<String> send(HttpRequest.Builder b, String... headers) {
      for (int i = 0; i < headers.length; i += 2) {
        b.header(headers[i], headers[i + 1]);
      }
      try {
        return http.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new RuntimeException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RuntimeException(e);
      }
    }

    /** Logs in headlessly: /oauth2/start?login_hint=user&rd=rd, OP auto-login, callback. Returns the final response. */
    HttpResponse<String> login(String user, String rd) {
      HttpResponse<String> r = get("/oauth2/start?login_hint=" + java.net.URLEncoder.encode(user, java.nio.charset.StandardCharsets.UTF_8) + "&rd=" + java.net.URLEncoder.encode(rd, java.nio.charset.StandardCharsets.UTF_8));
      return follow(r, 5);
    }

    /** Follows Location headers up to {@code max} times; stops at a non-redirect. */
    HttpResponse<String> follow(HttpResponse<String> r, int max) {
      for (int i = 0; i < max && r.statusCode() / 100 == 3; i++) {
        String loc = r.headers().firstValue("Location").orElseThrow();
        r = get(r.uri().resolve(loc).toString(), "Accept", "text/html");
      }
      return r;
    }

    /** Follows redirects until the response is the gateway callback's answer (or max hops). */
    HttpResponse<String> untilCallback(HttpResponse<String> r) {
      for (int i = 0; i < 5 && r.statusCode() / 100 == 3 && !r.uri().getPath().equals("/oauth2/callback"); i++) {
        String loc = r.headers().firstValue("Location").orElseThrow();
        r = get(r.uri().resolve(loc).toString(), "Accept", "text/html");
      }
      return r;
    }

    JsonObject json(String url, String... headers) {
      HttpResponse<String> r = get(url, headers);
      if (r.statusCode() != 200) {
        throw new AssertionError("GET " + url + " → " + r.statusCode() + " " + r.body());
      }
      return new JsonObject(r.body());
    }
  }

  Browser browser() {
    return new Browser();
  }

  String absolute(String url) {
    return url.startsWith("http") ? url : publicUrl + url;
  }

  long opEvents(String type, String field, String value) {
    return op.events().snapshot().stream()
        .filter(e -> e.type().equals(type) && (field == null || value.equals(e.field(field))))
        .count();
  }

  long refreshGrants() {
    return opEvents("token_issued", "grant_type", "refresh_token");
  }

  List<Event> gatewayEvents(String type) {
    return gateway.events().snapshot().stream().filter(e -> e.type().equals(type)).toList();
  }

  static <T> T await(Future<T> f) {
    return TestSupport.await(f);
  }

  static int freePort() {
    return TestSupport.freePort();
  }

  @Override
  public void close() {
    try {
      if (gateway != null) await(gateway.close());
      if (upstream != null) await(upstream.close());
      if (ownsOp && op != null) await(op.close());
    } finally {
      if (ownsOp) await(vertx.close());
    }
  }
}
