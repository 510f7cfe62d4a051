package dev.hourglass.gateway.logout;

import dev.hourglass.core.model.TokenSet;
import dev.hourglass.gateway.GatewayConfig;
import dev.hourglass.gateway.oidc.OidcProvider;
import dev.hourglass.gateway.session.Session;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Decides, without any I/O, what RP-initiated logout sends for a session at {@code now}.
 *
 * <p>The decision order (issue 4; {@code docs/logout.md}):
 * <ol>
 *   <li>the freshest ID token, if still fresh, goes as {@code id_token_hint};
 *   <li>else, with a refresh token, refresh first and send the renewed ID token;
 *   <li>else {@code logout.expired-hint} decides: {@code send} the expired hint with
 *       {@code client_id}, or {@code omit} it and send {@code client_id} + {@code logout_hint}.
 * </ol>
 *
 * <p>"Fresh" means {@code now < exp - clock-skew}, not {@code now < exp + skew} as for accepting
 * a token: the OP judges the hint a moment later on its own clock, which may run ahead of ours by
 * up to the skew. A hint inside that last window is treated as expired and renewed first.
 */
public final class LogoutPlanner {
  private final GatewayConfig.Logout settings;
  private final Duration skew;
  private final String postLogoutRedirectUri;
  private final Supplier<Optional<String>> endSessionEndpoint;

  /**
   * @param endSessionEndpoint the OP's end_session_endpoint as discovery says it now (empty before
   *     discovery or when the OP has none)
   */
  public LogoutPlanner(GatewayConfig.Logout settings, Duration skew, String postLogoutRedirectUri,
      Supplier<Optional<String>> endSessionEndpoint) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.skew = Objects.requireNonNull(skew, "skew");
    this.postLogoutRedirectUri = Objects.requireNonNull(postLogoutRedirectUri, "postLogoutRedirectUri");
    this.endSessionEndpoint = Objects.requireNonNull(endSessionEndpoint, "endSessionEndpoint");
  }

  /** The planner for a running gateway's configuration and provider. */
  public LogoutPlanner(GatewayConfig config, OidcProvider provider) {
    this(config.logout(), config.clockSkew(), postLogoutRedirectUri(config),
        () -> provider.ready() ? provider.metadata().endSessionEndpoint() : Optional.empty());
  }

  /** {@code logout.post-logout-redirect} made absolute against {@code public-url}. */
  public static String postLogoutRedirectUri(GatewayConfig config) {
    return config.publicUrl() + config.logout().postLogoutRedirect();
  }

  public String postLogoutRedirectUri() {
    return postLogoutRedirectUri;
  }

  public GatewayConfig.Logout settings() {
    return settings;
  }

  public Duration skew() {
    return skew;
  }

  /** The OP's end_session_endpoint; empty before discovery or when the OP has none. */
  public Optional<String> endSessionEndpoint() {
    return endSessionEndpoint.get();
  }

  /** True when the ID token can go as a hint without renewing it first (see class comment). */
  public static boolean fresh(TokenSet t, Instant now, Duration skew) {
    if (t.idToken() == null) {
      return false;
    }
    Instant exp = t.idTokenExpiresAt();
    return exp == null || now.isBefore(exp.minus(skew));
  }

  /**
   * Whether the last refresh brought a new ID token: false when the ID token is older than the last
   * refresh by more than the skew, null when the session was never refreshed.
   */
  static Boolean lastRefreshRenewedIdToken(TokenSet t, Duration skew) {
    if (t.refreshedAt() == null || t.idTokenIssuedAt() == null) {
      return null;
    }
    return !t.idTokenIssuedAt().plus(skew).isBefore(t.refreshedAt());
  }

  /** What logout would send right now, and why. */
  public LogoutPlan plan(Session s, Instant now) {
    TokenSet t = s.tokens();
    Instant exp = t.idTokenExpiresAt();
    Instant freshUntil = exp == null ? null : exp.minus(skew);
    Boolean renewed = lastRefreshRenewedIdToken(t, skew);
    Optional<String> endpoint = endSessionEndpoint();
    String policy = settings.expiredHint();

    String send;
    String light;
    String summary;
    String reason;
    if (endpoint.isEmpty()) {
      send = LogoutPlan.NONE;
      light = LogoutPlan.RED;
      summary = "Logout ends only the gateway session: the OP has no end_session_endpoint.";
      reason = "The OP's discovery document names no end_session_endpoint (or has not been loaded yet), "
          + "so the gateway cannot ask the OP to end its session.";
    } else if (t.idToken() == null) {
      send = LogoutPlan.CLIENT_ID;
      light = LogoutPlan.RED;
      summary = "Logout will send client_id only; the OP will ask the user to confirm.";
      reason = "The session holds no ID token to send as id_token_hint.";
    } else if (fresh(t, now, skew)) {
      send = LogoutPlan.ID_TOKEN_HINT;
      light = LogoutPlan.GREEN;
      summary = "Logout will send a fresh id_token_hint; the OP can end its session without asking.";
      reason = exp == null ? "The ID token has no expiry."
          : "The ID token is valid until " + exp + " (fresh until " + freshUntil + ", clock-skew " + skew.toSeconds() + "s before).";
    } else if (t.hasRefreshToken() && !Boolean.FALSE.equals(renewed)) {
      send = LogoutPlan.ID_TOKEN_HINT_AFTER_REFRESH;
      light = LogoutPlan.AMBER;
      summary = "Logout will refresh first to get a new ID token, then send it as id_token_hint.";
      reason = "The ID token " + expiredPhrase(exp, now) + "; the session has a refresh token"
          + (renewed == null ? " (whether this OP returns a new ID token on refresh is not known yet)."
              : " and the last refresh at " + t.refreshedAt() + " did renew the ID token.")
          + " If the refresh brings no ID token, logout.expired-hint: " + policy + " applies.";
    } else {
      String why = "The ID token " + expiredPhrase(exp, now) + " and "
          + (t.hasRefreshToken()
              ? "the last refresh at " + t.refreshedAt() + " did not renew it (logout still tries one refresh first)"
              : "there is no refresh token to renew it")
          + ". ";
      if ("omit".equals(policy)) {
        send = LogoutPlan.CLIENT_ID;
        light = LogoutPlan.RED;
        summary = "Logout will send client_id and logout_hint without id_token_hint; the OP will ask the user to confirm.";
        reason = why + "logout.expired-hint: omit leaves the expired hint out.";
      } else {
        send = LogoutPlan.EXPIRED_ID_TOKEN_HINT;
        light = LogoutPlan.RED;
        summary = "Logout will send the expired id_token_hint with client_id; a strict OP will refuse it.";
        reason = why + "logout.expired-hint: send sends it anyway (the spec says OPs SHOULD accept it; strict OPs refuse).";
      }
    }
    return new LogoutPlan(send, light, summary, reason, exp, freshUntil, t.hasRefreshToken(), renewed, policy,
        endpoint.orElse(null), postLogoutRedirectUri, settings.revokeTokens());
  }

  private static String expiredPhrase(Instant exp, Instant now) {
    if (exp == null) {
      return "has no expiry";
    }
    return now.isBefore(exp) ? "expires at " + exp + " (too soon to rely on)" : "expired at " + exp;
  }
}
