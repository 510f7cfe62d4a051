package dev.hourglass.gateway.logout;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * What RP-initiated logout would send to the OP for one session at one instant, and why: the
 * {@code logout} object of {@code /oauth2/session} and the lab's traffic light.
 *
 * @param wouldSend {@code id_token_hint} | {@code id_token_hint_after_refresh} |
 *     {@code expired_id_token_hint} | {@code client_id} | {@code none} (no end_session_endpoint)
 * @param light {@code green} (fresh hint), {@code amber} (refresh first), {@code red} (a strict OP
 *     will refuse, the OP will ask the user, or the OP session will not end)
 * @param summary one sentence for a person
 * @param reason why, with the times involved
 * @param idTokenExpiresAt the session's freshest ID token's {@code exp}, if any
 * @param freshUntil until when the ID token counts as fresh ({@code exp - clock-skew})
 * @param lastRefreshRenewedIdToken whether the last refresh brought a new ID token; null if there
 *     was no refresh yet
 */
public record LogoutPlan(
    String wouldSend,
    String light,
    String summary,
    String reason,
    Instant idTokenExpiresAt,
    Instant freshUntil,
    boolean refreshToken,
    Boolean lastRefreshRenewedIdToken,
    String expiredHintPolicy,
    String endSessionEndpoint,
    String postLogoutRedirectUri,
    boolean revokeTokens) {

  public static final String ID_TOKEN_HINT = "id_token_hint";
  public static final String ID_TOKEN_HINT_AFTER_REFRESH = "id_token_hint_after_refresh";
  public static final String EXPIRED_ID_TOKEN_HINT = "expired_id_token_hint";
  public static final String CLIENT_ID = "client_id";
  public static final String NONE = "none";

  public static final String GREEN = "green";
  public static final String AMBER = "amber";
  public static final String RED = "red";

  /** The JSON shape of {@code /oauth2/session}'s {@code logout} member; times as epoch seconds. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("would_send", wouldSend)
        .put("light", light)
        .put("summary", summary)
        .put("reason", reason)
        .put("id_token_expires_at", epoch(idTokenExpiresAt))
        .put("fresh_until", epoch(freshUntil))
        .put("refresh_token", refreshToken)
        .put("last_refresh_renewed_id_token", lastRefreshRenewedIdToken)
        .put("expired_hint_policy", expiredHintPolicy)
        .put("end_session_endpoint", endSessionEndpoint)
        .put("post_logout_redirect_uri", postLogoutRedirectUri)
        .put("revoke_tokens", revokeTokens);
  }

  private static Long epoch(Instant i) {
    return i == null ? null : i.getEpochSecond();
  }
}
