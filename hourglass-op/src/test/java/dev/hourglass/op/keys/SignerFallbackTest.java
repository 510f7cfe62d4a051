package dev.hourglass.op.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyFactorySpi;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.ProviderException;
import java.security.PublicKey;
import java.security.SignatureSpi;
import java.security.spec.KeySpec;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The OP keeps signing, with the same signatures, whatever the native provider does. */
class SignerFallbackTest {

  @Test
  void aNativeSignerThatFailsAtRunTimeGivesWayToTheJdkForGood() throws Exception {
    SigningKeys keys = new SigningKeys("RS256", Duration.ZERO, () -> Optional.of(broken(false)));
    assertThat(keys.signerProvider()).isEqualTo("Broken");
    SignedJWT jwt = keys.sign(new JWTClaimsSet.Builder().subject("alice").build(), "JWT");
    assertThat(verifies(keys, jwt)).isTrue();
    assertThat(keys.signerProvider()).as("the failed native signer is not tried again").isEqualTo("JDK");
    assertThat(verifies(keys, keys.sign(new JWTClaimsSet.Builder().subject("bob").build(), null))).isTrue();
  }

  @Test
  void aProviderThatRefusesTheKeyLeavesItToTheJdk() throws Exception {
    SigningKeys keys = new SigningKeys("RS256", Duration.ZERO, () -> Optional.of(broken(true)));
    assertThat(keys.signerProvider()).isEqualTo("JDK");
    assertThat(verifies(keys, keys.sign(new JWTClaimsSet.Builder().subject("alice").build(), null))).isTrue();
  }

  @Test
  void theNativeProviderTakesOverOnceLoadedWithTheSameSignatures() throws Exception {
    assertThat(NativeSigning.awaitLoaded(30, TimeUnit.SECONDS)).isTrue();
    assumeTrue(NativeSigning.provider().isPresent(), NativeSigning.description());
    AtomicReference<Optional<Provider>> loaded = new AtomicReference<>(Optional.empty());
    SigningKeys keys = new SigningKeys("RS256", Duration.ZERO, loaded::get);
    JWTClaimsSet claims = new JWTClaimsSet.Builder().subject("alice").claim("n", 1).build();
    assertThat(keys.signerProvider()).isEqualTo("JDK");
    String before = keys.sign(claims, "JWT").serialize();
    loaded.set(NativeSigning.provider());   // the background load ends
    assertThat(keys.signerProvider()).isEqualTo("AmazonCorrettoCryptoProvider");
    assertThat(keys.sign(claims, "JWT").serialize()).isEqualTo(before);
    // A rotated key is signed natively from its first token.
    keys.rotate(java.time.Instant.EPOCH);
    assertThat(keys.signerProvider()).isEqualTo("AmazonCorrettoCryptoProvider");
    assertThat(verifies(keys, keys.sign(claims, null))).isTrue();
  }

  static boolean verifies(SigningKeys keys, SignedJWT jwt) throws Exception {
    return SignedJWT.parse(jwt.serialize()).verify(new RSASSAVerifier(((RSAKey) keys.currentKey()).toPublicJWK()));
  }

  /** A provider whose RSA key factory refuses every key, or whose signatures fail as a crashed native library's would. */
  static Provider broken(boolean refuseKeys) {
    Provider p = new Provider("Broken", "1.0", "fails on purpose") {};
    p.put("KeyFactory.RSA", (refuseKeys ? RefusingKeyFactory.class : PassThroughKeyFactory.class).getName());
    p.put("Signature.SHA256withRSA", FailingSignature.class.getName());
    return p;
  }

  public static class PassThroughKeyFactory extends KeyFactorySpi {
    @Override protected Key engineTranslateKey(Key key) throws InvalidKeyException {
      return key;
    }
    @Override protected PublicKey engineGeneratePublic(KeySpec spec) {
      throw new UnsupportedOperationException();
    }
    @Override protected PrivateKey engineGeneratePrivate(KeySpec spec) {
      throw new UnsupportedOperationException();
    }
    @Override protected <T extends KeySpec> T engineGetKeySpec(Key key, Class<T> spec) {
      throw new UnsupportedOperationException();
    }
  }

  public static class RefusingKeyFactory extends PassThroughKeyFactory {
    @Override protected Key engineTranslateKey(Key key) throws InvalidKeyException {
      throw new InvalidKeyException("not a key this provider takes");
    }
  }

  public static class FailingSignature extends SignatureSpi {
    @Override protected void engineInitVerify(PublicKey key) {}
    @Override protected void engineInitSign(PrivateKey key) {}
    @Override protected void engineUpdate(byte b) {}
    @Override protected void engineUpdate(byte[] b, int off, int len) {}
    @Override protected byte[] engineSign() {
      throw new ProviderException("the native library crashed");
    }
    @Override protected boolean engineVerify(byte[] sig) {
      throw new ProviderException("the native library crashed");
    }
    @Override @Deprecated protected void engineSetParameter(String param, Object value) {}
    @Override @Deprecated protected Object engineGetParameter(String param) {
      return null;
    }
  }
}
