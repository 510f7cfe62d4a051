package dev.hourglass.core.jose;

/**
 * An ID token the relying party must refuse, with a stable reason code ({@code iss}, {@code aud},
 * {@code azp}, {@code exp}, {@code iat}, {@code nbf}, {@code nonce}, {@code sig}, {@code alg},
 * {@code kid}, {@code crit}, {@code sub}, {@code auth_time}, {@code malformed}, {@code jwks}).
 * The gateway logs it as {@code ID_TOKEN_REJECTED:<reason>}. The message never contains the token.
 */
public final class IdTokenRejectedException extends Exception {
  private final String reason;

  public IdTokenRejectedException(String reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }

  /** The event type the gateway records: {@code ID_TOKEN_REJECTED:<reason>}. */
  public String eventType() {
    return "ID_TOKEN_REJECTED:" + reason;
  }
}
