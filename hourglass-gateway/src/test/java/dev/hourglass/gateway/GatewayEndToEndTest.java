package dev.hourglass.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.op.OpConfig;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import dev.hourglass.op.junit.DevOpExtension;

/** Login → proxy → refresh → re-login against the real dev OP, on one controllable clock. */
class GatewayEndToEndTest {
  /** A fresh dev OP and controllable clock per test; the gateway runs on that same clock. */
  @RegisterExtension
  DevOpExtension opExtension = DevOpExtension.builder().clockStartingAt(Instant.parse("2030-01-01T08:00:00Z")).build();

  private GatewayHarness h;

  @AfterEach
  void tearDown() {
    if (h != null) h.close();
  }

  private static OpConfig.Client refreshTtl(OpConfig.Client c, Duration ttl) {
    return c.withTokens(new OpConfig.Tokens(null, null, null, ttl, null, null, null, null, null));
  }

  @Test
  void loginProxiesIdentityRefreshesOnceAndEndsWhenTheRefreshTokenRunsOut() {
    h = new GatewayHarness(opExtension).start(c -> refreshTtl(c, Duration.ofHours(2)), """
        idle-timeout: 3h
        max-lifetime: 12h
        refresh-before-expiry: 60s
        """, "");
    GatewayHarness.Browser browser = h.browser();
    HttpResponse<String> landing = browser.login("alice", "/hello?x=1");
    assertThat(landing.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(landing.body()).getString("path")).isEqualTo("/hello?x=1");
    assertThat(h.gatewayEvents("LOGIN_OK")).hasSize(1);

    // Identity headers from the session; client-spoofed ones never arrive.
    JsonObject echo = browser.json("/api/me", "x-forwarded-user", "mallory", "X_Forwarded_User", "mallory",
        "X-FORWARDED-EMAIL", "evil@example.test", "x-forwarded-groups", "root", "X-Auth-Request-User", "mallory",
        "x_forwarded_preferred_username", "mallory");
    JsonObject headers = lower(echo.getJsonObject("headers"));
    assertThat(headers.getString("x-forwarded-user")).isEqualTo("alice");
    assertThat(headers.getString("x-forwarded-email")).isEqualTo("alice@example.test");
    assertThat(headers.getString("x-forwarded-groups")).isEqualTo("admins");
    assertThat(headers.getString("x-forwarded-preferred-username")).isEqualTo("alice");
    assertThat(headers.getString("x-forwarded-proto")).isEqualTo("http");
    assertThat(headers.fieldNames()).doesNotContain("x_forwarded_user", "x-auth-request-user", "x_forwarded_preferred_username");
    assertThat(echo.encode()).doesNotContain("mallory", "evil@example.test", "root");

    JsonObject before = browser.json("/oauth2/session");
    assertThat(before.getString("remote_user")).isEqualTo("alice");
    assertThat(before.getValue("tokens")).isNull();
    long firstExpiry = before.getLong("access_token_expires");
    assertThat(h.refreshGrants()).isZero();

    // 59 minutes later the access token is inside the refresh window: exactly one refresh grant.
    h.clock.advance(Duration.ofMinutes(59));
    assertThat(browser.get("/hello").statusCode()).isEqualTo(200);
    assertThat(h.refreshGrants()).isEqualTo(1);
    assertThat(h.gatewayEvents("REFRESH_OK")).hasSize(1);
    JsonObject after = browser.json("/oauth2/session");
    assertThat(after.getLong("access_token_expires")).isEqualTo(h.clock.instant().plus(Duration.ofHours(1)).getEpochSecond())
        .isGreaterThan(firstExpiry);
    assertThat(after.getJsonObject("timeline").getLong("next_refresh_at"))
        .isEqualTo(after.getLong("access_token_expires") - 60);
    assertThat(h.refreshGrants()).isEqualTo(1);

    // A second browser and an API client, both logged in, outlive the refresh token (2h at the OP).
    GatewayHarness.Browser api = h.browser();
    assertThat(api.login("bob", "/").statusCode()).isEqualTo(200);
    h.clock.advance(Duration.ofHours(2).plusMinutes(30));
    HttpResponse<String> nav = browser.get("/hello", "Accept", "text/html", "Sec-Fetch-Mode", "navigate");
    assertThat(nav.statusCode()).isEqualTo(302);
    assertThat(nav.headers().firstValue("Location").orElseThrow()).startsWith(h.op.issuer());
    HttpResponse<String> xhr = api.get("/api/data", "Accept", "application/json");
    assertThat(xhr.statusCode()).isEqualTo(401);
    assertThat(xhr.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Bearer");
    assertThat(new JsonObject(xhr.body()).getString("reason")).isEqualTo("REFRESH_FAILED:invalid_grant");
    assertThat(h.gatewayEvents("REFRESH_FAILED:invalid_grant")).hasSize(2);
  }

  @Test
  void eventsNeverCarryTokensSecretsOrCookies() {
    h = new GatewayHarness(opExtension).start(c -> c, "idle-timeout: 2h\nexpose-tokens: true\n", "");
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    h.clock.advance(Duration.ofMinutes(59));
    JsonObject tokens = b.json("/oauth2/session").getJsonObject("tokens");
    String cookie = b.jar.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("_hourglass_session"))
        .findFirst().orElseThrow().getValue();
    String all = h.gateway.events().snapshot().stream().map(e -> new JsonObject(e.toMap()).encode())
        .collect(java.util.stream.Collectors.joining("\n"));
    assertThat(h.gatewayEvents("REFRESH_OK")).hasSize(1);
    assertThat(all).doesNotContain(tokens.getString("access_token"), tokens.getString("refresh_token"),
        tokens.getString("id_token").split("\\.")[1], cookie, GatewayHarness.CLIENT_SECRET, GatewayHarness.SECRET);
    assertThat(h.gateway.events().snapshot()).allSatisfy(e -> {
      if (e.fields().containsKey("session")) {
        assertThat(String.valueOf(e.fields().get("session"))).hasSize(16).isNotEqualTo(cookie);
      }
    });
  }

  @Test
  void idleTimeoutEndsTheSessionExactlyOnTime() {
    h = new GatewayHarness(opExtension).start(c -> c, """
        idle-timeout: 30m
        max-lifetime: 8h
        """, "");
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    h.clock.advance(Duration.ofMinutes(30).minusSeconds(1));
    assertThat(b.get("/x", "Accept", "application/json").statusCode()).isEqualTo(200);
    // The request above was activity: the idle window restarted there.
    h.clock.advance(Duration.ofMinutes(30).minusSeconds(1));
    assertThat(b.get("/x", "Accept", "application/json").statusCode()).isEqualTo(200);
    h.clock.advance(Duration.ofMinutes(30));
    HttpResponse<String> r = b.get("/x", "Accept", "application/json");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(r.body()).getString("reason")).isEqualTo("SESSION_IDLE_EXPIRED");
    assertThat(h.gatewayEvents("SESSION_IDLE_EXPIRED")).hasSize(1);
  }

  @Test
  void maxLifetimeEndsTheSessionExactlyOnTimeDespiteActivity() {
    h = new GatewayHarness(opExtension).start(c -> c, """
        idle-timeout: 0
        max-lifetime: 2h
        """, "");
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    Instant created = h.clock.instant();
    h.clock.advance(Duration.ofHours(1));
    assertThat(b.get("/x", "Accept", "application/json").statusCode()).isEqualTo(200);
    h.clock.set(created.plus(Duration.ofHours(2)).minusSeconds(1));
    assertThat(b.get("/x", "Accept", "application/json").statusCode()).isEqualTo(200);
    JsonObject s = b.json("/oauth2/session");
    assertThat(s.getLong("exp")).isEqualTo(created.plus(Duration.ofHours(2)).getEpochSecond());
    h.clock.advance(Duration.ofSeconds(1));
    HttpResponse<String> nav = b.get("/x", "Accept", "text/html");
    assertThat(nav.statusCode()).isEqualTo(302);
    assertThat(nav.headers().firstValue("Location").orElseThrow()).startsWith(h.op.issuer());
    // The dead session's cookie is cleared and a login transaction starts, on the same response.
    assertThat(nav.headers().allValues("Set-Cookie")).anyMatch(c -> c.startsWith("_hourglass_session=;") || c.startsWith("_hourglass_session=\"\""))
        .anyMatch(c -> c.startsWith("_hourglass_tx_"));
    assertThat(h.gatewayEvents("SESSION_MAX_EXPIRED")).hasSize(1);
  }

  @Test
  void sessionEndpointKeepsWorkingThroughEightHoursOfRefreshes() {
    h = new GatewayHarness(opExtension).start(c -> refreshTtl(c, Duration.ofHours(10)), """
        idle-timeout: 2h
        max-lifetime: 10h
        """, "");
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    for (int i = 1; i <= 8; i++) {
      h.clock.advance(Duration.ofMinutes(61));
      JsonObject s = b.json("/oauth2/session");
      assertThat(s.getLong("access_token_expires")).isGreaterThan(h.clock.instant().getEpochSecond());
    }
    assertThat(h.refreshGrants()).isEqualTo(8);
    assertThat(h.opEvents("refresh_reuse_detected", null, null)).isZero();
  }

  @Test
  void unauthenticatedBrowserIsSentToTheOpAndApiGets401() {
    h = new GatewayHarness(opExtension).start();
    GatewayHarness.Browser b = h.browser();
    HttpResponse<String> nav = b.get("/deep/page?q=1", "Accept", "text/html,application/xhtml+xml");
    assertThat(nav.statusCode()).isEqualTo(302);
    assertThat(nav.headers().firstValue("Location").orElseThrow())
        .startsWith(h.op.issuer()).contains("code_challenge_method=S256").contains("nonce=").contains("state=");
    // Logging in at the OP (auto-login via login_hint) lands on the page asked for.
    String authorize = nav.headers().firstValue("Location").orElseThrow() + "&login_hint=alice";
    HttpResponse<String> landed = b.follow(b.get(authorize), 5);
    assertThat(landed.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(landed.body()).getString("path")).isEqualTo("/deep/page?q=1");

    GatewayHarness.Browser api = h.browser();
    HttpResponse<String> xhr = api.get("/deep/page", "X-Requested-With", "XMLHttpRequest");
    assertThat(xhr.statusCode()).isEqualTo(401);
    assertThat(xhr.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
    assertThat(api.get("/oauth2/session").statusCode()).isEqualTo(401);
    assertThat(api.get("/ping").statusCode()).isEqualTo(200);
    assertThat(api.get("/ready").statusCode()).isEqualTo(200);
  }

  static JsonObject lower(JsonObject headers) {
    JsonObject out = new JsonObject();
    headers.forEach(e -> out.put(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue()));
    return out;
  }
}
