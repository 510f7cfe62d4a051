package dev.hourglass.gateway.crypto;

import dev.hourglass.gateway.session.SessionIds;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The independent keys the gateway derives from the one configured {@code session.secret}.
 *
 * <p>Why: one operator-supplied secret must not be used directly for several purposes. A key used
 * both to encrypt sessions and to MAC CSRF tokens lets an oracle in one place attack the other.
 * HKDF-SHA256 (RFC 5869) with a distinct {@code info} label per purpose gives keys that are
 * computationally independent, so compromise or misuse of one derived key reveals nothing about the
 * others or the secret. Bumping a label's version (v1 → v2) rotates exactly one purpose.
 *
 * <p>The secret is any string of at least 32 characters (passphrases welcome: HKDF-Extract
 * concentrates its entropy); shorter secrets are refused at startup.
 */
public final class SecretKeys {
  public static final int MIN_SECRET_LENGTH = 32;

  static final String LABEL_SESSION_ENCRYPTION = "hourglass session-encryption v1";
  static final String LABEL_COOKIE_MAC = "hourglass cookie-mac v1";
  static final String LABEL_TRANSACTION = "hourglass transaction v1";
  static final String LABEL_CSRF = "hourglass csrf v1";
  static final String LABEL_STORE_KEY = "hourglass store-key v1";

  // A fixed, application-specific HKDF salt (RFC 5869 3.1: a non-secret salt is fine).
  private static final byte[] SALT = "hourglass hkdf salt v1".getBytes(StandardCharsets.US_ASCII);

  private final byte[] sessionEncryptionKey;
  private final byte[] cookieMacKey;
  private final byte[] transactionKey;
  private final byte[] csrfKey;
  private final byte[] storeKeyKey;

  private SecretKeys(byte[] prk) {
    this.sessionEncryptionKey = expand(prk, LABEL_SESSION_ENCRYPTION, 32);
    this.cookieMacKey = expand(prk, LABEL_COOKIE_MAC, 32);
    this.transactionKey = expand(prk, LABEL_TRANSACTION, 32);
    this.csrfKey = expand(prk, LABEL_CSRF, 32);
    this.storeKeyKey = expand(prk, LABEL_STORE_KEY, 32);
  }

  /**
   * Derives every key from the configured secret.
   *
   * @throws IllegalArgumentException "secret: must be at least 32 characters" when null or short
   */
  public static SecretKeys fromSecret(String secret) {
    if (secret == null || secret.codePointCount(0, secret.length()) < MIN_SECRET_LENGTH) {
      throw new IllegalArgumentException("secret: must be at least " + MIN_SECRET_LENGTH + " characters");
    }
    return new SecretKeys(extract(SALT, secret.getBytes(StandardCharsets.UTF_8)));
  }

  /** AES-256 key for server-side session records. */
  public byte[] sessionEncryptionKey() {
    return sessionEncryptionKey.clone();
  }

  /** HMAC key for anything the gateway signs into a cookie. */
  public byte[] cookieMacKey() {
    return cookieMacKey.clone();
  }

  /** AES-256 key for the login transaction cookie. */
  public byte[] transactionKey() {
    return transactionKey.clone();
  }

  /** HMAC key for CSRF tokens. */
  public byte[] csrfKey() {
    return csrfKey.clone();
  }

  /** HMAC key that turns a session id into the key the store files it under. */
  public byte[] storeKeyKey() {
    return storeKeyKey.clone();
  }

  public Aead sessionAead() {
    return new Aead(sessionEncryptionKey);
  }

  public Aead transactionAead() {
    return new Aead(transactionKey);
  }

  public SessionIds sessionIds() {
    return new SessionIds(storeKeyKey);
  }

  public CsrfTokens csrfTokens() {
    return new CsrfTokens(csrfKey);
  }

  /** HKDF-SHA256 (RFC 5869): extract then expand to {@code length} bytes. */
  public static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) {
    return expand(extract(salt, ikm), info, length);
  }

  static byte[] extract(byte[] salt, byte[] ikm) {
    // RFC 5869 2.2: an absent salt is HashLen zero bytes.
    byte[] s = salt == null || salt.length == 0 ? new byte[32] : salt;
    return hmac(s, ikm);
  }

  private static byte[] expand(byte[] prk, String label, int length) {
    return expand(prk, label.getBytes(StandardCharsets.US_ASCII), length);
  }

  static byte[] expand(byte[] prk, byte[] info, int length) {
    if (length < 1 || length > 255 * 32) {
      throw new IllegalArgumentException("length: must be 1.." + 255 * 32);
    }
    Objects.requireNonNull(info, "info");
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(prk, "HmacSHA256"));
      byte[] out = new byte[length];
      byte[] t = new byte[0];
      int pos = 0;
      // RFC 5869 2.3: T(i) = HMAC(PRK, T(i-1) | info | i)
      for (int i = 1; pos < length; i++) {
        mac.update(t);
        mac.update(info);
        mac.update((byte) i);
        t = mac.doFinal();
        int n = Math.min(t.length, length - pos);
        System.arraycopy(t, 0, out, pos, n);
        pos += n;
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** HMAC-SHA256 of {@code data} under {@code key}. */
  public static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  @Override
  public String toString() {
    return "SecretKeys[redacted]";
  }
}
