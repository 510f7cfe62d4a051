package dev.hourglass.op.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OP's signing keys: one current key and rotated-out keys whose public half stays in the JWKS
 * for {@code grace} after their rotation, so tokens signed just before a rotation still verify.
 * Whether a retired key is still published is decided on read, from the {@code now} passed in.
 */
public final class SigningKeys {
  private static final Logger LOG = LoggerFactory.getLogger(SigningKeys.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A key and, once rotated out, when. */
  private record Entry(JWK key, Instant retiredAt) {}

  private final JWSAlgorithm alg;
  private final Duration grace;
  private final List<Entry> retired = new ArrayList<>();
  /** Hostile mode only: extra keys published beside the real ones, by tag (see dev.hourglass.op.tamper). */
  private final java.util.Map<String, List<JWK>> extra = new java.util.LinkedHashMap<>();
  private Entry current;
  /** The current key with its signer, built once per key (not per token): read without the lock. */
  private volatile CurrentSigner signer;

  /** Where the native provider comes from ({@link NativeSigning}, or a test's). Empty: the JDK signs. */
  private final Supplier<Optional<Provider>> nativeProvider;

  /**
   * {@code settled}: no other signer to wait for: the native provider was ready when this one was
   * built (it signs, unless it refused the key or failed, and then the JDK does for good).
   */
  private record CurrentSigner(JWK key, JWSSigner signer, boolean settled) {
    boolean isNative() {
      return signer.getJCAContext().getProvider() != null;
    }
  }

  public SigningKeys(String alg, Duration grace) {
    this(alg, grace, preloadedNativeProvider());
  }

  private static Supplier<Optional<Provider>> preloadedNativeProvider() {
    NativeSigning.preload(); // (in the background, while the first key is generated)
    return NativeSigning::provider;
  }

  SigningKeys(String alg, Duration grace, Supplier<Optional<Provider>> nativeProvider) {
    this.nativeProvider = Objects.requireNonNull(nativeProvider, "nativeProvider");
    this.alg = JWSAlgorithm.parse(Objects.requireNonNull(alg, "alg"));
    if (!this.alg.equals(JWSAlgorithm.RS256) && !this.alg.equals(JWSAlgorithm.ES256)) {
      throw new IllegalArgumentException("alg: expected RS256 or ES256, got " + alg);
    }
    this.grace = Objects.requireNonNull(grace, "grace");
    this.current = new Entry(generate(), null);
    this.signer = signerFor(current.key());
  }

  public JWSAlgorithm algorithm() {
    return alg;
  }

  public synchronized String currentKid() {
    return current.key().getKeyID();
  }

  /** Makes a new current key; the old one stays published until {@code now + grace}. Returns the new kid. */
  public synchronized String rotate(Instant now) {
    JWK next = generate();
    retired.add(new Entry(current.key(), now));
    current = new Entry(next, null);
    signer = signerFor(next);
    return next.getKeyID();
  }

  /** The public keys published at {@code now}: current first, then retired ones still in their grace period. */
  public synchronized JWKSet publicJwks(Instant now) {
    List<JWK> keys = new ArrayList<>();
    keys.add(current.key().toPublicJWK());
    retired.removeIf(e -> !now.isBefore(e.retiredAt().plus(grace)));
    for (Entry e : retired) {
      keys.add(e.key().toPublicJWK());
    }
    for (List<JWK> l : extra.values()) {
      for (JWK k : l) {
        keys.add(k.toPublicJWK());
      }
    }
    return new JWKSet(keys);
  }

  /** The current key pair (private half included): the hostile mode signs broken tokens with it. */
  public synchronized JWK currentKey() {
    return current.key();
  }

  /** Hostile mode: publishes {@code keys} (public halves) beside the real ones under {@code tag}, replacing that tag's keys. */
  public synchronized void publishExtra(String tag, List<JWK> keys) {
    extra.put(Objects.requireNonNull(tag, "tag"), List.copyOf(keys));
  }

  /** Hostile mode: publishes one more key under {@code tag}. */
  public synchronized void addExtra(String tag, JWK key) {
    List<JWK> l = new ArrayList<>(extra.getOrDefault(tag, List.of()));
    l.add(key);
    extra.put(tag, List.copyOf(l));
  }

  /** Hostile mode: stops publishing every extra key. */
  public synchronized void clearExtra() {
    extra.clear();
  }

  /** Signs {@code claims} with the current key, with header {@code typ} (may be null). */
  public SignedJWT sign(JWTClaimsSet claims, String typ) {
    // Nimbus signers are thread-safe (a new JCA Signature per call): every event loop signs at once.
    CurrentSigner s = currentSigner();
    JWSHeader.Builder header = new JWSHeader.Builder(alg).keyID(s.key().getKeyID());
    if (typ != null) {
      header.type(new JOSEObjectType(typ));
    }
    SignedJWT jwt = new SignedJWT(header.build(), claims);
    try {
      jwt.sign(s.signer());
    } catch (JOSEException | RuntimeException e) {
      if (!s.isNative()) {
        throw new IllegalStateException("signing failed", e);
      }
      // The native library failed at run time: the JDK signs from now on (the same signatures).
      LOG.warn("token signing: the native provider failed ({}); the JDK signs from now on", e.toString());
      jwt = new SignedJWT(header.build(), claims);
      try {
        jwt.sign(jdkSigner(s).signer());
      } catch (JOSEException again) {
        throw new IllegalStateException("signing failed", again);
      }
    }
    return jwt;
  }

  /** The JCA provider the next token is signed with ("JDK" when the JDK's default signs): for tests and diagnostics. */
  String signerProvider() {
    CurrentSigner s = currentSigner();
    return s.isNative() ? s.signer().getJCAContext().getProvider().getName() : "JDK";
  }

  private CurrentSigner currentSigner() {
    CurrentSigner s = signer;
    return !s.settled() && nativeProvider.get().isPresent() ? nativeSigner(s) : s;
  }

  /** True if {@code jwt} is signed by a key published at {@code now} (matched by kid and algorithm). */
  public boolean verify(SignedJWT jwt, Instant now) {
    String kid = jwt.getHeader().getKeyID();
    if (kid == null || !alg.equals(jwt.getHeader().getAlgorithm())) {
      return false;
    }
    Optional<JWK> key = Optional.ofNullable(publicJwks(now).getKeyByKeyId(kid));
    if (key.isEmpty()) {
      return false;
    }
    try {
      return jwt.verify(verifier(key.get()));
    } catch (JOSEException | RuntimeException e) {
      return false;
    }
  }

  private JWK generate() {
    String kid = randomKid();
    try {
      if (alg.equals(JWSAlgorithm.ES256)) {
        return new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(alg).generate();
      }
      return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(alg).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("key generation failed", e);
    }
  }

  /** Swaps in a signer on the native provider once it has loaded (the same key, the same signatures, faster). */
  private synchronized CurrentSigner nativeSigner(CurrentSigner seen) {
    if (signer == seen) {
      signer = signerFor(seen.key());
    }
    return signer;
  }

  /** Swaps the JDK in for a native signer that failed, for good (unless the key rotated meanwhile). */
  private synchronized CurrentSigner jdkSigner(CurrentSigner failed) {
    CurrentSigner jdk = new CurrentSigner(failed.key(), signerOrFail(failed.key()), true);
    if (signer == failed) {
      signer = jdk;
    }
    return jdk;
  }

  private CurrentSigner signerFor(JWK key) {
    Provider p = nativeProvider.get().orElse(null);
    if (p == null) {
      return new CurrentSigner(key, signerOrFail(key), false);
    }
    try {
      // The private key is translated to the provider's own (native) key once: handed a JDK key, it
      // would rebuild the native key for every signature, which costs more than the signature.
      JWSSigner s;
      if (key instanceof ECKey ec) {
        PrivateKey k = (PrivateKey) KeyFactory.getInstance("EC", p).translateKey(ec.toPrivateKey());
        s = new ECDSASigner(k, ec.getCurve());
      } else {
        s = new RSASSASigner((PrivateKey) KeyFactory.getInstance("RSA", p).translateKey(((RSAKey) key).toPrivateKey()));
      }
      s.getJCAContext().setProvider(p);
      return new CurrentSigner(key, s, true);
    } catch (GeneralSecurityException | JOSEException | RuntimeException e) {
      // The provider refused this key: the JDK signs it instead, the same signatures.
      LOG.warn("token signing: the native provider refused key {} ({}); the JDK signs with it", key.getKeyID(), e.toString());
      return new CurrentSigner(key, signerOrFail(key), true);
    }
  }

  private static JWSSigner signerOrFail(JWK key) {
    try {
      return signer(key);
    } catch (JOSEException e) {
      throw new IllegalStateException("no signer for key " + key.getKeyID(), e);
    }
  }

  private static JWSSigner signer(JWK key) throws JOSEException {
    return key instanceof ECKey ec ? new ECDSASigner(ec) : new RSASSASigner((RSAKey) key);
  }

  private static JWSVerifier verifier(JWK key) throws JOSEException {
    return key instanceof ECKey ec ? new ECDSAVerifier(ec.toPublicJWK()) : new RSASSAVerifier(((RSAKey) key).toPublicJWK());
  }

  private static String randomKid() {
    byte[] b = new byte[9];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
