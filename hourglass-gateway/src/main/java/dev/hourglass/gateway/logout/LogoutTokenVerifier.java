package dev.hourglass.gateway.logout;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import dev.hourglass.core.clock.ClockTicker;
import dev.hourglass.core.jose.JwksCache;
import io.vertx.core.Future;
import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Validates back-channel logout tokens per OpenID Connect Back-Channel Logout 1.0 §2.6, on the
 * injected clock. Every refusal is a {@link LogoutTokenRejectedException} with a precise reason.
 *
 * <p>Keys come from the provider's {@link JwksCache} (an unknown {@code kid} triggers its one
 * rate-limited refetch); the algorithm must be one pinned for the provider ({@code none} and
 * HS* never are). A token's {@code jti} is remembered until the token's own {@code exp} plus the
 * skew (a Caffeine cache on a {@link ClockTicker}): after that the token is refused as expired
 * anyway, so a replay is caught for its whole useful life.
 */
public final class LogoutTokenVerifier {
  public static final String BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout";
  /** Larger tokens are refused unread. */
  public static final int MAX_TOKEN_CHARS = 16 * 1024;
  /** Same bound as for ID tokens: an {@code exp} further ahead is likely milliseconds. */
  static final Duration MAX_FUTURE_EXP = Duration.ofDays(366);
  static final int REPLAY_CACHE_SIZE = 100_000;

  /** A valid logout token: who to log out. */
  public record Verified(String issuer, String subject, String sid, String jti, Instant expiresAt) {}

  private final Clock clock;
  private final String issuer;
  private final String clientId;
  private final Set<JWSAlgorithm> algs;
  private final Duration skew;
  private final Supplier<JwksCache> jwks;
  private final Cache<String, Instant> seen;

  /**
   * @param algs the algorithms pinned for the provider (config {@code provider.alg})
   * @param jwks the provider's key cache (null until discovery has loaded it)
   */
  public LogoutTokenVerifier(Clock clock, String issuer, String clientId, Set<JWSAlgorithm> algs, Duration skew,
      Supplier<JwksCache> jwks) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.clientId = Objects.requireNonNull(clientId, "clientId");
    this.skew = Objects.requireNonNull(skew, "skew");
    this.jwks = Objects.requireNonNull(jwks, "jwks");
    if (algs == null || algs.isEmpty()) {
      throw new IllegalArgumentException("algs: pin at least one algorithm");
    }
    for (JWSAlgorithm a : algs) {
      if (!JWSAlgorithm.Family.RSA.contains(a) && !JWSAlgorithm.Family.EC.contains(a)) {
        throw new IllegalArgumentException("algs: " + a + " is not an asymmetric signature algorithm");
      }
    }
    this.algs = Set.copyOf(algs);
    this.seen = Caffeine.newBuilder()
        .ticker(new ClockTicker(clock))
        .maximumSize(REPLAY_CACHE_SIZE)
        .expireAfter(new Expiry<String, Instant>() {
          @Override
          public long expireAfterCreate(String key, Instant retainUntil, long currentTime) {
            long nanos = Duration.between(clock.instant(), retainUntil).toNanos();
            return Math.max(1, nanos);
          }

          @Override
          public long expireAfterUpdate(String key, Instant retainUntil, long currentTime, long currentDuration) {
            return currentDuration;
          }

          @Override
          public long expireAfterRead(String key, Instant retainUntil, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .build();
  }

  /** Validates {@code token} at {@code now}; on success its jti is recorded (a second use is a replay). */
  public Future<Verified> verify(String token, Instant now) {
    SignedJWT jwt;
    try {
      jwt = parse(token);
    } catch (LogoutTokenRejectedException e) {
      return Future.failedFuture(e);
    }
    JwksCache keys = jwks.get();
    if (keys == null) {
      return Future.failedFuture(new LogoutTokenRejectedException("jwks", "the provider's keys are not loaded yet"));
    }
    return keys.candidates(jwt.getHeader())
        .recover(e -> Future.failedFuture(new LogoutTokenRejectedException("jwks",
            "the provider's keys are not available: " + e.getMessage())))
        .compose(candidates -> {
          try {
            checkSignature(jwt, candidates);
            return Future.succeededFuture(checkClaims(jwt, now));
          } catch (LogoutTokenRejectedException e) {
            return Future.failedFuture(e);
          }
        });
  }

  private SignedJWT parse(String token) throws LogoutTokenRejectedException {
    if (token == null || token.isEmpty()) {
      throw new LogoutTokenRejectedException("malformed", "no logout_token");
    }
    if (token.length() > MAX_TOKEN_CHARS) {
      throw new LogoutTokenRejectedException("malformed", "logout_token larger than " + MAX_TOKEN_CHARS + " characters");
    }
    JWT parsed;
    try {
      parsed = JWTParser.parse(token);
    } catch (ParseException | RuntimeException e) {
      throw new LogoutTokenRejectedException("malformed", "logout_token is not a JWT");
    }
    // §2.6 (3): alg none MUST NOT be used.
    if (parsed instanceof PlainJWT) {
      throw new LogoutTokenRejectedException("alg", "unsigned logout token (alg none) refused");
    }
    if (!(parsed instanceof SignedJWT jwt)) {
      throw new LogoutTokenRejectedException("alg", "encrypted logout tokens are not supported");
    }
    JWSHeader h = jwt.getHeader();
    // §2.6 (3): alg validated as for ID tokens — pinned per provider; HS* never is.
    if (!algs.contains(h.getAlgorithm())) {
      throw new LogoutTokenRejectedException("alg", "alg " + h.getAlgorithm() + " is not pinned for this provider (allowed: "
          + algs + ")");
    }
    // §2.4 explicit typing: when typ is present it must be logout+jwt (an ID token, typ JWT, is refused here).
    JOSEObjectType typ = h.getType();
    if (typ != null) {
      String t = typ.getType().toLowerCase(Locale.ROOT);
      if (!t.equals("logout+jwt") && !t.equals("application/logout+jwt")) {
        throw new LogoutTokenRejectedException("typ", "typ '" + abbreviate(typ.getType()) + "' is not logout+jwt");
      }
    }
    // RFC 7515 4.1.11: we understand no critical header parameters.
    if (h.getCriticalParams() != null && !h.getCriticalParams().isEmpty()) {
      throw new LogoutTokenRejectedException("crit", "unsupported critical header parameters");
    }
    return jwt;
  }

  private void checkSignature(SignedJWT jwt, List<JWK> candidates) throws LogoutTokenRejectedException {
    if (candidates.isEmpty()) {
      String kid = jwt.getHeader().getKeyID();
      throw new LogoutTokenRejectedException("kid", kid == null
          ? "no key of the right type in the provider's JWKS"
          : "no key with kid '" + abbreviate(kid) + "' in the provider's JWKS (after one refetch)");
    }
    DefaultJWSVerifierFactory factory = new DefaultJWSVerifierFactory();
    for (JWK k : candidates) {
      try {
        if (k instanceof AsymmetricJWK a) {
          Key key = a.toPublicKey();
          JWSVerifier v = factory.createJWSVerifier(jwt.getHeader(), key);
          if (jwt.verify(v)) {
            return;
          }
        }
      } catch (JOSEException | RuntimeException e) {
        // unusable key for this token: try the next one
      }
    }
    throw new LogoutTokenRejectedException("sig", "signature does not verify with the provider's keys");
  }

  private Verified checkClaims(SignedJWT jwt, Instant now) throws LogoutTokenRejectedException {
    JWTClaimsSet c;
    try {
      c = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new LogoutTokenRejectedException("malformed", "the claims are not a JSON object");
    }
    // §2.6 (4): iss, aud, iat, exp as for ID tokens (Core 3.1.3.7).
    if (!issuer.equals(c.getIssuer())) {
      throw new LogoutTokenRejectedException("iss", "iss '" + abbreviate(c.getIssuer()) + "' is not the provider's issuer");
    }
    List<String> aud = c.getAudience();
    if (aud == null || !aud.contains(clientId)) {
      throw new LogoutTokenRejectedException("aud", "aud does not contain client_id '" + clientId + "'");
    }
    Date exp = c.getExpirationTime();
    if (exp == null) {
      throw new LogoutTokenRejectedException("exp", "exp is missing");
    }
    if (!now.isBefore(exp.toInstant().plus(skew))) {
      throw new LogoutTokenRejectedException("exp", "token expired at " + exp.toInstant() + " (now " + now + ", skew " + skew + ")");
    }
    if (exp.toInstant().isAfter(now.plus(MAX_FUTURE_EXP))) {
      throw new LogoutTokenRejectedException("exp", "exp is implausibly far in the future");
    }
    Date iat = c.getIssueTime();
    if (iat == null) {
      throw new LogoutTokenRejectedException("iat", "iat is missing");
    }
    if (iat.toInstant().isAfter(now.plus(skew))) {
      throw new LogoutTokenRejectedException("iat", "iat " + iat.toInstant() + " is in the future (now " + now + ")");
    }
    // §2.6 (6): events must be a JSON object with the back-channel logout member, itself an object.
    Object events = c.getClaim("events");
    if (!(events instanceof Map<?, ?> ev) || !(ev.get(BACKCHANNEL_EVENT) instanceof Map)) {
      throw new LogoutTokenRejectedException("events", events == null ? "events is missing"
          : "events has no " + BACKCHANNEL_EVENT + " object");
    }
    // §2.6 (7): a nonce marks an ID token, never a logout token.
    if (c.getClaim("nonce") != null) {
      throw new LogoutTokenRejectedException("nonce", "a logout token must not contain nonce");
    }
    // §2.6 (5): sub, sid or both.
    String sub = string(c, "sub");
    String sid = string(c, "sid");
    if ((sub == null || sub.isEmpty()) && (sid == null || sid.isEmpty())) {
      throw new LogoutTokenRejectedException("sub_sid", "neither sub nor sid is present");
    }
    // §2.4: jti is required; §2.6 (8): and not seen before.
    String jti = string(c, "jti");
    if (jti == null || jti.isEmpty() || jti.length() > 256) {
      throw new LogoutTokenRejectedException("jti", "jti is missing or longer than 256 characters");
    }
    backstop(c, now);
    Instant retainUntil = exp.toInstant().plus(skew);
    if (seen.asMap().putIfAbsent(issuer + "\n" + jti, retainUntil) != null) {
      throw new LogoutTokenRejectedException("replay", "this logout token (jti) was already used");
    }
    return new Verified(issuer, sub == null || sub.isEmpty() ? null : sub, sid == null || sid.isEmpty() ? null : sid,
        jti, exp.toInstant());
  }

  /** Nimbus's own claim checks on our clock, as a second line behind the precise ones above. */
  private void backstop(JWTClaimsSet c, Instant now) throws LogoutTokenRejectedException {
    DefaultJWTClaimsVerifier<SecurityContext> v = new DefaultJWTClaimsVerifier<SecurityContext>(Set.of(clientId),
        new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("iat", "exp", "jti", "events"), Set.of("nonce")) {
      @Override
      protected Date currentTime() {
        return Date.from(now);
      }
    };
    v.setMaxClockSkew((int) skew.toSeconds());
    try {
      v.verify(c, null);
    } catch (BadJWTException e) {
      throw new LogoutTokenRejectedException("malformed", "claims refused: " + e.getMessage());
    }
  }

  private static String string(JWTClaimsSet c, String name) throws LogoutTokenRejectedException {
    Object v = c.getClaim(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw new LogoutTokenRejectedException(name.equals("jti") ? "jti" : "sub_sid", name + " is not a string");
    }
    return s;
  }

  private static String abbreviate(String s) {
    if (s == null) return "null";
    String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
    return clean.length() > 80 ? clean.substring(0, 80) + "…" : clean;
  }
}
