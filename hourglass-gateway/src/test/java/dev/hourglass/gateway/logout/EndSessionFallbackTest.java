package dev.hourglass.gateway.logout;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.hourglass.core.event.Event;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fallbacks of RP-initiated logout against a scripted OP: no ID token, failed refresh, no endpoints. */
class EndSessionFallbackTest {

  private static Map<String, String> query(String location) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String pair : URI.create(location).getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      m.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return m;
  }

  private static String idToken(FakeOp op, Instant exp) {
    return op.sign(new JWTClaimsSet.Builder().issuer(op.issuer).audience(FakeOp.CLIENT_ID).subject("alice")
        .issueTime(Date.from(exp.minus(Duration.ofHours(1)))).expirationTime(Date.from(exp)).build());
  }

  private static HttpResponse<String> signOut(FakeOp op, String id, String rd) {
    return op.get("/oauth2/sign_out" + (rd == null ? "" : "?rd=" + rd), "Cookie", "_hourglass_session=" + id,
        "Sec-Fetch-Site", "same-origin");
  }

  private static Event last(FakeOp op, String type) {
    var all = op.gateway.events().snapshot().stream().filter(e -> e.type().equals(type)).toList();
    assertThat(all).as(type).isNotEmpty();
    return all.get(all.size() - 1);
  }

  /** Revocation is fire-and-forget: wait (bounded) for its event to be recorded. */
  private static void awaitEvent(FakeOp op, String type) throws Exception {
    java.util.concurrent.CompletableFuture<Event> seen = new java.util.concurrent.CompletableFuture<>();
    op.gateway.events().onEvent(e -> {
      if (e.type().equals(type)) seen.complete(e);
    });
    if (op.events(type) == 0) {
      seen.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    assertThat(op.events(type)).as(type + " in " + op.gateway.events().snapshot()).isPositive();
  }

  @Test
  void noIdTokenAtAllFallsBackToClientIdWithLogoutHint() {
    try (FakeOp op = new FakeOp(true, true, "")) {
      String id = op.session("alice", "sid-1", null, null, null);
      HttpResponse<String> r = signOut(op, id, null);
      assertThat(r.statusCode()).isEqualTo(302);
      Map<String, String> q = query(r.headers().firstValue("Location").orElseThrow());
      assertThat(q).doesNotContainKey("id_token_hint").containsEntry("client_id", FakeOp.CLIENT_ID)
          .containsEntry("logout_hint", "alice").containsEntry("post_logout_redirect_uri", op.publicUrl + "/");
      assertThat(op.events("LOGOUT_HINT_FALLBACK_CLIENT_ID")).isEqualTo(1);
      assertThat(op.exists(id)).isFalse();
      assertThat(op.tokenRequests).isEmpty();
    }
  }

  @Test
  void expiredHintWhoseRefreshFailsFollowsThePolicyAndSaysWhy() {
    try (FakeOp op = new FakeOp(true, true, "")) {
      Instant exp = op.clock.instant().minusSeconds(10);
      String hint = idToken(op, exp);
      String id = op.session("alice", "sid-1", hint, exp, "rt-1");
      HttpResponse<String> r = signOut(op, id, null);
      assertThat(query(r.headers().firstValue("Location").orElseThrow())).containsEntry("id_token_hint", hint)
          .containsEntry("client_id", FakeOp.CLIENT_ID);
      assertThat(last(op, "LOGOUT_HINT_EXPIRED_SENT").field("refresh")).isEqualTo("failed:invalid_grant");
      assertThat(op.tokenRequests).hasSize(1);
      assertThat(op.tokenRequests.get(0)).contains("grant_type=refresh_token", "refresh_token=rt-1");
      assertThat(op.exists(id)).isFalse();
    }
  }

  @Test
  void expiredHintWithoutRefreshTokenAndOmitSendsClientIdAndLogoutHint() {
    try (FakeOp op = new FakeOp(true, true, "logout:\n  expired-hint: omit\n")) {
      Instant exp = op.clock.instant().minusSeconds(3600);
      String id = op.session("alice", "sid-1", idToken(op, exp), exp, null);
      HttpResponse<String> r = signOut(op, id, null);
      Map<String, String> q = query(r.headers().firstValue("Location").orElseThrow());
      assertThat(q).doesNotContainKey("id_token_hint").containsEntry("logout_hint", "alice-name")
          .containsEntry("client_id", FakeOp.CLIENT_ID).containsKey("state");
      assertThat(last(op, "LOGOUT_HINT_OMITTED_EXPIRED").field("refresh")).isEqualTo("no_refresh_token");
      assertThat(op.tokenRequests).isEmpty();
    }
  }

  @Test
  void aHintInsideTheLastSkewWindowIsRenewedFirst() {
    try (FakeOp op = new FakeOp(true, true, "")) {
      // exp - skew (60s) is now: not fresh any more, so logout tries a refresh first.
      Instant exp = op.clock.instant().plusSeconds(60);
      String id = op.session("alice", "sid-1", idToken(op, exp), exp, "rt-1");
      signOut(op, id, null);
      assertThat(op.tokenRequests).hasSize(1);
      // One millisecond earlier it would have gone as a fresh hint.
      Instant exp2 = op.clock.instant().plusSeconds(60).plusMillis(1);
      String id2 = op.session("alice", "sid-2", idToken(op, exp2), exp2, "rt-2");
      signOut(op, id2, null);
      assertThat(op.tokenRequests).hasSize(1);
      assertThat(op.events("LOGOUT_HINT_FRESH")).isEqualTo(1);
    }
  }

  @Test
  void revocationAfterTheRedirectReportsSuccessAndFailure() throws Exception {
    try (FakeOp op = new FakeOp(true, true, "logout:\n  revoke-tokens: true\n")) {
      Instant exp = op.clock.instant().plusSeconds(3600);
      String id = op.session("alice", "sid-1", idToken(op, exp), exp, "rt-1");
      assertThat(signOut(op, id, null).statusCode()).isEqualTo(302);
      awaitEvent(op, "TOKEN_REVOKED");
      assertThat(op.revokeRequests.get(0)).contains("token=rt-1", "token_type_hint=refresh_token");

      op.revokeStatus = 503;
      String id2 = op.session("alice", "sid-2", idToken(op, exp), exp, null);
      assertThat(signOut(op, id2, null).statusCode()).isEqualTo(302);
      awaitEvent(op, "REVOKE_FAILED:http_503");
      assertThat(op.revokeRequests.get(1)).contains("token_type_hint=access_token");
    }
  }

  @Test
  void withoutRevokeTokensNothingIsRevoked() {
    try (FakeOp op = new FakeOp(true, true, "")) {
      Instant exp = op.clock.instant().plusSeconds(3600);
      String id = op.session("alice", "sid-1", idToken(op, exp), exp, "rt-1");
      assertThat(signOut(op, id, null).statusCode()).isEqualTo(302);
      assertThat(op.revokeRequests).isEmpty();
    }
  }

  @Test
  void opWithoutEndSessionOrRevocationEndpointsEndsTheLocalSessionAndGoesToRd() throws Exception {
    try (FakeOp op = new FakeOp(false, false, "logout:\n  revoke-tokens: true\n")) {
      Instant exp = op.clock.instant().plusSeconds(3600);
      String id = op.session("alice", "sid-1", idToken(op, exp), exp, "rt-1");
      var plan = new io.vertx.core.json.JsonObject(op.get("/oauth2/session", "Cookie", "_hourglass_session=" + id).body())
          .getJsonObject("logout");
      assertThat(plan.getString("would_send")).isEqualTo("none");
      assertThat(plan.getString("light")).isEqualTo("red");
      HttpResponse<String> r = signOut(op, id, "/goodbye");
      assertThat(r.statusCode()).isEqualTo(302);
      assertThat(r.headers().firstValue("Location")).contains("/goodbye");
      assertThat(op.events("LOGOUT_NO_END_SESSION_ENDPOINT")).isEqualTo(1);
      assertThat(op.exists(id)).isFalse();
      awaitEvent(op, "REVOKE_FAILED:no_revocation_endpoint");
    }
  }
}
