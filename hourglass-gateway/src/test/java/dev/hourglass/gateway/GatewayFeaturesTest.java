package dev.hourglass.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.op.junit.DevOpExtension;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.HttpCookie;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Cookies, fixation, ID token renewal, key rotation, pinned alg, trusted proxies, websockets, HTML view. */
class GatewayFeaturesTest {
  @RegisterExtension
  DevOpExtension opExtension = DevOpExtension.builder().clockStartingAt(Instant.parse("2030-01-01T08:00:00Z")).build();

  private GatewayHarness h;

  @AfterEach
  void tearDown() {
    if (h != null) h.close();
  }

  private static String sessionCookie(GatewayHarness.Browser b) {
    return b.jar.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("_hourglass_session"))
        .map(HttpCookie::getValue).findFirst().orElse(null);
  }

  @Test
  void sessionCookieIsHttpOnlyLaxAndANewIdIsIssuedAtEveryLogin() {
    h = new GatewayHarness(opExtension).start();
    GatewayHarness.Browser b = h.browser();
    HttpResponse<String> start = b.get("/oauth2/start?login_hint=alice&rd=/");
    HttpResponse<String> op = b.get(start.headers().firstValue("Location").orElseThrow());
    HttpResponse<String> cb = b.get(op.headers().firstValue("Location").orElseThrow());
    String set = cb.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("_hourglass_session=")).findFirst().orElseThrow();
    assertThat(set).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Lax").doesNotContainIgnoringCase("Secure");
    String first = sessionCookie(b);
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    String second = sessionCookie(b);
    assertThat(second).isNotEqualTo(first);
    // The old id is dead.
    HttpResponse<String> old = h.browser().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(h.publicUrl + "/oauth2/session")).GET(),
        "Cookie", "_hourglass_session=" + first);
    assertThat(old.statusCode()).isEqualTo(401);
    assertThat(h.gatewayEvents("LOGIN_OK").get(1).fields()).containsEntry("replaced_session", true);
  }

  @Test
  void aRefreshThatReturnsAnIdTokenReplacesItAndOneThatDoesNotKeepsTheOld() {
    h = new GatewayHarness(opExtension).start(c -> c, "idle-timeout: 3h\n", "");
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    JsonObject before = b.json("/oauth2/session").getJsonObject("timeline").getJsonObject("id_token");
    h.clock.advance(Duration.ofMinutes(59));
    JsonObject renewed = b.json("/oauth2/session").getJsonObject("timeline").getJsonObject("id_token");
    assertThat(renewed.getLong("issued_at")).isEqualTo(before.getLong("issued_at") + 59 * 60);
    assertThat(h.gatewayEvents("REFRESH_OK").get(0).fields()).containsEntry("id_token_renewed", true);

    h.op.setRefreshReturnsIdToken(GatewayHarness.CLIENT_ID, false);
    h.clock.advance(Duration.ofMinutes(61));
    JsonObject kept = b.json("/oauth2/session").getJsonObject("timeline").getJsonObject("id_token");
    assertThat(kept.getLong("issued_at")).isEqualTo(renewed.getLong("issued_at"));
    assertThat(h.gatewayEvents("REFRESH_OK")).hasSize(2);
    assertThat(h.gatewayEvents("REFRESH_OK").get(1).fields()).containsEntry("id_token_renewed", false);
  }

  @Test
  void clientSecretPostWorksAndUserinfoEndpointShowsTheClaims() {
    h = new GatewayHarness(opExtension);
    h.start(c -> c, "", "");
    GatewayConfig base = h.config();
    GatewayConfig post = new GatewayConfig(base.listen(), base.publicUrl(), base.upstream(),
        new GatewayConfig.Provider(base.provider().issuer(), base.provider().clientId(), base.provider().clientSecret(),
            base.provider().scopes(), null, "client_secret_post", null, null),
        base.session(), base.logout(), base.identity(), base.clockSkew(), base.clock(), base.rules(), base.trustedProxies(),
        base.redirect(), base.upstreamTimeout());
    GatewayHarness.await(h.gateway.close());
    h.gateway = GatewayHarness.await(Gateway.start(h.vertx, h.clock, post));
    GatewayHarness.await(h.gateway.ready());
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    JsonObject claims = b.json("/oauth2/userinfo");
    assertThat(claims.getString("sub")).isEqualTo("alice");
    assertThat(claims.getString("email")).isEqualTo("alice@example.test");
    assertThat(claims.getJsonArray("groups").getList()).containsExactly("admins");
    assertThat(h.browser().get("/oauth2/userinfo").statusCode()).isEqualTo(401);
  }

  @Test
  void keysRotatedAtTheOpAreFetchedOnceOnTheNextLogin() {
    h = new GatewayHarness(opExtension).start();
    assertThat(h.browser().login("alice", "/").statusCode()).isEqualTo(200);
    long fetches = h.gateway.services().provider().jwks().fetchCount();
    h.op.rotateKeys();
    h.clock.advance(Duration.ofMinutes(1));
    assertThat(h.browser().login("bob", "/").statusCode()).isEqualTo(200);
    assertThat(h.browser().login("carol", "/").statusCode()).isEqualTo(200);
    assertThat(h.gateway.services().provider().jwks().fetchCount()).isEqualTo(fetches + 1);
  }

  @Test
  void anAlgorithmThatIsNotPinnedRefusesTheLoginWithAReason() {
    h = new GatewayHarness(opExtension);
    h.start(c -> c, "", "");
    GatewayConfig base = h.config();
    GatewayConfig es = new GatewayConfig(base.listen(), base.publicUrl(), base.upstream(),
        new GatewayConfig.Provider(base.provider().issuer(), base.provider().clientId(), base.provider().clientSecret(),
            null, List.of("ES256"), null, null, null),
        base.session(), base.logout(), base.identity(), base.clockSkew(), base.clock(), base.rules(), base.trustedProxies(), base.redirect(), base.upstreamTimeout());
    GatewayHarness.await(h.gateway.close());
    h.gateway = GatewayHarness.await(Gateway.start(h.vertx, h.clock, es));
    GatewayHarness.await(h.gateway.ready());
    HttpResponse<String> r = h.browser().login("alice", "/");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("(alg)");
    assertThat(h.gatewayEvents("ID_TOKEN_REJECTED:alg")).hasSize(1);
    assertThat(h.gatewayEvents("LOGIN_OK")).isEmpty();
  }

  @Test
  void xForwardedForIsTrustedOnlyFromConfiguredProxies() {
    h = new GatewayHarness(opExtension).start(c -> c, "", "trusted-proxies: [10.0.0.0/8]\n");
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    JsonObject headers = GatewayEndToEndTest.lower(b.json("/x", "X-Forwarded-For", "6.6.6.6", "X-Forwarded-Host", "evil.example")
        .getJsonObject("headers"));
    assertThat(headers.getString("x-forwarded-for")).isEqualTo("127.0.0.1");
    assertThat(headers.getString("x-forwarded-host")).isEqualTo("127.0.0.1:" + h.gatewayPort);

    h.restartGatewayWith("trusted-proxies: [127.0.0.1]\n");
    GatewayHarness.Browser viaProxy = h.browser();
    assertThat(viaProxy.login("alice", "/").statusCode()).isEqualTo(200);
    JsonObject trusted = GatewayEndToEndTest.lower(viaProxy.json("/x", "X-Forwarded-For", "203.0.113.7").getJsonObject("headers"));
    assertThat(trusted.getString("x-forwarded-for")).isEqualTo("203.0.113.7, 127.0.0.1");
  }

  @Test
  void websocketsAreProxiedForLoggedInUsersOnly() throws Exception {
    h = new GatewayHarness(opExtension).start();
    // A websocket echo next to the HTTP echo.
    var wsUpstream = GatewayHarness.await(h.vertx.createHttpServer().webSocketHandler(ws -> {
      String user = ws.headers().get("X-Forwarded-User");
      ws.textMessageHandler(m -> ws.writeTextMessage(user + ":" + m));
    }).listen(0, "127.0.0.1"));
    h.upstreamOverride = "http://127.0.0.1:" + wsUpstream.actualPort();
    h.restartGatewayWith("");
    GatewayHarness.Browser b = h.browser();
    b.login("alice", "/"); // lands on the websocket-only upstream (400 for plain HTTP): the session is what matters
    assertThat(b.get("/oauth2/session").statusCode()).isEqualTo(200);
    String cookie = "_hourglass_session=" + sessionCookie(b);
    WebSocketClient client = h.vertx.createWebSocketClient();
    var ws = GatewayHarness.await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(h.gatewayPort)
        .setURI("/ws").addHeader("Cookie", cookie).addHeader("X-Forwarded-User", "mallory")));
    java.util.concurrent.CompletableFuture<String> reply = new java.util.concurrent.CompletableFuture<>();
    ws.textMessageHandler(reply::complete);
    ws.writeTextMessage("hi");
    assertThat(reply.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("alice:hi");
    GatewayHarness.await(ws.close());
    // Without a session the upgrade is refused.
    try {
      GatewayHarness.await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(h.gatewayPort).setURI("/ws")));
      throw new AssertionError("upgrade accepted without a session");
    } catch (RuntimeException expected) {
      assertThat(expected).hasStackTraceContaining("401");
    }
    GatewayHarness.await(wsUpstream.close());
  }

  @Test
  void sessionHtmlViewEscapesClaims() {
    h = new GatewayHarness(opExtension).start();
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("<script>x</script>", "/").statusCode()).isEqualTo(200);
    HttpResponse<String> page = b.get("/oauth2/session?format=html");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
    assertThat(page.body()).contains("&lt;script&gt;").doesNotContain("<script>x");
  }
}
