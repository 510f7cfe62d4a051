package dev.hourglass.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.gateway.session.Session;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The measurement code itself is checked (small N, seconds): the JMH benchmarks and the full-size
 * runs are never part of the test command (bench/jmh, bench/measure).
 */
class MeasurementsTest {

  @Test
  void aSmallRefreshStormGivesExactlyOneRefreshGrantPerSessionAndNoErrors() throws Exception {
    RefreshStorm.Result r = RefreshStorm.run(40, 8);
    assertThat(r.errors()).as("first error: %s", r.firstError()).isZero();
    assertThat(r.refreshGrants()).isEqualTo(40);
    assertThat(r.otherGrantsDuringStorm()).isZero();
    assertThat(r.ok()).isTrue();
  }

  @Test
  void sampleSessionsCarryRealisticallySizedDistinctTokens() {
    Instant now = Instant.parse("2030-01-01T08:00:00Z");
    Session a = SampleTokens.session(1, now, SampleTokens.random());
    Session b = SampleTokens.session(2, now, SampleTokens.random());
    assertThat(a.tokens().accessToken().length()).isBetween(900, 1400);
    assertThat(a.tokens().idToken().length()).isBetween(900, 1400);
    assertThat(a.tokens().accessToken().split("\\.")).hasSize(3);
    assertThat(a.tokens().accessToken()).isNotEqualTo(b.tokens().accessToken());
    assertThat(a.id()).isNotEqualTo(b.id());
    assertThat(a.idTokenClaims()).containsKeys("sub", "email", "sid");
  }

  @Test
  void everySigningVariantSignsATokenTheJdkVerifies() throws Exception {
    for (String provider : new String[] {"jdk", "aws-lc", "aws-lc-jdk-key"}) {
      for (String alg : new String[] {"RS256", "ES256"}) {
        SigningBenchmark b = new SigningBenchmark();
        b.provider = provider;
        b.alg = alg;
        b.setup();
        com.nimbusds.jwt.SignedJWT jwt = com.nimbusds.jwt.SignedJWT.parse(b.sign());
        assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo(alg);
        assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("alice");
        assertThat(jwt.verify(b.key instanceof com.nimbusds.jose.jwk.ECKey ec
            ? new com.nimbusds.jose.crypto.ECDSAVerifier(ec.toPublicJWK())
            : new com.nimbusds.jose.crypto.RSASSAVerifier(((com.nimbusds.jose.jwk.RSAKey) b.key).toPublicJWK())))
            .as("%s %s verifies", provider, alg).isTrue();
        assertThat(b.signer.getJCAContext().getProvider() == null).as(provider).isEqualTo(provider.equals("jdk"));
      }
    }
  }

  @Test
  void sessionHeapMeasuresAPositiveCostPerSession() throws Exception {
    SessionHeap.Result r = SessionHeap.measure(2_000);
    // Each session holds > 2 KB of token text alone, so anything below that is a broken measurement.
    assertThat(r.bytesPerSession()).isGreaterThan(2_000);
    assertThat(r.sessions()).isEqualTo(2_000);
  }
}
