package dev.hourglass.gateway.token;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.hourglass.core.model.TokenSet;
import dev.hourglass.gateway.oidc.TokenResponse;
import java.time.Instant;

/** Builds {@link TokenSet}s from token responses, on the gateway's clock. */
public final class Tokens {
  private Tokens() {}

  /**
   * The token set after a code exchange ({@code previous} null) or a refresh. Whatever the OP did
   * not send again (refresh token without rotation, ID token) is kept from {@code previous}.
   */
  public static TokenSet from(TokenResponse r, JWTClaimsSet idClaims, TokenSet previous, Instant now) {
    Instant atExp = r.expiresIn() == null ? null : now.plusSeconds(Math.max(0, r.expiresIn()));
    String idToken = r.idToken() != null ? r.idToken() : (previous == null ? null : previous.idToken());
    Instant idIat = idClaims != null && idClaims.getIssueTime() != null ? idClaims.getIssueTime().toInstant()
        : (previous == null ? null : previous.idTokenIssuedAt());
    Instant idExp = idClaims != null && idClaims.getExpirationTime() != null ? idClaims.getExpirationTime().toInstant()
        : (previous == null ? null : previous.idTokenExpiresAt());
    boolean rotated = r.refreshToken() != null;
    String rt = rotated ? r.refreshToken() : (previous == null ? null : previous.refreshToken());
    Instant rtExp = r.refreshExpiresIn() != null && r.refreshExpiresIn() > 0
        ? now.plusSeconds(r.refreshExpiresIn())
        : (rotated || previous == null ? null : previous.refreshTokenExpiresAt());
    return new TokenSet(r.accessToken(), r.tokenType(), r.scope() != null ? r.scope() : (previous == null ? null : previous.scope()),
        now, atExp, idToken, idIat, idExp, rt, rtExp, previous == null ? null : now);
  }
}
