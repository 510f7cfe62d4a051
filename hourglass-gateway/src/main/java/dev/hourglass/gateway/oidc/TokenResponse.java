package dev.hourglass.gateway.oidc;

/** A successful token endpoint answer (RFC 6749 §5.1), raw values as the OP sent them. */
public record TokenResponse(
    String accessToken,
    String tokenType,
    Long expiresIn,
    String refreshToken,
    Long refreshExpiresIn,
    String idToken,
    String scope) {

  @Override
  public String toString() {
    return "TokenResponse[tokenType=" + tokenType + ", expiresIn=" + expiresIn + ", refresh=" + (refreshToken != null)
        + ", idToken=" + (idToken != null) + "]";
  }
}
