package dev.hourglass.gateway.logout;

/**
 * A logout token the gateway must refuse, with a stable reason ({@code malformed}, {@code alg},
 * {@code typ}, {@code crit}, {@code kid}, {@code jwks}, {@code sig}, {@code iss}, {@code aud},
 * {@code exp}, {@code iat}, {@code events}, {@code nonce}, {@code sub_sid}, {@code jti},
 * {@code replay}). Recorded as {@code BACKCHANNEL_REJECTED:<reason>}; the message never holds the token.
 */
public final class LogoutTokenRejectedException extends Exception {
  private final String reason;

  public LogoutTokenRejectedException(String reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
