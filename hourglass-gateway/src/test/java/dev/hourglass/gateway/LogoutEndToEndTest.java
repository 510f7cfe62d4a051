package dev.hourglass.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.hourglass.core.event.Event;
import dev.hourglass.op.ExpiredHintPolicy;
import dev.hourglass.op.junit.DevOpExtension;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RP-initiated logout end to end against the dev OP on ONE clock (issue 4): the seed bug (an
 * expired id_token_hint refused by a strict OP) reproduced and named, and each way Hourglass
 * avoids it. In every case the gateway session is gone first.
 */
class LogoutEndToEndTest {
  @RegisterExtension
  DevOpExtension opExtension = DevOpExtension.builder().clockStartingAt(Instant.parse("2030-01-01T08:00:00Z")).build();

  private GatewayHarness h;

  @AfterEach
  void tearDown() {
    if (h != null) h.close();
  }

  private GatewayHarness start(String logoutYaml) {
    h = new GatewayHarness(opExtension).start(c -> c, "idle-timeout: 3h\nmax-lifetime: 12h\n", logoutYaml);
    return h;
  }

  @Test
  void freshIdTokenGoesAsHintAndTheStrictOpEndsItsSessionWithoutAPrompt() {
    start("");
    h.op.setExpiredHintPolicy(ExpiredHintPolicy.REJECT);
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    String id = sessionId(b);

    HttpResponse<String> out = b.get("/oauth2/sign_out", "Sec-Fetch-Site", "same-origin");
    Map<String, String> q = endSessionParams(out);
    assertThat(q).containsKeys("id_token_hint", "state").containsEntry("client_id", GatewayHarness.CLIENT_ID)
        .containsEntry("post_logout_redirect_uri", h.publicUrl + "/");
    assertThat(h.gatewayEvents("LOGOUT_HINT_FRESH")).hasSize(1);
    assertThat(h.refreshGrants()).isZero();
    assertLocalSessionGone(out, id);

    HttpResponse<String> atOp = b.get(out.headers().firstValue("Location").orElseThrow());
    assertOpEndedWithoutPrompt(atOp, "id_token_hint");
  }

  @Test
  void strictOpThatRenewsIdTokensAfterTwoHoursLogoutRefreshesFirstAndTheOpAcceptsTheFreshHint() {
    start("");
    h.op.setExpiredHintPolicy(ExpiredHintPolicy.REJECT);
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    String id = sessionId(b);
    h.clock.advance(Duration.ofHours(2));

    HttpResponse<String> out = b.get("/oauth2/sign_out?rd=/bye", "Sec-Fetch-Site", "same-origin");
    Map<String, String> q = endSessionParams(out);
    assertThat(h.refreshGrants()).isEqualTo(1);
    List<Event> refreshed = h.gatewayEvents("LOGOUT_HINT_REFRESHED");
    assertThat(refreshed).hasSize(1);
    assertThat(refreshed.get(0).field("refresh")).isEqualTo("renewed");
    assertThat(expiry(q.get("id_token_hint"))).isAfter(h.clock.instant());
    assertThat(h.gatewayEvents("LOGOUT_HINT_EXPIRED_SENT")).isEmpty();
    assertLocalSessionGone(out, id);
    // The local session ended before the hint was decided.
    assertThat(typesInOrder()).containsSubsequence("LOGOUT_LOCAL", "LOGOUT_HINT_REFRESHED");

    HttpResponse<String> atOp = b.get(out.headers().firstValue("Location").orElseThrow());
    assertOpEndedWithoutPrompt(atOp, "id_token_hint");
  }

  @Test
  void strictOpWithoutRenewalAndOmitSendsClientIdTheOpAsksAndTheConfirmedLogoutEndsItsSession() {
    start("logout:\n  expired-hint: omit\n");
    h.op.setExpiredHintPolicy(ExpiredHintPolicy.REJECT);
    h.op.setRefreshReturnsIdToken(null, false);
    SignOut so = signOutAfter(Duration.ofHours(2));
    GatewayHarness.Browser b = so.browser();
    String id = so.sessionId();
    HttpResponse<String> out = so.response();
    Map<String, String> q = endSessionParams(out);
    assertThat(q).doesNotContainKey("id_token_hint").containsEntry("client_id", GatewayHarness.CLIENT_ID)
        .containsEntry("logout_hint", "alice");
    List<Event> omitted = h.gatewayEvents("LOGOUT_HINT_OMITTED_EXPIRED");
    assertThat(omitted).hasSize(1);
    assertThat(omitted.get(0).field("refresh")).isEqualTo("no_id_token");
    assertThat(h.refreshGrants()).isEqualTo(1);
    assertLocalSessionGone(out, id);

    HttpResponse<String> confirm = b.get(out.headers().firstValue("Location").orElseThrow());
    assertThat(confirm.statusCode()).isEqualTo(200);
    assertThat(confirm.body()).contains("id=\"confirm\"");
    assertThat(h.opEvents("logout", null, null)).isZero();
    HttpResponse<String> done = submitOpConfirmation(b, confirm);
    assertThat(done.statusCode()).isEqualTo(302);
    assertThat(done.headers().firstValue("Location").orElseThrow()).startsWith(h.publicUrl + "/");
    assertThat(h.opEvents("logout", "via", "confirmation")).isEqualTo(1);
    assertThat(h.opEvents("logout_rejected", null, null)).isZero();
  }

  @Test
  void strictOpWithoutRenewalAndSendRejectsTheExpiredHintTheSeedBugNamedByItsReasonCode() {
    start("logout:\n  expired-hint: send\n");
    h.op.setExpiredHintPolicy(ExpiredHintPolicy.REJECT);
    h.op.setRefreshReturnsIdToken(null, false);
    SignOut so = signOutAfter(Duration.ofHours(2));
    GatewayHarness.Browser b = so.browser();
    String id = so.sessionId();
    HttpResponse<String> out = so.response();
    Map<String, String> q = endSessionParams(out);
    assertThat(q).containsKey("id_token_hint").containsEntry("client_id", GatewayHarness.CLIENT_ID);
    assertThat(expiry(q.get("id_token_hint"))).isBefore(h.clock.instant());
    List<Event> sent = h.gatewayEvents("LOGOUT_HINT_EXPIRED_SENT");
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).field("refresh")).isEqualTo("no_id_token");
    assertLocalSessionGone(out, id);

    HttpResponse<String> atOp = b.get(out.headers().firstValue("Location").orElseThrow());
    assertThat(atOp.statusCode()).isEqualTo(400);
    assertThat(h.opEvents("logout_rejected", "reason", "expired_id_token_hint")).isEqualTo(1);
    assertThat(h.opEvents("logout", null, null)).as("the OP session survives: the seed bug").isZero();
  }

  @Test
  void lenientOpAcceptsTheExpiredHintWithSendAndEndsItsSessionWithoutAPrompt() {
    start("");
    h.op.setExpiredHintPolicy(ExpiredHintPolicy.ACCEPT);
    h.op.setRefreshReturnsIdToken(null, false);
    SignOut so = signOutAfter(Duration.ofHours(2));
    GatewayHarness.Browser b = so.browser();
    String id = so.sessionId();
    HttpResponse<String> out = so.response();
    assertThat(endSessionParams(out)).containsKey("id_token_hint");
    assertThat(h.gatewayEvents("LOGOUT_HINT_EXPIRED_SENT")).hasSize(1);
    assertLocalSessionGone(out, id);

    HttpResponse<String> atOp = b.get(out.headers().firstValue("Location").orElseThrow());
    assertOpEndedWithoutPrompt(atOp, "expired_id_token_hint");
  }

  @Test
  void aGatewaySessionPastItsIdleTimeoutStillEndsTheOpSessionAtSignOut() {
    h = new GatewayHarness(opExtension).start(c -> c, "idle-timeout: 30m\nmax-lifetime: 8h\n", "");
    h.op.setExpiredHintPolicy(ExpiredHintPolicy.REJECT);
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    String id = sessionId(b);
    h.clock.advance(Duration.ofHours(2));

    // The user comes back and clicks "sign out": the gateway session is over, the OP's is not.
    HttpResponse<String> out = b.get("/oauth2/sign_out", "Sec-Fetch-Site", "same-origin");
    endSessionParams(out);
    assertThat(h.gatewayEvents("LOGOUT_HINT_REFRESHED")).hasSize(1);
    assertLocalSessionGone(out, id);
    assertOpEndedWithoutPrompt(b.get(out.headers().firstValue("Location").orElseThrow()), "id_token_hint");
  }

  @Test
  void revocationComesOnlyAfterTheRefreshedHintAndDoesNotBreakTheLogout() throws Exception {
    start("logout:\n  revoke-tokens: true\n");
    h.op.setExpiredHintPolicy(ExpiredHintPolicy.REJECT);
    // Without rotation the old refresh token stays valid, so only the revocation can kill it.
    h.op.registerClient(h.op.client(GatewayHarness.CLIENT_ID).orElseThrow()
        .withTokens(new dev.hourglass.op.OpConfig.Tokens(null, null, null, null, null, null, false, null, null)));
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    String id = sessionId(b);
    String oldRefreshToken = GatewayHarness.await(h.gateway.store().load(id)).orElseThrow().tokens().refreshToken();
    h.clock.advance(Duration.ofHours(2));

    HttpResponse<String> out = b.get("/oauth2/sign_out", "Sec-Fetch-Site", "same-origin");
    endSessionParams(out);
    awaitEvent("TOKEN_REVOKED");
    assertThat(typesInOrder()).containsSubsequence("LOGOUT_LOCAL", "LOGOUT_HINT_REFRESHED", "TOKEN_REVOKED");
    assertThat(h.gatewayEvents("TOKEN_REVOKED").get(0).field("token_type_hint")).isEqualTo("refresh_token");
    // The grant is revoked at the OP: even the pre-logout refresh token is refused now.
    HttpResponse<String> grant = b.send(HttpRequest.newBuilder(URI.create(h.op.issuer() + "/token"))
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&refresh_token=" + oldRefreshToken
            + "&client_id=" + GatewayHarness.CLIENT_ID + "&client_secret=" + GatewayHarness.CLIENT_SECRET)),
        "Content-Type", "application/x-www-form-urlencoded");
    assertThat(grant.statusCode()).isEqualTo(400);

    HttpResponse<String> atOp = b.get(out.headers().firstValue("Location").orElseThrow());
    assertOpEndedWithoutPrompt(atOp, "id_token_hint");
  }

  @Test
  void sessionEndpointTellsWhatLogoutWouldSendAsTheClockMoves() {
    start("");
    h.op.registerClient(h.op.client(GatewayHarness.CLIENT_ID).orElseThrow()
        .withTokens(new dev.hourglass.op.OpConfig.Tokens(null, null, Duration.ofMinutes(10), null, null, null, null, null, null)));
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    var logout = b.json("/oauth2/session").getJsonObject("logout");
    assertThat(logout.getString("would_send")).isEqualTo("id_token_hint");
    assertThat(logout.getString("light")).isEqualTo("green");
    assertThat(logout.getString("summary")).isNotBlank();
    assertThat(logout.getString("reason")).contains("valid until");
    assertThat(logout.getString("expired_hint_policy")).isEqualTo("send");
    assertThat(logout.getString("end_session_endpoint")).isEqualTo(h.op.issuer() + "/logout");
    long exp = logout.getLong("id_token_expires_at");
    assertThat(exp).isEqualTo(h.clock.instant().plus(Duration.ofMinutes(10)).getEpochSecond());

    // The ID token (10m) is past its freshness window while the access token (1h) is not due: amber.
    h.clock.advance(Duration.ofMinutes(9).plusSeconds(30));
    logout = b.json("/oauth2/session").getJsonObject("logout");
    assertThat(logout.getString("would_send")).isEqualTo("id_token_hint_after_refresh");
    assertThat(logout.getString("light")).isEqualTo("amber");

    // After a refresh that did not renew the ID token, the light turns red.
    h.op.setRefreshReturnsIdToken(null, false);
    h.clock.advance(Duration.ofMinutes(50));
    logout = b.json("/oauth2/session").getJsonObject("logout");
    assertThat(h.refreshGrants()).isEqualTo(1);
    assertThat(logout.getString("would_send")).isEqualTo("expired_id_token_hint");
    assertThat(logout.getString("light")).isEqualTo("red");
    assertThat(logout.getBoolean("last_refresh_renewed_id_token")).isFalse();
    HttpResponse<String> html = b.get("/oauth2/session?format=html");
    assertThat(html.body()).contains("id=\"logout-light\"", "red", "expired id_token_hint");
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static String sessionId(GatewayHarness.Browser b) {
    return b.jar.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("_hourglass_session"))
        .map(HttpCookie::getValue).findFirst().orElseThrow();
  }

  private Map<String, String> endSessionParams(HttpResponse<String> out) {
    assertThat(out.statusCode()).as(out.body()).isEqualTo(302);
    String loc = out.headers().firstValue("Location").orElseThrow();
    assertThat(loc).startsWith(h.op.issuer() + "/logout?");
    assertThat(out.headers().firstValue("Cache-Control")).contains("no-store");
    return query(URI.create(loc));
  }

  static Map<String, String> query(URI uri) {
    Map<String, String> m = new LinkedHashMap<>();
    String q = uri.getRawQuery();
    if (q == null) return m;
    for (String pair : q.split("&")) {
      int eq = pair.indexOf('=');
      m.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return m;
  }

  /** What a sign-out after some time left behind: the browser, its old session id, the answer. */
  private record SignOut(GatewayHarness.Browser browser, String sessionId, HttpResponse<String> response) {}

  /** alice logs in, {@code after} passes on the one clock, then she clicks the app's own sign-out link. */
  private SignOut signOutAfter(Duration after) {
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    String id = sessionId(b);
    h.clock.advance(after);
    return new SignOut(b, id, b.get("/oauth2/sign_out", "Sec-Fetch-Site", "same-origin"));
  }

  private void assertLocalSessionGone(HttpResponse<String> out, String id) {
    assertThat(GatewayHarness.await(h.gateway.store().load(id))).isEmpty();
    assertThat(out.headers().allValues("Set-Cookie")).anyMatch(c -> c.startsWith("_hourglass_session=;") && c.contains("Max-Age=0"));
    assertThat(h.gatewayEvents("LOGOUT_LOCAL")).hasSize(1);
  }

  private void assertOpEndedWithoutPrompt(HttpResponse<String> atOp, String via) {
    assertThat(atOp.statusCode()).as(atOp.body()).isEqualTo(302);
    assertThat(atOp.headers().firstValue("Location").orElseThrow()).startsWith(h.publicUrl + "/?state=");
    assertThat(h.opEvents("logout", "via", via)).isEqualTo(1);
    assertThat(h.opEvents("logout_rejected", null, null)).isZero();
  }

  private static Instant expiry(String jwt) {
    try {
      return SignedJWT.parse(jwt).getJWTClaimsSet().getExpirationTime().toInstant();
    } catch (java.text.ParseException e) {
      throw new AssertionError(e);
    }
  }

  private List<String> typesInOrder() {
    return h.gateway.events().snapshot().stream().map(Event::type).toList();
  }

  /** Revocation is fire-and-forget: wait (bounded) for its event to be recorded. */
  private void awaitEvent(String type) throws Exception {
    java.util.concurrent.CompletableFuture<Event> seen = new java.util.concurrent.CompletableFuture<>();
    h.gateway.events().onEvent(e -> {
      if (e.type().equals(type)) seen.complete(e);
    });
    if (h.gatewayEvents(type).isEmpty()) {
      seen.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  static HttpResponse<String> submitOpConfirmation(GatewayHarness.Browser b, HttpResponse<String> confirm) {
    Matcher action = Pattern.compile("<form method=\"post\" action=\"([^\"]+)\"").matcher(confirm.body());
    Matcher xsrf = Pattern.compile("name=\"xsrf\" value=\"([^\"]+)\"").matcher(confirm.body());
    assertThat(action.find()).isTrue();
    assertThat(xsrf.find()).isTrue();
    String url = action.group(1).replace("&amp;", "&");
    return b.send(HttpRequest.newBuilder(URI.create(url))
            .POST(HttpRequest.BodyPublishers.ofString("xsrf=" + xsrf.group(1) + "&logout=yes")),
        "Content-Type", "application/x-www-form-urlencoded");
  }
}
