package dev.hourglass.gateway.session;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Session ids and the keys stores file them under.
 *
 * <p>Why: the cookie value is the only credential for a session, so it is 256 bits from
 * {@link SecureRandom} (unguessable, no structure, new at every login against fixation). Stores
 * never see it: they key records by {@code storeKey(id)} = base64url(HMAC-SHA256(store-key key,
 * id)), so a leaked file directory or Redis dump yields no cookie a thief could replay. Because
 * lookups hash the id first, a timing difference in a map or Redis lookup says nothing about how
 * close a guess was to a real id (it compares HMAC outputs the attacker cannot steer).
 *
 * <p>Anything that is not exactly 43 characters of canonical base64url is refused by
 * {@link #isWellFormed} before any crypto or store access, so oversized or odd cookie values
 * cost nothing.
 */
public final class SessionIds {
  /** Length of an id: base64url of 32 bytes without padding. */
  public static final int ID_LENGTH = 43;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final String CANONICAL_LAST = "AEIMQUYcgkosw048"; // low 2 bits zero

  private final byte[] storeKeyKey;
  /**
   * Why per thread: every request derives the store key (and the log handle) several times, and
   * Mac.getInstance + init (provider lookup, key setup) cost more than the HMAC itself (issue 7
   * profile). A Mac is not thread-safe, so each event-loop thread keeps its own, already keyed;
   * doFinal resets it for the next use.
   */
  private final ThreadLocal<Mac> mac;

  public SessionIds(byte[] storeKeyKey) {
    if (storeKeyKey == null || storeKeyKey.length < 32) {
      throw new IllegalArgumentException("storeKeyKey: must be at least 32 bytes");
    }
    this.storeKeyKey = storeKeyKey.clone();
    byte[] key = this.storeKeyKey;
    this.mac = ThreadLocal.withInitial(() -> {
      try {
        Mac m = Mac.getInstance("HmacSHA256");
        m.init(new SecretKeySpec(key, "HmacSHA256"));
        return m;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 unavailable", e);
      }
    });
  }

  /** A new random session id (43 characters of base64url). */
  public static String newId() {
    return randomToken(32);
  }

  /** base64url (no padding) of {@code bytes} random bytes. */
  public static String randomToken(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return B64.encodeToString(b);
  }

  /** True when {@code id} could be an id this class issued: length, alphabet, canonical tail. */
  public static boolean isWellFormed(String id) {
    return isCanonicalBase64Url32(id);
  }

  /** Exactly 43 base64url characters whose last one carries no stray bits. */
  public static boolean isCanonicalBase64Url32(String s) {
    if (s == null || s.length() != ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < ID_LENGTH; i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) {
        return false;
      }
    }
    return CANONICAL_LAST.indexOf(s.charAt(ID_LENGTH - 1)) >= 0;
  }

  /**
   * The key a store files this session under.
   *
   * @throws IllegalArgumentException when the id is not well formed
   */
  public String storeKey(String id) {
    if (!isWellFormed(id)) {
      throw new IllegalArgumentException("id: not a session id");
    }
    return mac(id);
  }

  /** The store key, or empty for a malformed id (no crypto is done then). */
  public Optional<String> storeKeyOf(String id) {
    return isWellFormed(id) ? Optional.of(mac(id)) : Optional.empty();
  }

  private String mac(String wellFormedId) {
    return B64.encodeToString(mac.get().doFinal(wellFormedId.getBytes(StandardCharsets.US_ASCII)));
  }

  /**
   * A short, stable, non-reversible handle for logs and events ("session id hash"): the first 16
   * characters of the store key. It cannot be turned back into the cookie.
   */
  public String logHandle(String id) {
    return storeKeyOf(id).map(k -> k.substring(0, 16)).orElse("invalid");
  }

  @Override
  public String toString() {
    return "SessionIds[key redacted]";
  }
}
