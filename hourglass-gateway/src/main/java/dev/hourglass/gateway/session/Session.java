package dev.hourglass.gateway.session;

import dev.hourglass.core.model.TokenSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One logged-in browser session, as the store keeps it (encrypted at rest).
 *
 * @param id the opaque random session id; the cookie carries it, stores key by a MAC of it
 * @param createdAt login time; with the max lifetime this gives the absolute expiry
 * @param lastSeenAt last authenticated request; with the idle timeout this gives the idle expiry
 * @param subject the OP's {@code sub}
 * @param opSessionId the OP's {@code sid} claim from the ID token, if any (for back/front-channel logout)
 * @param issuer the OP issuer that authenticated this session
 * @param idTokenClaims the claims of the freshest validated ID token
 * @param userinfo the claims from the userinfo endpoint (empty if not fetched)
 * @param version bumped on every save; stores may use it to refuse a stale overwrite
 */
public record Session(
    String id,
    Instant createdAt,
    Instant lastSeenAt,
    String subject,
    String opSessionId,
    String issuer,
    TokenSet tokens,
    Map<String, Object> idTokenClaims,
    Map<String, Object> userinfo,
    long version) {

  public Session {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(lastSeenAt, "lastSeenAt");
    Objects.requireNonNull(tokens, "tokens");
    idTokenClaims = Collections.unmodifiableMap(new LinkedHashMap<>(idTokenClaims == null ? Map.of() : idTokenClaims));
    userinfo = Collections.unmodifiableMap(new LinkedHashMap<>(userinfo == null ? Map.of() : userinfo));
  }

  /** When the session ends for lack of use; null when the idle timeout is disabled (zero). */
  public Instant idleExpiresAt(Duration idleTimeout) {
    return idleTimeout == null || idleTimeout.isZero() ? null : lastSeenAt.plus(idleTimeout);
  }

  /** When the session ends whatever happens; null when the max lifetime is disabled (zero). */
  public Instant maxExpiresAt(Duration maxLifetime) {
    return maxLifetime == null || maxLifetime.isZero() ? null : createdAt.plus(maxLifetime);
  }

  public Session withTokens(TokenSet newTokens, Map<String, Object> newIdTokenClaims) {
    return new Session(id, createdAt, lastSeenAt, subject, opSessionId, issuer, newTokens,
        newIdTokenClaims == null ? idTokenClaims : newIdTokenClaims, userinfo, version + 1);
  }

  public Session withLastSeenAt(Instant now) {
    return new Session(id, createdAt, now, subject, opSessionId, issuer, tokens, idTokenClaims, userinfo, version + 1);
  }

  public Session withUserinfo(Map<String, Object> newUserinfo) {
    return new Session(id, createdAt, lastSeenAt, subject, opSessionId, issuer, tokens, idTokenClaims, newUserinfo, version + 1);
  }

  @Override
  public String toString() {
    // Never print tokens or the raw id.
    return "Session[sub=" + subject + ", sid=" + opSessionId + ", createdAt=" + createdAt + ", lastSeenAt=" + lastSeenAt + "]";
  }
}
