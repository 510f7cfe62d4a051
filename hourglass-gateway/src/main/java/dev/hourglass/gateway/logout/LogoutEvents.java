package dev.hourglass.gateway.logout;

/** The event types (reason codes) logout records; see {@code docs/logout.md}. */
public final class LogoutEvents {
  private LogoutEvents() {}

  /** RP-initiated: the gateway session was destroyed (always first). */
  public static final String LOGOUT_LOCAL = "LOGOUT_LOCAL";
  /** Sign-out without a session: straight to the validated target. */
  public static final String LOGOUT_NO_SESSION = "LOGOUT_NO_SESSION";
  /** Not same-origin and no valid CSRF token: the confirmation page was shown ({@code :<why>}). */
  public static final String LOGOUT_CONFIRM_REQUIRED = "LOGOUT_CONFIRM_REQUIRED";
  /** A POST carried a CSRF token that is not this session's: nobody is logged out. */
  public static final String LOGOUT_CSRF_REJECTED = "LOGOUT_CSRF_REJECTED";
  /** The ID token was fresh: sent as id_token_hint. */
  public static final String LOGOUT_HINT_FRESH = "LOGOUT_HINT_FRESH";
  /** The ID token had expired; a refresh renewed it and the new one was sent. */
  public static final String LOGOUT_HINT_REFRESHED = "LOGOUT_HINT_REFRESHED";
  /** No valid ID token; logout.expired-hint: send — the expired hint went with client_id. */
  public static final String LOGOUT_HINT_EXPIRED_SENT = "LOGOUT_HINT_EXPIRED_SENT";
  /** No valid ID token; logout.expired-hint: omit — client_id + logout_hint, no hint. */
  public static final String LOGOUT_HINT_OMITTED_EXPIRED = "LOGOUT_HINT_OMITTED_EXPIRED";
  /** The session has no ID token at all: client_id (+ logout_hint). */
  public static final String LOGOUT_HINT_FALLBACK_CLIENT_ID = "LOGOUT_HINT_FALLBACK_CLIENT_ID";
  /** The OP has no end_session_endpoint (or discovery is not loaded): local logout only. */
  public static final String LOGOUT_NO_END_SESSION_ENDPOINT = "LOGOUT_NO_END_SESSION_ENDPOINT";
  /** Unexpected failure while building the end-session request: local logout only. */
  public static final String LOGOUT_FAILED = "LOGOUT_FAILED";
  /** RFC 7009 revocation after the redirect was built. */
  public static final String TOKEN_REVOKED = "TOKEN_REVOKED";
  public static final String REVOKE_FAILED = "REVOKE_FAILED";
  public static final String BACKCHANNEL_LOGOUT = "BACKCHANNEL_LOGOUT";
  public static final String BACKCHANNEL_REJECTED = "BACKCHANNEL_REJECTED";
  public static final String FRONTCHANNEL_LOGOUT = "FRONTCHANNEL_LOGOUT";
  public static final String FRONTCHANNEL_IGNORED = "FRONTCHANNEL_IGNORED";
}
