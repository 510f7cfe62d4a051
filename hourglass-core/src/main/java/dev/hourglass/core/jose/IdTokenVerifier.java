package dev.hourglass.core.jose;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.Nonce;
import dev.hourglass.core.clock.ClockTicker;
import io.vertx.core.Future;
import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Validates ID tokens per OpenID Connect Core 1.0 §3.1.3.7 (and §12.2 for tokens from a refresh)
 * on the injected clock. Every refusal is an {@link IdTokenRejectedException} with a precise reason.
 *
 * <p>Signature and claims go through Nimbus {@link DefaultJWTProcessor} with a claims verifier
 * built on {@link DefaultJWTClaimsVerifier} whose {@code currentTime()} reads our clock (never
 * Nimbus {@code IDTokenValidator}, which reads the system time). Steps that need a precise reason
 * (alg pinning, {@code crit}, key lookup) run before the processor.
 */
public final class IdTokenVerifier {
  /** An {@code exp} further ahead than this is refused: it is likely in milliseconds. */
  static final Duration MAX_FUTURE_EXP = Duration.ofDays(366);

  private final Clock clock;
  private final Issuer issuer;
  private final ClientID clientId;
  private final Set<JWSAlgorithm> allowedAlgs;
  private final Duration skew;
  private final JwksCache jwks;
  private final Cache<String, Boolean> usedNonces;

  /**
   * @param allowedAlgs the algorithms pinned for this provider (asymmetric only; {@code none} and
   *     HS* are refused at construction)
   * @param skew tolerated clock difference for exp, iat and nbf
   */
  public IdTokenVerifier(Clock clock, Issuer issuer, ClientID clientId, Set<JWSAlgorithm> allowedAlgs,
      Duration skew, JwksCache jwks) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.clientId = Objects.requireNonNull(clientId, "clientId");
    this.skew = Objects.requireNonNull(skew, "skew");
    this.jwks = Objects.requireNonNull(jwks, "jwks");
    if (allowedAlgs == null || allowedAlgs.isEmpty()) {
      throw new IllegalArgumentException("allowedAlgs: at least one algorithm must be pinned");
    }
    for (JWSAlgorithm a : allowedAlgs) {
      if (JwksCache.keyTypeFor(a) == null) {
        throw new IllegalArgumentException("allowedAlgs: " + a + " is not an asymmetric signature algorithm");
      }
    }
    this.allowedAlgs = Set.copyOf(allowedAlgs);
    if (skew.isNegative() || skew.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("skew: must be between 0 and 10m");
    }
    this.usedNonces = Caffeine.newBuilder()
        .ticker(new ClockTicker(clock))
        .expireAfterWrite(Duration.ofDays(2))
        .maximumSize(200_000)
        .build();
  }

  /** A validated token: its claims and header. */
  public record Verified(JWTClaimsSet claims, JWSHeader header) {}

  /**
   * Validates a token from the authorization-code exchange. The nonce is consumed: the same
   * nonce is refused the second time (Core 3.1.3.7 (11), replay).
   */
  public Future<Verified> verify(String idToken, Nonce expectedNonce) {
    Objects.requireNonNull(expectedNonce, "expectedNonce");
    return verifyInternal(idToken, claims -> checkLogin(claims, expectedNonce))
        .compose(v -> {
          // Single use: only the first successful validation with this nonce counts.
          if (usedNonces.asMap().putIfAbsent(expectedNonce.getValue(), Boolean.TRUE) != null) {
            return Future.failedFuture(new IdTokenRejectedException("nonce", "nonce was already used"));
          }
          return Future.succeededFuture(v);
        });
  }

  /**
   * Validates a token from a refresh grant (Core 12.2): the same checks, no nonce required (if
   * present it must equal the original's), and iss, sub, aud and auth_time as in {@code original}.
   */
  public Future<Verified> verifyRefreshed(String idToken, JWTClaimsSet original) {
    Objects.requireNonNull(original, "original");
    return verifyInternal(idToken, claims -> checkRefreshed(claims, original));
  }

  @FunctionalInterface
  private interface ExtraCheck {
    void check(JWTClaimsSet claims) throws IdTokenRejectedException;
  }

  private Future<Verified> verifyInternal(String idToken, ExtraCheck extra) {
    SignedJWT jwt;
    try {
      jwt = parse(idToken);
    } catch (IdTokenRejectedException e) {
      return Future.failedFuture(e);
    }
    JWSHeader header = jwt.getHeader();
    return jwks.candidates(header)
        .recover(e -> Future.failedFuture(new IdTokenRejectedException("jwks",
            "the provider's keys are not available: " + e.getMessage())))
        .compose(keys -> {
          try {
            return Future.succeededFuture(process(jwt, keys, extra));
          } catch (IdTokenRejectedException e) {
            return Future.failedFuture(e);
          }
        });
  }

  private SignedJWT parse(String idToken) throws IdTokenRejectedException {
    if (idToken == null || idToken.isEmpty()) {
      throw new IdTokenRejectedException("malformed", "no ID token in the token response");
    }
    if (idToken.length() > 64 * 1024) {
      throw new IdTokenRejectedException("malformed", "ID token larger than 64 KiB");
    }
    JWT parsed;
    try {
      parsed = JWTParser.parse(idToken);
    } catch (ParseException | RuntimeException e) {
      // Nimbus throws unchecked exceptions on some malformed headers (found by fuzzing: a JSON null header).
      throw new IdTokenRejectedException("malformed", "ID token is not a JWT: " + e.getMessage());
    }
    if (parsed instanceof PlainJWT) {
      throw new IdTokenRejectedException("alg", "unsigned ID token (alg none) refused");
    }
    if (!(parsed instanceof SignedJWT jwt)) {
      throw new IdTokenRejectedException("alg", "encrypted ID tokens are not supported");
    }
    JWSHeader h = jwt.getHeader();
    // Core 3.1.3.7 (7): alg must be what was registered; pinned per provider.
    if (!allowedAlgs.contains(h.getAlgorithm())) {
      throw new IdTokenRejectedException("alg", "alg " + h.getAlgorithm() + " is not pinned for this provider (allowed: "
          + allowedAlgs + ")");
    }
    // RFC 7515 4.1.11: a recipient must refuse crit parameters it does not understand; we understand none.
    if (h.getCriticalParams() != null && !h.getCriticalParams().isEmpty()) {
      throw new IdTokenRejectedException("crit", "unsupported critical header parameters " + h.getCriticalParams());
    }
    return jwt;
  }

  private Verified process(SignedJWT jwt, List<JWK> candidates, ExtraCheck extra) throws IdTokenRejectedException {
    if (candidates.isEmpty()) {
      String kid = jwt.getHeader().getKeyID();
      throw new IdTokenRejectedException("kid", kid == null
          ? "no key of the right type in the provider's JWKS"
          : "no key with kid '" + abbreviate(kid) + "' in the provider's JWKS (after one refetch)");
    }
    List<Key> keys = new ArrayList<>();
    for (JWK k : candidates) {
      try {
        if (k instanceof AsymmetricJWK a) {
          keys.add(a.toPublicKey());
        }
      } catch (JOSEException e) {
        // unusable key: skip it
      }
    }
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector((header, ctx) -> keys);
    processor.setJWTClaimsSetVerifier(new ClaimsVerifier(extra));
    try {
      JWTClaimsSet claims = processor.process(jwt, null);
      return new Verified(claims, jwt.getHeader());
    } catch (BadJOSEException e) {
      if (e instanceof Rejected r) {
        throw r.rejection;
      }
      if (e.getCause() instanceof Rejected r) {
        throw r.rejection;
      }
      if (e instanceof BadJWSException || (e.getMessage() != null && e.getMessage().contains("signature"))) {
        throw new IdTokenRejectedException("sig", "signature does not verify with the provider's keys");
      }
      if (e.getMessage() != null && e.getMessage().contains("no matching key")) {
        throw new IdTokenRejectedException("kid", "no usable key for this token");
      }
      throw new IdTokenRejectedException("malformed", e.getMessage());
    } catch (JOSEException e) {
      throw new IdTokenRejectedException("sig", "signature check failed: " + e.getMessage());
    } catch (RuntimeException e) {
      throw new IdTokenRejectedException("malformed", "ID token could not be processed: " + e.getClass().getSimpleName());
    }
  }

  /** Carries a precise rejection through Nimbus's processor. */
  private static final class Rejected extends BadJWTException {
    final IdTokenRejectedException rejection;

    Rejected(IdTokenRejectedException rejection) {
      super(rejection.getMessage());
      this.rejection = rejection;
    }
  }

  /** Core 3.1.3.7 claim checks on our clock, with precise reasons. */
  private final class ClaimsVerifier extends DefaultJWTClaimsVerifier<SecurityContext> {
    private final ExtraCheck extra;

    ClaimsVerifier(ExtraCheck extra) {
      super(null, null, Set.of(), Set.of());
      this.extra = extra;
      setMaxClockSkew((int) skew.toSeconds());
    }

    @Override
    protected Date currentTime() {
      return Date.from(clock.instant());
    }

    @Override
    public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
      try {
        checkCommon(claims, currentTime().toInstant());
        extra.check(claims);
      } catch (IdTokenRejectedException e) {
        throw new Rejected(e);
      }
      // Backstop: Nimbus's own exp/nbf checks with the same clock and skew.
      super.verify(claims, context);
    }
  }

  private void checkCommon(JWTClaimsSet c, Instant now) throws IdTokenRejectedException {
    // Core 3.1.3.7 (2): iss must exactly match the provider's issuer.
    if (!issuer.getValue().equals(c.getIssuer())) {
      throw new IdTokenRejectedException("iss", "iss '" + abbreviate(c.getIssuer()) + "' is not the provider's issuer '"
          + issuer.getValue() + "'");
    }
    // Core 2: sub is required, non-empty, at most 255 ASCII characters.
    String sub = c.getSubject();
    if (sub == null || sub.isEmpty() || sub.length() > 255) {
      throw new IdTokenRejectedException("sub", "sub is missing or longer than 255 characters");
    }
    // Core 3.1.3.7 (3): aud must contain our client_id; extra audiences we do not trust are refused.
    List<String> aud = c.getAudience();
    if (aud == null || aud.isEmpty() || !aud.contains(clientId.getValue())) {
      throw new IdTokenRejectedException("aud", "aud does not contain client_id '" + clientId.getValue() + "'");
    }
    if (aud.stream().anyMatch(a -> !a.equals(clientId.getValue()))) {
      throw new IdTokenRejectedException("aud", "aud contains an audience that is not trusted");
    }
    // Core 3.1.3.7 (4), (5): with several audiences azp is required; when present it must be our client_id.
    Object azp = c.getClaim("azp");
    if (aud.size() > 1 && azp == null) {
      throw new IdTokenRejectedException("azp", "several audiences and no azp");
    }
    if (azp != null && !clientId.getValue().equals(azp)) {
      throw new IdTokenRejectedException("azp", "azp is not our client_id");
    }
    // Core 3.1.3.7 (9): now must be before exp (plus skew).
    Date exp = c.getExpirationTime();
    if (exp == null) {
      throw new IdTokenRejectedException("exp", "exp is missing");
    }
    if (!now.isBefore(exp.toInstant().plus(skew))) {
      throw new IdTokenRejectedException("exp", "token expired at " + exp.toInstant() + " (now " + now + ", skew " + skew + ")");
    }
    if (exp.toInstant().isAfter(now.plus(MAX_FUTURE_EXP))) {
      throw new IdTokenRejectedException("exp", "exp is implausibly far in the future (milliseconds instead of seconds?)");
    }
    // Core 3.1.3.7 (10): iat is required and must not be in the future (beyond skew).
    Date iat = c.getIssueTime();
    if (iat == null) {
      throw new IdTokenRejectedException("iat", "iat is missing");
    }
    if (iat.toInstant().isAfter(now.plus(skew))) {
      throw new IdTokenRejectedException("iat", "iat " + iat.toInstant() + " is in the future (now " + now + ")");
    }
    // RFC 7519 4.1.5: not before.
    Date nbf = c.getNotBeforeTime();
    if (nbf != null && nbf.toInstant().isAfter(now.plus(skew))) {
      throw new IdTokenRejectedException("nbf", "nbf " + nbf.toInstant() + " is in the future (now " + now + ")");
    }
  }

  private static void checkLogin(JWTClaimsSet c, Nonce expected) throws IdTokenRejectedException {
    // Core 3.1.3.7 (11): nonce must equal the one we sent.
    Object nonce = c.getClaim("nonce");
    if (!(nonce instanceof String s) || !s.equals(expected.getValue())) {
      throw new IdTokenRejectedException("nonce", nonce == null ? "nonce is missing" : "nonce does not match the login transaction");
    }
  }

  private static void checkRefreshed(JWTClaimsSet c, JWTClaimsSet original) throws IdTokenRejectedException {
    // Core 12.2: iss, sub and aud must be the same as in the original ID token.
    if (!Objects.equals(c.getIssuer(), original.getIssuer())) {
      throw new IdTokenRejectedException("iss", "refreshed ID token has a different iss");
    }
    if (!Objects.equals(c.getSubject(), original.getSubject())) {
      throw new IdTokenRejectedException("sub", "refreshed ID token has a different sub");
    }
    if (!Set.copyOf(nullSafe(c.getAudience())).equals(Set.copyOf(nullSafe(original.getAudience())))) {
      throw new IdTokenRejectedException("aud", "refreshed ID token has a different aud");
    }
    // Core 12.2: auth_time, if present, must be the original authentication's.
    Object at = c.getClaim("auth_time");
    Object originalAt = original.getClaim("auth_time");
    if (at != null && originalAt != null && !String.valueOf(at).equals(String.valueOf(originalAt))) {
      throw new IdTokenRejectedException("auth_time", "refreshed ID token has a different auth_time");
    }
    // Core 12.2: it SHOULD NOT have a nonce; if it does, it must be the original's.
    Object nonce = c.getClaim("nonce");
    if (nonce != null && !nonce.equals(original.getClaim("nonce"))) {
      throw new IdTokenRejectedException("nonce", "refreshed ID token has a different nonce");
    }
  }

  private static List<String> nullSafe(List<String> l) {
    return l == null ? List.of() : l;
  }

  private static String abbreviate(String s) {
    if (s == null) return "null";
    String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
    return clean.length() > 80 ? clean.substring(0, 80) + "…" : clean;
  }
}
