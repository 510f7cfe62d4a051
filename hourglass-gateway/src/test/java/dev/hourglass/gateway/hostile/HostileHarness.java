package dev.hourglass.gateway.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.core.event.Event;
import dev.hourglass.gateway.Gateway;
import dev.hourglass.gateway.GatewayConfig;
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
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.UnaryOperator;

/**
 * The hostile end-to-end rig: the dev OP (its tamper mode is the attacker), the real gateway and a
 * recording upstream, all on ONE controllable clock, plus a headless browser with a cookie jar.
 * The upstream keeps every request's raw header lines so a test can prove a spoofed value never
 * arrived.
 */
final class HostileHarness implements AutoCloseable {
  static final String CLIENT_ID = "hostile-gw";
  static final String CLIENT_SECRET = "hostile-gw-secret-0123456789abcdef";
  static final String SECRET = "hostile-test-secret-0123456789abcdef-0123456789";
  static final String SESSION_COOKIE = "_hourglass_session";

  final Vertx vertx = Vertx.vertx();
  final ControllableClock clock = ControllableClock.startingAt(Instant.parse("2030-01-01T08:00:00Z"));
  final int gatewayPort = freePort();
  final String publicUrl = "http://127.0.0.1:" + gatewayPort;
  final ConcurrentLinkedQueue<List<String[]>> upstreamRequests = new ConcurrentLinkedQueue<>();
  DevOp op;
  Gateway gateway;
  HttpServer upstream;
  String extraYaml = "";

  /** Starts the OP (per-request tampering on) and registers the gateway's client. */
  HostileHarness startOp(UnaryOperator<OpConfig.Client> client) {
    OpConfig config = OpConfig.demo().withPort(0);
    config = new OpConfig(config.issuer(), config.port(), config.host(), config.clock(), config.autoLogin(), config.signingAlg(),
        config.tokens(), config.logout(), config.keys(), config.adminToken(), config.adminLoopbackOnly(), config.clients(),
        config.users(), new OpConfig.Tamper(true));
    op = await(DevOp.start(vertx, clock, config));
    op.registerClient(client.apply(OpConfig.Client.confidential(CLIENT_ID, CLIENT_SECRET, publicUrl + "/oauth2/callback")
        .withPostLogoutRedirectUris(List.of(publicUrl + "/"))
        .withBackchannelLogoutUri(publicUrl + "/oauth2/backchannel-logout")));
    upstream = await(vertx.createHttpServer().requestHandler(req -> {
      List<String[]> raw = new ArrayList<>();
      req.headers().forEach(e -> raw.add(new String[] {e.getKey(), e.getValue()}));
      upstreamRequests.add(raw);
      JsonObject headers = new JsonObject();
      req.headers().forEach(e -> headers.put(e.getKey(), e.getValue()));
      req.body().onSuccess(body -> req.response().putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("path", req.uri()).put("headers", headers).encode()));
    }).listen(0, "127.0.0.1"));
    return this;
  }

  HostileHarness startOp() {
    return startOp(c -> c);
  }

  /** Starts the gateway and waits until it is ready. */
  HostileHarness startGateway() {
    startGatewayNoWait();
    await(gateway.ready());
    return this;
  }

  HostileHarness startGatewayNoWait() {
    gateway = await(Gateway.start(vertx, clock, config(SECRET)));
    return this;
  }

  void restartGateway(String extraYaml) {
    await(gateway.close());
    this.extraYaml = extraYaml;
    startGateway();
  }

  GatewayConfig config(String secret) {
    String yaml = """
        listen: 127.0.0.1:%d
        public-url: %s
        upstream: http://127.0.0.1:%d
        provider:
          issuer: %s
          client-id: %s
          client-secret: %s
          scopes: [openid, profile, email, offline_access]
        session:
          secret: %s
          idle-timeout: 2h
        clock-skew: 60s
        %s
        """.formatted(gatewayPort, publicUrl, upstream.actualPort(), op.issuer(), CLIENT_ID, CLIENT_SECRET, secret, extraYaml);
    return GatewayConfig.parse("hostile-gateway.yaml", yaml, Map.of());
  }

  // ---- the attacker's controls (the OP's admin API, over HTTP like any user would) ------------

  final HttpClient admin = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** {@code POST /_hourglass/tamper}: arms one broken answer for our client. */
  void tamper(String tamperCase) {
    tamper(tamperCase, 1);
  }

  void tamper(String tamperCase, int count) {
    HttpResponse<String> r = send(admin, HttpRequest.newBuilder(URI.create(op.issuer() + "/_hourglass/tamper"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("case", tamperCase).put("client-id", CLIENT_ID)
            .put("count", count).encode())));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  void untamper() {
    HttpResponse<String> r = send(admin, HttpRequest.newBuilder(URI.create(op.issuer() + "/_hourglass/tamper")).DELETE());
    assertThat(r.statusCode()).isEqualTo(200);
  }

  // ---- a browser ----------------------------------------------------------------------------------

  final class Browser {
    final CookieManager jar = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
    final HttpClient http = HttpClient.newBuilder().cookieHandler(jar).followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5)).build();
    /** Every response of the last {@link #login} (start, OP, callback, …). */
    final List<HttpResponse<String>> trail = new ArrayList<>();

    HttpResponse<String> get(String url, String... headers) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url.startsWith("http") ? url : publicUrl + url)).GET();
      for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
      return HostileHarness.send(http, b);
    }

    HttpResponse<String> send(HttpRequest.Builder b) {
      return HostileHarness.send(http, b);
    }

    /** start (login_hint, rd) → OP (auto-login) → callback; returns the callback's answer. */
    HttpResponse<String> login(String user, String rd) {
      trail.clear();
      HttpResponse<String> r = get("/oauth2/start?login_hint=" + enc(user) + "&rd=" + enc(rd), "Accept", "text/html");
      trail.add(r);
      for (int i = 0; i < 4 && r.statusCode() / 100 == 3 && !r.uri().getPath().equals("/oauth2/callback"); i++) {
        r = get(r.uri().resolve(r.headers().firstValue("Location").orElseThrow()).toString(), "Accept", "text/html");
        trail.add(r);
      }
      return r;
    }

    Optional<String> sessionCookie() {
      return jar.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(SESSION_COOKIE))
          .map(HttpCookie::getValue).filter(v -> !v.isEmpty()).findFirst();
    }

    boolean signedIn() {
      return get("/oauth2/session", "Accept", "application/json").statusCode() == 200;
    }
  }

  Browser browser() {
    return new Browser();
  }

  // ---- observations ----------------------------------------------------------------------------

  long opEvents(String type) {
    return op.events().snapshot().stream().filter(e -> e.type().equals(type)).count();
  }

  List<Event> opEventsOf(String type) {
    return op.events().snapshot().stream().filter(e -> e.type().equals(type)).toList();
  }

  List<Event> gatewayEvents(String type) {
    return gateway.events().snapshot().stream().filter(e -> e.type().equals(type)).toList();
  }

  List<String> gatewayEventTypes() {
    return gateway.events().snapshot().stream().map(Event::type).toList();
  }

  /** No Set-Cookie on {@code r} gives the browser a session cookie with a value. */
  static boolean setsSessionCookie(HttpResponse<String> r) {
    return r.headers().allValues("Set-Cookie").stream()
        .anyMatch(c -> c.startsWith(SESSION_COOKIE + "=") && !c.startsWith(SESSION_COOKIE + "=;"));
  }

  static List<String> corpus() throws IOException {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("hourglass-core"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("repository root").isNotNull();
    Path corpus = dir.resolveSibling("shared").resolve("corpus");
    List<String> lines = new ArrayList<>();
    for (String name : List.of("open-redirects.mod_auth_openidc.txt", "open-redirects.oauth2-proxy.txt")) {
      Path f = corpus.resolve(name);
      assertThat(f).as("corpus file " + f).exists();
      lines.addAll(Files.readAllLines(f, StandardCharsets.ISO_8859_1));
    }
    assertThat(lines).hasSizeGreaterThan(1000);
    return lines;
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static HttpResponse<String> send(HttpClient http, HttpRequest.Builder b) {
    try {
      return http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new RuntimeException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeException(e);
    }
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
      if (op != null) await(op.close());
    } finally {
      await(vertx.close());
    }
  }
}
