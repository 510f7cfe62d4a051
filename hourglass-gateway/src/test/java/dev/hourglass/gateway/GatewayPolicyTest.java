package dev.hourglass.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.op.Fault;
import dev.hourglass.op.junit.DevOpExtension;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Rules, claim requirements, OP outages, upstream failures, opt-in token headers, virtual clock. */
class GatewayPolicyTest {
  @RegisterExtension
  DevOpExtension opExtension = DevOpExtension.builder().clockStartingAt(Instant.parse("2030-01-01T08:00:00Z")).build();

  private GatewayHarness h;

  @AfterEach
  void tearDown() {
    if (h != null) h.close();
  }

  static final String RULES = """
      rules:
        - path: /public/
          public: true
        - path: /static/*.css
          public: true
        - path: /admin/**
          require:
            - claim: groups
              contains: admins
        - path: /mail/
          require:
            - claim: email
              regex: "[a-z]+@example\\\\.test"
        - path: /api/
          api: true
      identity:
        pass-access-token: true
        pass-id-token: true
        headers:
          X-User-Name: name
      session:
        secret: will-be-overridden-by-the-harness-secret
      """;

  private GatewayHarness withRules() {
    // The harness writes session: itself; keep only rules and identity from RULES.
    String extra = RULES.substring(0, RULES.indexOf("session:"));
    return new GatewayHarness(opExtension).start(c -> c, "idle-timeout: 2h\n", extra);
  }

  @Test
  void publicPathsNeedNoSessionAndStillLoseSpoofedIdentity() {
    h = withRules();
    GatewayHarness.Browser b = h.browser();
    JsonObject echo = b.json("/public/info", "X-Forwarded-User", "mallory", "Authorization", "Bearer forged");
    JsonObject headers = GatewayEndToEndTest.lower(echo.getJsonObject("headers"));
    assertThat(headers.containsKey("x-forwarded-user")).isFalse();
    assertThat(headers.containsKey("authorization")).isFalse();
    assertThat(b.get("/static/site.css").statusCode()).isEqualTo(200);
    // A glob '*' stays within one segment.
    assertThat(b.get("/static/deep/site.css", "Accept", "text/html").statusCode()).isEqualTo(302);
    // Dot segments cannot escape a rule.
    assertThat(b.get("/public/../secret", "Accept", "application/json").statusCode()).isEqualTo(401);
  }

  @Test
  void claimRequirementsGive403AndTheApiRuleGives401() {
    h = withRules();
    GatewayHarness.Browser alice = h.browser();
    GatewayHarness.Browser bob = h.browser();
    assertThat(alice.login("alice", "/").statusCode()).isEqualTo(200);
    assertThat(bob.login("bob", "/").statusCode()).isEqualTo(200);
    assertThat(alice.get("/admin/panel").statusCode()).isEqualTo(200);
    HttpResponse<String> denied = bob.get("/admin/panel", "Accept", "text/html");
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.body()).contains("Forbidden");
    assertThat(bob.get("/admin/panel", "Accept", "application/json").body()).contains("\"error\":\"forbidden\"");
    assertThat(h.gatewayEvents("AUTHZ_DENIED:rule-3")).hasSize(2);
    assertThat(bob.get("/mail/inbox").statusCode()).isEqualTo(200);

    // api: true → 401 even for a browser-looking request.
    HttpResponse<String> anon = h.browser().get("/api/x", "Accept", "text/html");
    assertThat(anon.statusCode()).isEqualTo(401);

    // Opt-in token headers and configured claim headers.
    JsonObject headers = GatewayEndToEndTest.lower(alice.json("/app", "Authorization", "Bearer forged").getJsonObject("headers"));
    assertThat(headers.getString("authorization")).startsWith("Bearer ").isNotEqualTo("Bearer forged");
    assertThat(headers.getString("x-forwarded-id-token")).contains(".");
    assertThat(headers.getString("x-user-name")).isEqualTo("Alice Liddell");
    // Tokens are never in the event log.
    String token = headers.getString("authorization").substring(7);
    assertThat(h.gateway.events().snapshot()).allSatisfy(e -> assertThat(e.toMap().toString()).doesNotContain(token));
  }

  @Test
  void theUpstreamGetsTheRenewedAccessTokenFromTheFirstRequestAfterARefresh() {
    h = withRules();
    GatewayHarness.Browser alice = h.browser();
    assertThat(alice.login("alice", "/").statusCode()).isEqualTo(200);
    String before = GatewayEndToEndTest.lower(alice.json("/app").getJsonObject("headers")).getString("authorization");
    assertThat(GatewayEndToEndTest.lower(alice.json("/app").getJsonObject("headers")).getString("authorization")).isEqualTo(before);

    h.clock.advance(Duration.ofHours(1)); // the access token has expired: the next request refreshes first
    String after = GatewayEndToEndTest.lower(alice.json("/app").getJsonObject("headers")).getString("authorization");
    assertThat(h.gatewayEvents("REFRESH_OK")).hasSize(1);
    assertThat(after).startsWith("Bearer ").isNotEqualTo(before);
    assertThat(GatewayEndToEndTest.lower(alice.json("/app").getJsonObject("headers")).getString("authorization")).isEqualTo(after);
  }

  @Test
  void aClientThatHangsUpBeforeTheUpstreamAnswersIsNotAnUpstreamError() throws Exception {
    h = new GatewayHarness(opExtension);
    java.util.concurrent.CompletableFuture<Void> reachedUpstream = new java.util.concurrent.CompletableFuture<>();
    var slow = GatewayHarness.await(h.vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/slow")) {
        reachedUpstream.complete(null); // and never answers
      } else {
        req.response().end("ok");
      }
    }).listen(0, "127.0.0.1"));
    h.upstreamOverride = "http://127.0.0.1:" + slow.actualPort();
    h.start();
    java.util.concurrent.CompletableFuture<dev.hourglass.core.event.Event> aborted = new java.util.concurrent.CompletableFuture<>();
    h.gateway.events().onEvent(e -> {
      if (e.type().equals("CLIENT_ABORTED")) aborted.complete(e);
    });
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    String cookie = b.jar.getCookieStore().getCookies().stream()
        .filter(c -> c.getName().equals("_hourglass_session")).findFirst().orElseThrow().toString();
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", h.gatewayPort)) {
      s.getOutputStream().write(("GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + cookie + "\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      reachedUpstream.get(10, java.util.concurrent.TimeUnit.SECONDS);
    } // the client hangs up while the upstream is still working

    dev.hourglass.core.event.Event e = aborted.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(e.fields()).containsEntry("path", "/slow").containsKey("session");
    assertThat(h.gatewayEvents("UPSTREAM_ERROR")).isEmpty();
  }

  @Test
  void opOutageDefersRefreshWhileTheAccessTokenIsValidAndRecovers() {
    h = new GatewayHarness(opExtension).start(c -> c, "idle-timeout: 2h\n", """
        rules:
          - path: /strict/
            serve-on-op-outage: false
        """);
    GatewayHarness.Browser b = h.browser();
    GatewayHarness.Browser api = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    assertThat(api.login("bob", "/").statusCode()).isEqualTo(200);
    h.clock.advance(Duration.ofMinutes(59).plusSeconds(10));
    h.op.faults().inject(Fault.downUntil("token", h.clock.instant().plus(Duration.ofMinutes(10)), null, null));
    assertThat(b.get("/x").statusCode()).isEqualTo(200);
    assertThat(h.gatewayEvents("REFRESH_DEFERRED:op_unreachable")).hasSize(1);
    // A path that must not be served while the tokens cannot be renewed.
    assertThat(b.get("/strict/x", "Accept", "text/html").statusCode()).isEqualTo(503);
    h.clock.advance(Duration.ofSeconds(10));
    assertThat(b.get("/strict/x", "Accept", "application/json").statusCode()).isEqualTo(401);
    assertThat(h.gatewayEvents("REFRESH_DEFERRED:op_unreachable")).hasSize(2);
    assertThat(b.get("/x").statusCode()).isEqualTo(200);

    h.clock.advance(Duration.ofMinutes(2)); // access tokens expired, OP still down
    HttpResponse<String> page = b.get("/x", "Accept", "text/html");
    assertThat(page.statusCode()).isEqualTo(503);
    HttpResponse<String> xhr = api.get("/x", "Accept", "application/json");
    assertThat(xhr.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(xhr.body()).getString("reason")).isEqualTo("REFRESH_FAILED:op_unreachable");

    h.clock.advance(Duration.ofMinutes(9)); // OP back
    assertThat(b.get("/x").statusCode()).isEqualTo(200);
    assertThat(api.get("/x", "Accept", "application/json").statusCode()).isEqualTo(200);
    assertThat(h.gatewayEvents("REFRESH_OK")).hasSize(2);
  }

  @Test
  void upstreamDownGivesAClear502Page() {
    h = new GatewayHarness(opExtension).start();
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    GatewayHarness.await(h.upstream.close());
    HttpResponse<String> r = b.get("/x");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("cannot be reached");
    assertThat(h.gatewayEvents("UPSTREAM_ERROR")).hasSize(1);
    h.upstream = null;
  }

  @Test
  void aSilentUpstreamGivesA504PageAfterTheUpstreamTimeout() {
    h = new GatewayHarness(opExtension);
    var silent = GatewayHarness.await(h.vertx.createHttpServer().requestHandler(req -> { /* never answers */ }).listen(0, "127.0.0.1"));
    h.upstreamOverride = "http://127.0.0.1:" + silent.actualPort();
    h.start(c -> c, "", "upstream-timeout: 300ms\n");
    GatewayHarness.Browser b = h.browser();
    b.login("alice", "/"); // the landing itself times out
    HttpResponse<String> r = b.get("/slow");
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).contains("did not answer in time");
    assertThat(h.gatewayEvents("UPSTREAM_ERROR")).anySatisfy(e -> assertThat(e.fields()).containsEntry("status", 504));
  }

  @Test
  void exposeTokensAddsRawTokensToTheSessionEndpointOnlyWhenAsked() {
    h = new GatewayHarness(opExtension).start(c -> c, "expose-tokens: true\n", "");
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    JsonObject tokens = b.json("/oauth2/session").getJsonObject("tokens");
    assertThat(tokens.getString("access_token")).isNotBlank();
    assertThat(tokens.getString("id_token")).contains(".");
    assertThat(tokens.getString("refresh_token")).isNotBlank();
  }

  @Test
  void requestBodiesStreamToTheUpstream() {
    h = new GatewayHarness(opExtension).start();
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    String body = "x".repeat(300_000);
    HttpResponse<String> r = b.send(HttpRequest.newBuilder(URI.create(h.publicUrl + "/upload"))
        .POST(HttpRequest.BodyPublishers.ofString(body)), "Content-Type", "text/plain", "Accept", "application/json");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getString("body")).hasSize(300_000);
  }

  @Test
  void virtualClockExposesTheClockAdminApi() {
    h = new GatewayHarness(opExtension).start();
    // The harness config says clock: system; start a second gateway with clock: virtual on the same clock.
    GatewayConfig base = h.config();
    GatewayConfig virtual = new GatewayConfig("127.0.0.1:0", base.publicUrl(), base.upstream(), base.provider(), base.session(),
        base.logout(), base.identity(), base.clockSkew(), "virtual", base.rules(), base.trustedProxies(), base.redirect(), base.upstreamTimeout());
    Gateway g = GatewayHarness.await(Gateway.start(h.vertx, h.clock, virtual));
    try {
      GatewayHarness.Browser b = h.browser();
      HttpResponse<String> before = b.get("http://127.0.0.1:" + g.port() + "/_hourglass/clock");
      assertThat(before.statusCode()).isEqualTo(200);
      HttpResponse<String> moved = b.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + "/_hourglass/clock"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"advance\":\"1h\"}")), "Content-Type", "application/json");
      assertThat(moved.statusCode()).isEqualTo(200);
      assertThat(h.clock.instant()).isEqualTo(Instant.parse("2030-01-01T09:00:00Z"));
      // The system-clock gateway does not expose it (the path is proxied like any other and needs a login).
      assertThat(b.get("/_hourglass/clock", "Accept", "application/json").statusCode()).isEqualTo(401);
    } finally {
      GatewayHarness.await(g.close());
    }
  }
}
