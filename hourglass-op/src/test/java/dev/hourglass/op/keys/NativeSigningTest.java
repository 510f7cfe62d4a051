package dev.hourglass.op.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NativeSigningTest {
  static final String ACCP = "com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider";

  @BeforeAll
  static void loaded() throws InterruptedException {
    assertThat(NativeSigning.awaitLoaded(30, TimeUnit.SECONDS)).as("the background load ends").isTrue();
  }

  static boolean supportedPlatform() {
    String arch = System.getProperty("os.arch");
    return System.getProperty("os.name").startsWith("Linux") && List.of("amd64", "x86_64", "aarch64").contains(arch);
  }

  @Test
  void awsLcSignsOnLinux() {
    assumeTrue(supportedPlatform(), "ACCP ships native code for Linux x86-64 and aarch64 only");
    assertThat(NativeSigning.provider()).as(NativeSigning.description()).isPresent();
    assertThat(NativeSigning.description()).startsWith("AWS-LC").contains("Amazon Corretto Crypto Provider");
    assertThat(new SigningKeys("RS256", Duration.ZERO).signerProvider()).isEqualTo("AmazonCorrettoCryptoProvider");
    assertThat(new SigningKeys("ES256", Duration.ZERO).signerProvider()).isEqualTo("AmazonCorrettoCryptoProvider");
  }

  @Test
  void rs256SignaturesAreByteForByteTheJdks() throws Exception {
    // RS256 (PKCS #1 v1.5) is deterministic: the native provider must give exactly the JDK's token.
    SigningKeys keys = new SigningKeys("RS256", Duration.ZERO);
    JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("https://op.test").subject("alice").claim("n", 42).build();
    SignedJWT fast = keys.sign(claims, "JWT");
    SignedJWT jdk = new SignedJWT(fast.getHeader(), claims);
    jdk.sign(new RSASSASigner((RSAKey) keys.currentKey()));
    assertThat(fast.serialize()).isEqualTo(jdk.serialize());
    assertThat(keys.verify(SignedJWT.parse(fast.serialize()), java.time.Instant.EPOCH)).isTrue();
  }

  @Test
  void es256SignaturesVerifyWithTheJdk() throws Exception {
    SigningKeys keys = new SigningKeys("ES256", Duration.ZERO);
    for (int i = 0; i < 50; i++) {
      // ECDSA is randomized, and the DER-to-JOSE transcoding has length edge cases: sign many.
      SignedJWT jwt = keys.sign(new JWTClaimsSet.Builder().subject("s" + i).build(), null);
      assertThat(jwt.getSignature().decode()).hasSize(64);
      assertThat(SignedJWT.parse(jwt.serialize()).verify(new ECDSAVerifier(((ECKey) keys.currentKey()).toPublicJWK())))
          .isTrue();
    }
  }

  @Test
  void aForgedSignatureStaysRefused() throws Exception {
    SigningKeys keys = new SigningKeys("RS256", Duration.ZERO);
    SignedJWT ok = keys.sign(new JWTClaimsSet.Builder().subject("alice").build(), null);
    String[] p = ok.serialize().split("\\.");
    String forgedPayload = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), new JWTClaimsSet.Builder().subject("mallory").build())
        .getPayload().toBase64URL().toString();
    assertThat(keys.verify(SignedJWT.parse(p[0] + "." + forgedPayload + "." + p[2]), java.time.Instant.EPOCH)).isFalse();
  }

  @Test
  void turnedOffMeansTheJdk() {
    NativeSigning.Loaded off = NativeSigning.load(ACCP, false);
    assertThat(off.provider()).isNull();
    assertThat(off.description()).isEqualTo("JDK (-Dhourglass.native-crypto=false)");
  }

  @Test
  void aMissingJarMeansTheJdkAndSaysWhy() {
    NativeSigning.Loaded missing = NativeSigning.load("com.example.NoSuchProvider", true);
    assertThat(missing.provider()).isNull();
    assertThat(missing.description()).contains("com.example.NoSuchProvider is not on the class path");
  }

  @Test
  void aClassThatIsNoProviderMeansTheJdk() {
    NativeSigning.Loaded wrong = NativeSigning.load("java.lang.String", true);
    assertThat(wrong.provider()).isNull();
    assertThat(wrong.description()).startsWith("JDK (the native provider failed its checks");
  }
}
