package dev.hourglass.gateway.logout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.model.TokenSet;
import dev.hourglass.gateway.GatewayConfig;
import dev.hourglass.gateway.session.Session;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LogoutPlannerTest {
  static final Instant T0 = Instant.parse("2030-01-01T08:00:00Z");
  static final Duration SKEW = Duration.ofSeconds(60);
  static final Instant EXP = T0.plus(Duration.ofHours(1));

  private static LogoutPlanner planner(String policy, Optional<String> endpoint) {
    return new LogoutPlanner(new GatewayConfig.Logout("/", policy, false), SKEW, "https://app.example/", () -> endpoint);
  }

  private static Session session(String idToken, String refreshToken, Instant refreshedAt) {
    TokenSet t = new TokenSet("at", "Bearer", "openid", T0, T0.plus(Duration.ofHours(1)), idToken,
        idToken == null ? null : T0, idToken == null ? null : EXP, refreshToken, null, refreshedAt);
    return new Session("x".repeat(43), T0, T0, "alice", "sid", "https://op.example", t, Map.of("sub", "alice"), Map.of(), 0);
  }

  private static final Optional<String> END = Optional.of("https://op.example/logout");

  @Test
  void freshUntilExpMinusSkewThenRefreshFirst() {
    LogoutPlanner p = planner("send", END);
    Session s = session("id.token.x", "rt", null);
    LogoutPlan green = p.plan(s, EXP.minus(SKEW).minusMillis(1));
    assertThat(green.wouldSend()).isEqualTo("id_token_hint");
    assertThat(green.light()).isEqualTo("green");
    assertThat(green.freshUntil()).isEqualTo(EXP.minus(SKEW));
    LogoutPlan amber = p.plan(s, EXP.minus(SKEW));
    assertThat(amber.wouldSend()).isEqualTo("id_token_hint_after_refresh");
    assertThat(amber.light()).isEqualTo("amber");
    assertThat(p.plan(s, EXP.plus(SKEW)).wouldSend()).isEqualTo("id_token_hint_after_refresh");
  }

  @Test
  void expiredWithoutRefreshTokenFollowsThePolicy() {
    Session s = session("id.token.x", null, null);
    LogoutPlan send = planner("send", END).plan(s, EXP.plusSeconds(1));
    assertThat(send.wouldSend()).isEqualTo("expired_id_token_hint");
    assertThat(send.light()).isEqualTo("red");
    assertThat(send.reason()).contains("no refresh token", "send");
    LogoutPlan omit = planner("omit", END).plan(s, EXP.plusSeconds(1));
    assertThat(omit.wouldSend()).isEqualTo("client_id");
    assertThat(omit.light()).isEqualTo("red");
    assertThat(omit.reason()).contains("omit");
  }

  @Test
  void aRefreshThatDidNotRenewTheIdTokenPredictsRed() {
    Session notRenewed = session("id.token.x", "rt", T0.plus(Duration.ofMinutes(59)));
    LogoutPlan plan = planner("send", END).plan(notRenewed, EXP.plusSeconds(1));
    assertThat(plan.lastRefreshRenewedIdToken()).isFalse();
    assertThat(plan.wouldSend()).isEqualTo("expired_id_token_hint");
    // Refreshed within the skew of the ID token's iat: counts as renewed → amber.
    Session renewed = session("id.token.x", "rt", T0.plusSeconds(30));
    assertThat(planner("send", END).plan(renewed, EXP.plusSeconds(1)).light()).isEqualTo("amber");
  }

  @Test
  void noIdTokenOrNoEndpointIsRed() {
    assertThat(planner("send", END).plan(session(null, "rt", null), T0).wouldSend()).isEqualTo("client_id");
    LogoutPlan none = planner("send", Optional.empty()).plan(session("id.token.x", "rt", null), T0);
    assertThat(none.wouldSend()).isEqualTo("none");
    assertThat(none.light()).isEqualTo("red");
  }

  @Test
  void jsonKeepsTheNamesTheLabReads() {
    var json = planner("send", END).plan(session("id.token.x", "rt", null), T0).toJson();
    assertThat(json.fieldNames()).contains("would_send", "light", "summary", "reason", "id_token_expires_at",
        "expired_hint_policy", "end_session_endpoint");
    assertThat(json.getLong("id_token_expires_at")).isEqualTo(EXP.getEpochSecond());
  }
}
