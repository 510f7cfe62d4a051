package dev.hourglass.gateway.oidc;

/**
 * An OAuth error answer from the OP's token endpoint ({@code invalid_grant} …), or
 * {@code op_unreachable} / {@code invalid_response} when there was no usable answer. Keeps its
 * OAuth meaning so the gateway can say what it does next.
 */
public final class OAuthError extends RuntimeException {
  private final String error;
  private final int status;

  public OAuthError(String error, String description, int status) {
    super(description == null ? error : error + ": " + description, null, false, false);
    this.error = error;
    this.status = status;
  }

  /** The OAuth {@code error} code, or {@code op_unreachable} / {@code invalid_response}. */
  public String error() {
    return error;
  }

  /** The HTTP status the OP answered, 0 when it did not answer. */
  public int status() {
    return status;
  }

  /** True when the OP could not be reached or failed (5xx): the grant may still be fine. */
  public boolean opUnavailable() {
    return "op_unreachable".equals(error) || status >= 500;
  }
}
