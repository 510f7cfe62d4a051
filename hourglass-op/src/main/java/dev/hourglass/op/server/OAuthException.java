package dev.hourglass.op.server;

/** An OAuth error with its code and HTTP status, thrown inside a handler and answered as JSON. */
final class OAuthException extends RuntimeException {
  private final int status;
  private final String error;

  OAuthException(int status, String error, String description) {
    super(description, null, false, false);
    this.status = status;
    this.error = error;
  }

  static OAuthException invalidRequest(String description) {
    return new OAuthException(400, "invalid_request", description);
  }

  static OAuthException invalidGrant(String description) {
    return new OAuthException(400, "invalid_grant", description);
  }

  static OAuthException invalidClient(String description) {
    return new OAuthException(401, "invalid_client", description);
  }

  int status() {
    return status;
  }

  String error() {
    return error;
  }
}
