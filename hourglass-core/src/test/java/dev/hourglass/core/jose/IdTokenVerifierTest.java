package dev.hourglass.core.jose;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.Nonce;
import dev.hourglass.core.clock.ControllableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OIDC Core 3.1.3.7 / 12.2 on a controllable clock, with a real JWKS endpoint. */
class IdTokenVerifierTest {
  static final String ISS = "https://op.example.test";
  static final String CLIENT = "gateway";
  static final Duration SKEW = Duration.ofSeconds(60);

  static Vertx vertx;
  static HttpServer jwksServer;
  static RSAKey rsa;
  static RSAKey rsa2;
  static ECKey ec;
  static final AtomicReference<JWKSet> published = new AtomicReference<>();
  static final AtomicInteger fetches = new AtomicInteger();
  static final AtomicInteger otherRequests = new AtomicInteger();

  ControllableClock clock;
  JwksCache jwks;
  IdTokenVerifier verifier;

  @BeforeAll
  static void startJwks() throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("k1").generate();
    rsa2 = new RSAKeyGenerator(2048).keyID("k2").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("e1").generate();
    vertx = Vertx.vertx();
    jwksServer = await(vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/jwks")) {
        fetches.incrementAndGet();
        req.response().putHeader("Content-Type", "application/json").end(published.get().toPublicJWKSet().toString());
      } else {
        otherRequests.incrementAndGet();
        req.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1"));
  }

  @AfterAll
  static void stop() {
    await(vertx.close());
  }

  @BeforeEach
  void setUp() {
    published.set(new JWKSet(List.of(rsa, ec)));
    fetches.set(0);
    otherRequests.set(0);
    clock = ControllableClock.startingAt(Instant.parse("2030-01-01T00:00:00Z"));
    BoundedHttp http = new BoundedHttp(vertx, vertx.createHttpClient(), Duration.ofSeconds(5), 512 * 1024);
    jwks = new JwksCache(http, clock, "http://127.0.0.1:" + jwksServer.actualPort() + "/jwks", Duration.ofSeconds(30));
    verifier = new IdTokenVerifier(clock, new Issuer(ISS), new ClientID(CLIENT), Set.of(JWSAlgorithm.RS256), SKEW, jwks);
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  JWTClaimsSet.Builder claims(String nonce) {
    Instant now = clock.instant();
    return new JWTClaimsSet.Builder().issuer(ISS).subject("alice").audience(CLIENT)
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofHours(1))))
        .claim("nonce", nonce);
  }

  String sign(JWTClaimsSet c) {
    return sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), c, rsa);
  }

  static String sign(JWSHeader h, JWTClaimsSet c, JWK key) {
    try {
      SignedJWT jwt = new SignedJWT(h, c);
      if (key instanceof RSAKey r) jwt.sign(new RSASSASigner(r));
      else if (key instanceof ECKey e) jwt.sign(new ECDSASigner(e));
      return jwt.serialize();
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  /** The reason the token is refused, or "accepted". */
  String verdict(String token, String nonce) {
    try {
      await(verifier.verify(token, new Nonce(nonce)));
      return "accepted";
    } catch (RuntimeException e) {
      Throwable c = e.getCause() instanceof java.util.concurrent.ExecutionException x ? x.getCause() : e.getCause();
      if (c instanceof IdTokenRejectedException r) return r.reason();
      throw e;
    }
  }

  String verdictOf(Consumer<JWTClaimsSet.Builder> change) {
    String nonce = "n-" + System.nanoTime();
    JWTClaimsSet.Builder b = claims(nonce);
    change.accept(b);
    return verdict(sign(b.build()), nonce);
  }

  @Test
  void aGenuineTokenIsAcceptedOnceAndItsNonceNotAgain() {
    String token = sign(claims("n1").build());
    assertThat(verdict(token, "n1")).isEqualTo("accepted");
    assertThat(verdict(token, "n1")).isEqualTo("nonce");
  }

  @Test
  void claimProblemsHavePreciseReasons() {
    assertThat(verdictOf(b -> b.issuer(ISS + "/"))).isEqualTo("iss");
    assertThat(verdictOf(b -> b.issuer("HTTPS://op.example.test"))).isEqualTo("iss");
    assertThat(verdictOf(b -> b.issuer(ISS + ".evil"))).isEqualTo("iss");
    assertThat(verdictOf(b -> b.subject(null))).isEqualTo("sub");
    assertThat(verdictOf(b -> b.audience("someone-else"))).isEqualTo("aud");
    assertThat(verdictOf(b -> b.audience((String) null))).isEqualTo("aud");
    assertThat(verdictOf(b -> b.audience(List.of(CLIENT, "untrusted")).claim("azp", CLIENT))).isEqualTo("aud");
    assertThat(verdictOf(b -> b.claim("azp", "other"))).isEqualTo("azp");
    assertThat(verdictOf(b -> b.issueTime(null))).isEqualTo("iat");
    assertThat(verdictOf(b -> b.issueTime(Date.from(clock.instant().plus(Duration.ofMinutes(5)))))).isEqualTo("iat");
    assertThat(verdictOf(b -> b.expirationTime(null))).isEqualTo("exp");
    assertThat(verdictOf(b -> b.expirationTime(Date.from(clock.instant().minus(Duration.ofMinutes(5)))))).isEqualTo("exp");
    assertThat(verdictOf(b -> b.expirationTime(new Date(clock.instant().plus(Duration.ofHours(1)).toEpochMilli() * 1000)))).isEqualTo("exp");
    assertThat(verdictOf(b -> b.notBeforeTime(Date.from(clock.instant().plus(Duration.ofMinutes(5)))))).isEqualTo("nbf");
    assertThat(verdictOf(b -> b.claim("nonce", "other"))).isEqualTo("nonce");
    assertThat(verdictOf(b -> b.claim("nonce", null))).isEqualTo("nonce");
  }

  @Test
  void expiryIsDecidedOnTheInjectedClockWithSkew() {
    String token = sign(claims("b1").build());
    Instant exp = clock.instant().plus(Duration.ofHours(1));
    clock.set(exp.plus(SKEW).minusMillis(1));
    assertThat(verdict(token, "b1")).isEqualTo("accepted");
    String token2 = sign(new JWTClaimsSet.Builder(claims("b2").build()).issueTime(Date.from(exp.minus(Duration.ofHours(1))))
        .expirationTime(Date.from(exp)).build());
    clock.set(exp.plus(SKEW));
    assertThat(verdict(token2, "b2")).isEqualTo("exp");
  }

  @Test
  void signatureAndHeaderAttacksAreRefused() throws Exception {
    String good = sign(claims("s1").build());
    String[] parts = good.split("\\.");
    byte[] sig = new Base64URL(parts[2]).decode();
    sig[10] ^= 1;
    assertThat(verdict(parts[0] + "." + parts[1] + "." + Base64URL.encode(sig), "s1")).isEqualTo("sig");

    assertThat(verdict(new PlainJWT(claims("s2").build()).serialize(), "s2")).isEqualTo("alg");

    // HS256 keyed with the OP's public key bytes (the classic key-confusion attack).
    SignedJWT hs = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), claims("s3").build());
    hs.sign(new MACSigner(rsa.toPublicKey().getEncoded()));
    assertThat(verdict(hs.serialize(), "s3")).isEqualTo("alg");

    // A genuine key with an algorithm that is not pinned.
    assertThat(verdict(sign(new JWSHeader.Builder(JWSAlgorithm.RS384).keyID("k1").build(), claims("s4").build(), rsa), "s4"))
        .isEqualTo("alg");

    JWSHeader crit = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").criticalParams(Set.of("exp-hourglass"))
        .customParam("exp-hourglass", 1).build();
    assertThat(verdict(sign(crit, claims("s5").build(), rsa), "s5")).isEqualTo("crit");

    // jku / x5u / embedded jwk pointing at the attacker's key: never fetched, never trusted.
    RSAKey attacker = new RSAKeyGenerator(2048).keyID("k1").generate();
    JWSHeader sneaky = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1")
        .jwkURL(URI.create("http://127.0.0.1:" + jwksServer.actualPort() + "/attacker-jwks"))
        .x509CertURL(URI.create("http://127.0.0.1:" + jwksServer.actualPort() + "/attacker-x5u"))
        .jwk(attacker.toPublicJWK()).type(JOSEObjectType.JWT).build();
    assertThat(verdict(sign(sneaky, claims("s6").build(), attacker), "s6")).isEqualTo("sig");
    assertThat(otherRequests.get()).isZero();
  }

  @Test
  void unknownKidTriggersOneRateLimitedRefetch() {
    assertThat(verdict(sign(claims("r0").build()), "r0")).isEqualTo("accepted");
    assertThat(fetches.get()).isEqualTo(1);
    // The OP rotates: k2 appears. The first token with k2 refetches once.
    published.set(new JWKSet(List.of(rsa, rsa2, ec)));
    clock.advance(Duration.ofSeconds(31));
    String byK2 = sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k2").build(), claims("r1").build(), rsa2);
    assertThat(verdict(byK2, "r1")).isEqualTo("accepted");
    assertThat(fetches.get()).isEqualTo(2);
    // A flood of made-up kids inside the cooldown costs the OP nothing.
    for (int i = 0; i < 20; i++) {
      String forged = sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("nope-" + i).build(), claims("f" + i).build(), rsa);
      assertThat(verdict(forged, "f" + i)).isEqualTo("kid");
    }
    assertThat(fetches.get()).isEqualTo(2);
    clock.advance(Duration.ofSeconds(30));
    assertThat(verdict(sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("nope").build(), claims("f").build(), rsa), "f"))
        .isEqualTo("kid");
    assertThat(fetches.get()).isEqualTo(3);
  }

  @Test
  void aKeyRotatedRightAfterStartIsFoundWithoutWaitingForTheCooldown() {
    assertThat(verdict(sign(claims("q0").build()), "q0")).isEqualTo("accepted");
    assertThat(fetches.get()).isEqualTo(1);
    // No clock movement: the initial load must not count as the rate-limited refetch.
    published.set(new JWKSet(List.of(rsa, rsa2, ec)));
    String byK2 = sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k2").build(), claims("q1").build(), rsa2);
    assertThat(verdict(byK2, "q1")).isEqualTo("accepted");
    assertThat(fetches.get()).isEqualTo(2);
  }

  @Test
  void concurrentTokensWithANewKidShareOneRefetch() {
    await(jwks.load());
    published.set(new JWKSet(List.of(rsa, rsa2, ec)));
    clock.advance(Duration.ofMinutes(1));
    int before = fetches.get();
    List<Future<IdTokenVerifier.Verified>> all = new java.util.ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String t = sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k2").build(), claims("c" + i).build(), rsa2);
      all.add(verifier.verify(t, new Nonce("c" + i)));
    }
    await(Future.all(all));
    assertThat(fetches.get() - before).isEqualTo(1);
  }

  @Test
  void withoutKidTheOnlyRsaKeyAmongOthersIsUsedAndSeveralAreTried() {
    JWSHeader noKid = new JWSHeader.Builder(JWSAlgorithm.RS256).build();
    assertThat(verdict(sign(noKid, claims("k0").build(), rsa), "k0")).isEqualTo("accepted");
    published.set(new JWKSet(List.of(rsa2, ec, rsa)));
    clock.advance(Duration.ofMinutes(1));
    await(jwks.load());
    assertThat(verdict(sign(noKid, claims("k1").build(), rsa), "k1")).isEqualTo("accepted");
    RSAKey stranger = rsa2;
    published.set(new JWKSet(List.of(rsa, ec)));
    await(jwks.load());
    assertThat(verdict(sign(noKid, claims("k2").build(), stranger), "k2")).isEqualTo("sig");
  }

  @Test
  void pinnedEcAlgorithmWorks() {
    IdTokenVerifier es = new IdTokenVerifier(clock, new Issuer(ISS), new ClientID(CLIENT), Set.of(JWSAlgorithm.ES256), SKEW, jwks);
    String token = sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("e1").build(), claims("ec").build(), ec);
    assertThat(await(es.verify(token, new Nonce("ec"))).claims().getSubject()).isEqualTo("alice");
  }

  @Test
  void refreshedTokensMustKeepIssSubAudAndAuthTime() throws Exception {
    JWTClaimsSet original = claims("orig").claim("auth_time", 1000L).build();
    JWTClaimsSet.Builder renewed = new JWTClaimsSet.Builder(original).claim("nonce", null);
    assertThat(await(verifier.verifyRefreshed(sign(renewed.build()), original)).claims().getSubject()).isEqualTo("alice");
    assertThat(refreshVerdict(new JWTClaimsSet.Builder(renewed.build()).subject("bob").build(), original)).isEqualTo("sub");
    assertThat(refreshVerdict(new JWTClaimsSet.Builder(renewed.build()).claim("auth_time", 2000L).build(), original)).isEqualTo("auth_time");
    assertThat(refreshVerdict(new JWTClaimsSet.Builder(renewed.build()).claim("nonce", "other").build(), original)).isEqualTo("nonce");
    assertThat(refreshVerdict(new JWTClaimsSet.Builder(renewed.build()).issuer(ISS + "/").build(), original)).isEqualTo("iss");
  }

  private String refreshVerdict(JWTClaimsSet c, JWTClaimsSet original) {
    try {
      await(verifier.verifyRefreshed(sign(c), original));
      return "accepted";
    } catch (RuntimeException e) {
      Throwable x = e.getCause() instanceof java.util.concurrent.ExecutionException ee ? ee.getCause() : e.getCause();
      if (x instanceof IdTokenRejectedException r) return r.reason();
      throw e;
    }
  }

  @Test
  void hugeOrMalformedJwksFailsCleanly() {
    BoundedHttp tiny = new BoundedHttp(vertx, vertx.createHttpClient(), Duration.ofSeconds(5), 64);
    JwksCache small = new JwksCache(tiny, clock, "http://127.0.0.1:" + jwksServer.actualPort() + "/jwks", Duration.ofSeconds(30));
    IdTokenVerifier v = new IdTokenVerifier(clock, new Issuer(ISS), new ClientID(CLIENT), Set.of(JWSAlgorithm.RS256), SKEW, small);
    try {
      await(v.verify(sign(claims("h").build()), new Nonce("h")));
      throw new AssertionError("accepted");
    } catch (RuntimeException e) {
      assertThat(e.getCause().getCause()).isInstanceOf(IdTokenRejectedException.class)
          .extracting(c -> ((IdTokenRejectedException) c).reason()).isEqualTo("jwks");
    }
  }
}
