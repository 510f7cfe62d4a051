package dev.hourglass.core.model;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The tokens a relying party holds for one login, with the times that drive the lifecycle.
 * Times come from the tokens themselves where they carry them (JWT {@code iat}/{@code exp}),
 * else from the token response ({@code expires_in} on the RP's clock). Null means unknown or
 * absent: not every OP issues refresh tokens or says when they expire.
 *
 * @param accessTokenIssuedAt when the access token was issued (or received)
 * @param accessTokenExpiresAt when the access token expires; null if the OP did not say
 * @param idTokenIssuedAt the ID token's {@code iat}
 * @param idTokenExpiresAt the ID token's {@code exp}
 * @param refreshTokenExpiresAt when the refresh token expires, if known (JWT exp or
 *     {@code refresh_expires_in})
 * @param refreshedAt when the last refresh grant succeeded; null if never refreshed
 */
public record TokenSet(
    String accessToken,
    String tokenType,
    String scope,
    Instant accessTokenIssuedAt,
    Instant accessTokenExpiresAt,
    String idToken,
    Instant idTokenIssuedAt,
    Instant idTokenExpiresAt,
    String refreshToken,
    Instant refreshTokenExpiresAt,
    Instant refreshedAt) {

  public boolean hasRefreshToken() {
    return refreshToken != null && !refreshToken.isEmpty();
  }

  /** True when the access token is known to be expired at {@code now}. */
  public boolean accessTokenExpired(Instant now) {
    return accessTokenExpiresAt != null && !now.isBefore(accessTokenExpiresAt);
  }

  /** True when the ID token is expired at {@code now}, allowing {@code skew}. */
  public boolean idTokenExpired(Instant now, Duration skew) {
    return idTokenExpiresAt != null && !now.isBefore(idTokenExpiresAt.plus(skew));
  }

  /**
   * When the gateway should refresh: {@code refreshLead} before the access token expires.
   * Empty when the expiry is unknown or there is nothing to refresh with.
   */
  public Optional<Instant> nextRefreshAt(Duration refreshLead) {
    if (accessTokenExpiresAt == null || !hasRefreshToken()) {
      return Optional.empty();
    }
    return Optional.of(accessTokenExpiresAt.minus(refreshLead));
  }

  /** True when {@code now} has reached the refresh point. */
  public boolean refreshDue(Instant now, Duration refreshLead) {
    return nextRefreshAt(refreshLead).map(at -> !now.isBefore(at)).orElse(false);
  }
}
