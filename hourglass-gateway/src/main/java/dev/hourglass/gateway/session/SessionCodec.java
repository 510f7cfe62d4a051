package dev.hourglass.gateway.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hourglass.core.model.TokenSet;
import dev.hourglass.gateway.crypto.Aead;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Session ⇄ compact JSON, and sealed with AES-GCM for stores whose bytes leave the process.
 *
 * <p>Why: a file directory or a Redis instance is readable by more people than the gateway's
 * memory. Each record is encrypted with the session key and authenticated with associated data
 * = its store key, so a record copied under another key (swapping two users' files) fails to
 * decrypt, and tampering is detected. The raw session id is kept inside the ciphertext only (the
 * store needs it to hand back usable {@link Session}s after a restart); outside it, the record is
 * named by the HMAC store key. On open the id inside must map to the store key it was found under.
 *
 * <p>Times are epoch milliseconds. Claim values must be JSON values; {@link Date} and
 * {@link Instant} claim values are written as JWT NumericDate (epoch seconds) and all integers read
 * back as {@code Long}, so claims survive a round trip the way Nimbus {@code toJSONObject()}
 * produces them.
 */
public final class SessionCodec {
  /** A decoded record: the session and the instant the store may forget it (null = unknown). */
  public record Stored(Session session, Instant retainUntil) {
    public Stored {
      Objects.requireNonNull(session, "session");
    }
  }

  private static final int FORMAT = 1;
  private static final long MAX_EPOCH_MILLIS = 253_402_300_799_999L; // 9999-12-31T23:59:59.999Z
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.USE_LONG_FOR_INTS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

  private final Aead aead;
  private final SessionIds ids;

  public SessionCodec(Aead aead, SessionIds ids) {
    this.aead = Objects.requireNonNull(aead, "aead");
    this.ids = Objects.requireNonNull(ids, "ids");
  }

  /** The codec for the gateway's keys: session AEAD key, store-key MAC key. */
  public static SessionCodec of(dev.hourglass.gateway.crypto.SecretKeys keys) {
    return new SessionCodec(keys.sessionAead(), keys.sessionIds());
  }

  public SessionIds ids() {
    return ids;
  }

  /** Compact JSON of the session (and the retain-until hint, may be null). */
  public static byte[] toJson(Session s, Instant retainUntil) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("v", FORMAT);
    m.put("id", s.id());
    m.put("created_at", s.createdAt().toEpochMilli());
    m.put("last_seen_at", s.lastSeenAt().toEpochMilli());
    putIf(m, "sub", s.subject());
    putIf(m, "sid", s.opSessionId());
    putIf(m, "iss", s.issuer());
    TokenSet t = s.tokens();
    Map<String, Object> tm = new LinkedHashMap<>();
    putIf(tm, "access_token", t.accessToken());
    putIf(tm, "token_type", t.tokenType());
    putIf(tm, "scope", t.scope());
    putIf(tm, "access_token_iat", millis(t.accessTokenIssuedAt()));
    putIf(tm, "access_token_exp", millis(t.accessTokenExpiresAt()));
    putIf(tm, "id_token", t.idToken());
    putIf(tm, "id_token_iat", millis(t.idTokenIssuedAt()));
    putIf(tm, "id_token_exp", millis(t.idTokenExpiresAt()));
    putIf(tm, "refresh_token", t.refreshToken());
    putIf(tm, "refresh_token_exp", millis(t.refreshTokenExpiresAt()));
    putIf(tm, "refreshed_at", millis(t.refreshedAt()));
    m.put("tokens", tm);
    m.put("id_token_claims", jsonSafe(s.idTokenClaims(), 0));
    m.put("userinfo", jsonSafe(s.userinfo(), 0));
    m.put("version", s.version());
    putIf(m, "retain_until", millis(retainUntil));
    try {
      return JSON.writeValueAsBytes(m);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("session: claims are not JSON-serialisable", e);
    }
  }

  /**
   * Parses {@link #toJson} output.
   *
   * @throws IllegalArgumentException for anything malformed (message names the field, never the data)
   */
  public static Stored fromJson(byte[] json) {
    Map<String, Object> m;
    try {
      m = JSON.readValue(json, MAP);
    } catch (IOException e) {
      throw new IllegalArgumentException("session record: not a JSON object");
    }
    if (m == null || !Long.valueOf(FORMAT).equals(m.get("v"))) {
      throw new IllegalArgumentException("session record: unknown format");
    }
    Map<String, Object> tm = map(m, "tokens");
    TokenSet tokens = new TokenSet(
        str(tm, "access_token"), str(tm, "token_type"), str(tm, "scope"),
        instant(tm, "access_token_iat"), instant(tm, "access_token_exp"),
        str(tm, "id_token"), instant(tm, "id_token_iat"), instant(tm, "id_token_exp"),
        str(tm, "refresh_token"), instant(tm, "refresh_token_exp"), instant(tm, "refreshed_at"));
    String id = str(m, "id");
    Instant created = instant(m, "created_at");
    Instant lastSeen = instant(m, "last_seen_at");
    if (id == null || created == null || lastSeen == null) {
      throw new IllegalArgumentException("session record: id, created_at and last_seen_at are required");
    }
    Object version = m.get("version");
    if (!(version instanceof Long)) {
      throw new IllegalArgumentException("session record: version must be an integer");
    }
    Session s = new Session(id, created, lastSeen, str(m, "sub"), str(m, "sid"), str(m, "iss"), tokens,
        map(m, "id_token_claims"), map(m, "userinfo"), (Long) version);
    return new Stored(s, instant(m, "retain_until"));
  }

  /** Encrypted text form (for Redis): AAD = the session's store key. */
  public String sealToString(Session s, Instant retainUntil) {
    return aead.encrypt(toJson(s, retainUntil), aad(ids.storeKey(s.id())));
  }

  /** Encrypted binary form (for files): AAD = the session's store key. */
  public byte[] seal(Session s, Instant retainUntil) {
    return aead.seal(toJson(s, retainUntil), aad(ids.storeKey(s.id())));
  }

  /** Opens the text form found under {@code storeKey}; empty if tampered, misfiled or malformed. */
  public Optional<Stored> open(String storeKey, String sealed) {
    if (storeKey == null || sealed == null) {
      return Optional.empty();
    }
    return aead.decrypt(sealed, aad(storeKey)).flatMap(json -> parseFor(storeKey, json));
  }

  /** Opens the binary form found under {@code storeKey}; empty if tampered, misfiled or malformed. */
  public Optional<Stored> open(String storeKey, byte[] sealed) {
    if (storeKey == null || sealed == null) {
      return Optional.empty();
    }
    return aead.open(sealed, aad(storeKey)).flatMap(json -> parseFor(storeKey, json));
  }

  private Optional<Stored> parseFor(String storeKey, byte[] json) {
    try {
      Stored stored = fromJson(json);
      // The id inside must be the one this record is filed under.
      return ids.storeKeyOf(stored.session().id()).filter(storeKey::equals).map(k -> stored);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static byte[] aad(String storeKey) {
    return ("hourglass-session\n" + storeKey).getBytes(StandardCharsets.US_ASCII);
  }

  private static void putIf(Map<String, Object> m, String k, Object v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  private static Long millis(Instant i) {
    return i == null ? null : i.toEpochMilli();
  }

  private static String str(Map<String, Object> m, String k) {
    Object v = m.get(k);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw new IllegalArgumentException("session record: " + k + " must be a string");
  }

  private static Instant instant(Map<String, Object> m, String k) {
    Object v = m.get(k);
    if (v == null) {
      return null;
    }
    // Years 1970-9999 only, so no later time arithmetic on a record can overflow.
    if (v instanceof Long l) {
      if (l < 0 || l > MAX_EPOCH_MILLIS) {
        throw new IllegalArgumentException("session record: " + k + " out of range");
      }
      return Instant.ofEpochMilli(l);
    }
    throw new IllegalArgumentException("session record: " + k + " must be epoch millis");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> m, String k) {
    Object v = m.get(k);
    if (v == null) {
      return Map.of();
    }
    if (v instanceof Map<?, ?> mm) {
      return (Map<String, Object>) mm;
    }
    throw new IllegalArgumentException("session record: " + k + " must be an object");
  }

  static Object jsonSafe(Object v, int depth) {
    if (depth > 64) {
      throw new IllegalArgumentException("session: claims nested too deeply");
    }
    if (v instanceof Date d) {
      return d.getTime() / 1000; // JWT NumericDate
    }
    if (v instanceof Instant i) {
      return i.getEpochSecond();
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.put(String.valueOf(e.getKey()), jsonSafe(e.getValue(), depth + 1));
      }
      return out;
    }
    if (v instanceof Collection<?> c) {
      List<Object> out = new ArrayList<>(c.size());
      for (Object o : c) {
        out.add(jsonSafe(o, depth + 1));
      }
      return out;
    }
    if (v instanceof Object[] arr) {
      return jsonSafe(java.util.Arrays.asList(arr), depth);
    }
    return v;
  }
}
