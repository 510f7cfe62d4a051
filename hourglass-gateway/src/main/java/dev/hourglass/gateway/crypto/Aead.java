package dev.hourglass.gateway.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with a random 96-bit nonce per message and caller-supplied associated data.
 *
 * <p>Why: session records and login transactions leave the process (cookies, files, Redis). GCM
 * gives confidentiality and integrity in one primitive; the associated data binds a ciphertext
 * to its context (a store key, a cookie name) so a valid blob cannot be replayed under another
 * name. Random nonces from {@link SecureRandom} are safe far beyond any realistic message count
 * per key (NIST SP 800-38D 8.3: 2^32 messages). Decryption is total: anything tampered, truncated,
 * oversized, under another key or plain garbage yields {@link Optional#empty()}; it never throws
 * and never logs the input, so hostile cookies cannot become a 500 or leak into logs.
 *
 * <p>Text form: {@code v1.} + base64url(nonce ‖ ciphertext ‖ tag), no padding. Binary form:
 * {@code 0x01} ‖ nonce ‖ ciphertext ‖ tag.
 */
public final class Aead {
  /** Default cap on plaintext size; enough for a session with large tokens and claims. */
  public static final int DEFAULT_MAX_PLAINTEXT = 256 * 1024;

  private static final String PREFIX = "v1.";
  private static final byte VERSION = 1;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int TAG_BYTES = TAG_BITS / 8;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;
  private final int maxPlaintext;

  public Aead(byte[] key) {
    this(key, DEFAULT_MAX_PLAINTEXT);
  }

  public Aead(byte[] key, int maxPlaintextBytes) {
    if (key == null || key.length != 32) {
      throw new IllegalArgumentException("key: must be 32 bytes (AES-256)");
    }
    if (maxPlaintextBytes < 1) {
      throw new IllegalArgumentException("maxPlaintextBytes: must be positive");
    }
    this.key = new SecretKeySpec(key.clone(), "AES");
    this.maxPlaintext = maxPlaintextBytes;
  }

  public int maxPlaintextBytes() {
    return maxPlaintext;
  }

  /** Longest text form {@link #decrypt} will look at; longer input is refused unread. */
  public int maxEncodedLength() {
    return PREFIX.length() + ((NONCE_BYTES + maxPlaintext + TAG_BYTES + 2) / 3) * 4;
  }

  /** Encrypts to the text form {@code v1.<base64url>}. */
  public String encrypt(byte[] plaintext, byte[] associatedData) {
    byte[] sealed = seal(plaintext, associatedData);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOfRange(sealed, 1, sealed.length));
  }

  public String encrypt(String plaintext, String associatedData) {
    return encrypt(plaintext.getBytes(StandardCharsets.UTF_8), associatedData.getBytes(StandardCharsets.UTF_8));
  }

  /** The plaintext, or empty for anything that is not an intact message for this key and AAD. */
  public Optional<byte[]> decrypt(String encoded, byte[] associatedData) {
    if (encoded == null || associatedData == null || encoded.length() > maxEncodedLength() || !encoded.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String body = encoded.substring(PREFIX.length());
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    // Only the canonical encoding is accepted (no padding, no stray low bits), so each message
    // has exactly one text form.
    if (!Base64.getUrlEncoder().withoutPadding().encodeToString(raw).equals(body)) {
      return Optional.empty();
    }
    return open(raw, 0, associatedData);
  }

  public Optional<String> decrypt(String encoded, String associatedData) {
    if (associatedData == null) {
      return Optional.empty();
    }
    return decrypt(encoded, associatedData.getBytes(StandardCharsets.UTF_8))
        .map(b -> new String(b, StandardCharsets.UTF_8));
  }

  /** Encrypts to the binary form (for files). */
  public byte[] seal(byte[] plaintext, byte[] associatedData) {
    if (plaintext == null || associatedData == null) {
      throw new IllegalArgumentException("plaintext and associatedData: must not be null");
    }
    if (plaintext.length > maxPlaintext) {
      throw new IllegalArgumentException("plaintext: larger than " + maxPlaintext + " bytes");
    }
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData);
      byte[] out = new byte[1 + NONCE_BYTES + cipher.getOutputSize(plaintext.length)];
      out[0] = VERSION;
      System.arraycopy(nonce, 0, out, 1, NONCE_BYTES);
      cipher.doFinal(plaintext, 0, plaintext.length, out, 1 + NONCE_BYTES);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  /** Decrypts the binary form; empty for anything not intact. */
  public Optional<byte[]> open(byte[] sealed, byte[] associatedData) {
    if (sealed == null || associatedData == null || sealed.length < 1 || sealed[0] != VERSION) {
      return Optional.empty();
    }
    return open(sealed, 1, associatedData);
  }

  private Optional<byte[]> open(byte[] raw, int offset, byte[] associatedData) {
    int len = raw.length - offset;
    if (len < NONCE_BYTES + TAG_BYTES || len > NONCE_BYTES + maxPlaintext + TAG_BYTES) {
      return Optional.empty();
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, raw, offset, NONCE_BYTES));
      cipher.updateAAD(associatedData);
      return Optional.of(cipher.doFinal(raw, offset + NONCE_BYTES, len - NONCE_BYTES));
    } catch (GeneralSecurityException | RuntimeException e) {
      // AEADBadTagException and friends: deliberately silent, the input is attacker-controlled.
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return "Aead[AES-256-GCM, key redacted]";
  }
}
