package dev.hourglass.op.server;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything the OP remembers, in memory. Validity is always decided on read from the caller's
 * {@code now}; {@link #purge} only drops entries long past any use.
 */
final class OpState {
  /** How long an ended or expired session is still "known" for an expired id_token_hint. */
  static final Duration RECENT_SESSION = Duration.ofHours(24);

  /** An OP login session (the cookie). */
  static final class Session {
    final String sid;
    final String username;
    final String sub;
    final Map<String, Object> claims;
    final Instant authTime;
    final Instant expiresAt;
    volatile Instant endedAt;
    /** Clients that received a code in this session: the receivers of logout notifications. */
    final Set<String> clients = ConcurrentHashMap.newKeySet();

    Session(String sid, String username, Map<String, Object> claims, Instant authTime, Instant expiresAt) {
      this.sid = sid;
      this.username = username;
      this.sub = String.valueOf(claims.get("sub"));
      this.claims = Map.copyOf(claims);
      this.authTime = authTime;
      this.expiresAt = expiresAt;
    }

    boolean activeAt(Instant now) {
      return endedAt == null && now.isBefore(expiresAt);
    }

    /** When the session stopped (ended or expired), or null if still active at {@code now}. */
    Instant stoppedAt(Instant now) {
      if (endedAt != null) {
        return endedAt.isBefore(expiresAt) ? endedAt : expiresAt;
      }
      return now.isBefore(expiresAt) ? null : expiresAt;
    }

    /** Active, or ended/expired within the last 24 hours. */
    boolean knownAt(Instant now) {
      Instant stopped = stoppedAt(now);
      return stopped == null || now.isBefore(stopped.plus(RECENT_SESSION));
    }
  }

  /** An authorization code and what it led to (for revocation on reuse). */
  static final class Code {
    final String code;
    final String clientId;
    final String redirectUri;
    final String scope;
    final String nonce;
    final String codeChallenge;
    final String sid;
    final Instant expiresAt;
    boolean used;
    String familyId;
    final Set<String> accessJtis = ConcurrentHashMap.newKeySet();

    Code(String code, String clientId, String redirectUri, String scope, String nonce, String codeChallenge,
        String sid, Instant expiresAt) {
      this.code = code;
      this.clientId = clientId;
      this.redirectUri = redirectUri;
      this.scope = scope;
      this.nonce = nonce;
      this.codeChallenge = codeChallenge;
      this.sid = sid;
      this.expiresAt = expiresAt;
    }
  }

  /** One grant: the chain of refresh tokens that descend from one code (RFC 9700 "family"). */
  static final class Family {
    final String id;
    final String clientId;
    final String sid;
    final String sub;
    final Map<String, Object> claims;
    final String scope;
    final Instant authTime;
    final Instant absoluteExpiry;
    /** Whether the first ID token had azp; Core 12.2 keeps it the same on renewal. */
    final boolean azp;
    volatile boolean revoked;
    volatile String currentToken;
    volatile Instant lastUsed;
    final Set<String> refreshTokens = ConcurrentHashMap.newKeySet();
    final Set<String> accessJtis = ConcurrentHashMap.newKeySet();

    Family(String id, String clientId, String sid, String sub, Map<String, Object> claims, String scope,
        Instant authTime, Instant createdAt, Instant absoluteExpiry, boolean azp) {
      this.id = id;
      this.clientId = clientId;
      this.sid = sid;
      this.sub = sub;
      this.claims = claims;
      this.scope = scope;
      this.authTime = authTime;
      this.absoluteExpiry = absoluteExpiry;
      this.azp = azp;
      this.lastUsed = createdAt;
    }
  }

  /** A refresh token; {@code rotated} once a newer token of its family was issued. */
  static final class Refresh {
    final String token;
    final String familyId;
    final Instant issuedAt;
    volatile boolean rotated;

    Refresh(String token, String familyId, Instant issuedAt) {
      this.token = token;
      this.familyId = familyId;
      this.issuedAt = issuedAt;
    }
  }

  /** An issued access token, keyed by jti (and by its handle when it is opaque). */
  static final class Access {
    final String jti;
    /** The token itself when the client gets opaque access tokens; null for a JWT. */
    final String handle;
    final String clientId;
    final String sub;
    final String scope;
    final String sid;
    final String familyId;
    final Map<String, Object> claims;
    final Instant iat;
    final Instant exp;
    volatile boolean revoked;

    Access(String jti, String handle, String clientId, String sub, String scope, String sid, String familyId,
        Map<String, Object> claims, Instant iat, Instant exp) {
      this.jti = jti;
      this.handle = handle;
      this.clientId = clientId;
      this.sub = sub;
      this.scope = scope;
      this.sid = sid;
      this.familyId = familyId;
      this.claims = claims;
      this.iat = iat;
      this.exp = exp;
    }
  }

  /** An authorization request waiting for the login form. */
  record LoginTx(String id, String clientId, String redirectUri, String scope, String state, String nonce,
      String codeChallenge, String loginHint, Instant expiresAt) {}

  /** A logout request waiting for the user's confirmation; {@code id} doubles as the CSRF token. */
  record LogoutTx(String id, String clientId, String redirectUri, String state, String logoutHint,
      String cookieSid, Instant expiresAt) {}

  final Map<String, Session> sessions = new ConcurrentHashMap<>();
  final Map<String, Code> codes = new ConcurrentHashMap<>();
  final Map<String, Family> families = new ConcurrentHashMap<>();
  final Map<String, Refresh> refreshTokens = new ConcurrentHashMap<>();
  final Map<String, Access> accessTokens = new ConcurrentHashMap<>();
  /** Opaque access tokens by handle (the same records as in {@link #accessTokens}). */
  final Map<String, Access> opaqueAccessTokens = new ConcurrentHashMap<>();
  final Map<String, LoginTx> logins = new ConcurrentHashMap<>();
  final Map<String, LogoutTx> logouts = new ConcurrentHashMap<>();

  /** Drops what nobody can use any more; a cleanup hint, never a correctness decision. */
  void purge(Instant now) {
    Instant longAgo = now.minus(RECENT_SESSION).minus(Duration.ofHours(1));
    sessions.values().removeIf(s -> !s.knownAt(now));
    codes.values().removeIf(c -> c.expiresAt.isBefore(longAgo));
    accessTokens.values().removeIf(a -> a.exp.isBefore(longAgo));
    opaqueAccessTokens.values().removeIf(a -> a.exp.isBefore(longAgo));
    families.values().removeIf(f -> {
      boolean gone = f.absoluteExpiry.isBefore(longAgo);
      if (gone) {
        f.refreshTokens.forEach(refreshTokens::remove);
      }
      return gone;
    });
    logins.values().removeIf(l -> l.expiresAt().isBefore(now));
    logouts.values().removeIf(l -> l.expiresAt().isBefore(now));
  }
}
