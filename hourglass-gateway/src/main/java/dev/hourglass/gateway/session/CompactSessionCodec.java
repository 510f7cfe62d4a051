package dev.hourglass.gateway.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hourglass.core.model.TokenSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Session ⇄ a small byte array, for the records {@link MemorySessionStore} keeps on the heap.
 *
 * <p>Why (issue 7: 100,000 sessions in at most 256 MB): as Java objects a session with two ~1 KB
 * JWTs costs about 5.7 KB — token text as Strings, and the ID token's claims a second time as a
 * parsed map. This form keeps the same information in about a third of that:
 * <ul>
 *   <li>tokens in JWS/JWE compact serialisation are kept as the base64url-decoded bytes of each
 *       segment (3/4 of the text), but only when every segment re-encodes to exactly the same text
 *       (canonical, unpadded base64url); anything else is kept as the original string, so every
 *       token comes back byte for byte;
 *   <li>{@code idTokenClaims} are not kept at all when they are exactly the ID token's payload (the
 *       normal case: the gateway stores the verified token's claims). Decoding re-parses the payload
 *       with the number typing of {@link SessionCodec} (integers as {@code Long}); encoding checks
 *       that this re-parse gives back equal claims with the same value types, else the claims are
 *       kept as JSON;
 *   <li>userinfo is JSON; times are seconds + nanos varints (exact {@link Instant}s);
 *   <li>the whole record is deflated with a preset dictionary of common OIDC/JOSE names (the two
 *       JWTs' headers and claim names repeat inside one record, and the dictionary helps with the
 *       first occurrence), kept uncompressed when deflate does not pay. The zlib checksum also
 *       detects a damaged record.
 * </ul>
 *
 * <p>The form never leaves the process (files and Redis use {@link SessionCodec}), so it may change
 * with any release. Claims must be JSON values, as for {@link SessionCodec}: {@code Date}/
 * {@code Instant} values become NumericDate seconds and all integers read back as {@code Long}.
 * Decoding is total: anything malformed is an {@link IllegalArgumentException}, never another
 * exception, and never a partly read session. Public only for the benchmarks module.
 */
public final class CompactSessionCodec {
  private static final int FORMAT = 1;
  private static final int STORED = 0;
  private static final int DEFLATED = 1;
  /** Largest decoded record accepted (a sanity bound; real ones are a few KB). */
  static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;

  private static final int TOKEN_NULL = 0;
  private static final int TOKEN_TEXT = 1;
  private static final int TOKEN_SEGMENTS = 2;
  private static final int MAX_SEGMENTS = 16;

  private static final int CLAIMS_EMPTY = 0;
  private static final int CLAIMS_ID_TOKEN_PAYLOAD = 1;
  private static final int CLAIMS_JSON = 2;

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.USE_LONG_FOR_INTS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

  /**
   * zlib preset dictionary: JOSE header and claim names of OIDC Core, RFC 9068 and common OPs
   * (Keycloak, Entra, Okta). zlib matches best against the end, so the most common come last.
   * Changing it only changes the in-memory form, which is never persisted.
   */
  private static final byte[] DICTIONARY = ("\"locale\":\"\"zoneinfo\":\"\"picture\":\"https://\"website\":\""
      + "\"updated_at\":\"phone_number\":\"\"phone_number_verified\":\"address\":{\"country\":\""
      + "\"oid\":\"\"tid\":\"\"ver\":\"2.0\"\"uti\":\"\"rh\":\"\"upn\":\"\"cid\":\"\"uid\":\"\"amr\":[\"pwd\"]"
      + "\"client_id\":\"\"c_hash\":\"\"s_hash\":\"\"session_state\":\"\"allowed-origins\":[\""
      + "\"resource_access\":{\"account\":{\"roles\":[\"manage-account\",\"view-profile\"]}}"
      + "\"realm_access\":{\"roles\":[\"offline_access\",\"uma_authorization\",\"default-roles-"
      + "\"typ\":\"Refresh\"\"typ\":\"Offline\"\"typ\":\"ID\"\"typ\":\"Bearer\"\"typ\":\"at+jwt\""
      + "\"roles\":[\"\"groups\":[\"\"given_name\":\"\"family_name\":\"\"middle_name\":\"\"nickname\":\""
      + "\"preferred_username\":\"\"name\":\"\"email\":\"\"email_verified\":true,\"email_verified\":false,"
      + "\"acr\":\"1\"\"nonce\":\"\"at_hash\":\"\"auth_time\":\"nbf\":\"jti\":\"\"scope\":\"openid profile email"
      + " offline_access\"\"azp\":\"\"sid\":\"\"aud\":[\"\"aud\":\"\"sub\":\"\"iss\":\"https://\"iat\":\"exp\":"
      + "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"Bearer")
      .getBytes(StandardCharsets.US_ASCII);

  private static final ThreadLocal<Deflater> DEFLATER = ThreadLocal.withInitial(() -> new Deflater(Deflater.DEFAULT_COMPRESSION));
  private static final ThreadLocal<Inflater> INFLATER = ThreadLocal.withInitial(Inflater::new);

  private CompactSessionCodec() {}

  /**
   * The compact form of {@code s}.
   *
   * @throws IllegalArgumentException if the claims or userinfo are not JSON-serialisable, or the
   *     record would be larger than {@link #MAX_RECORD_BYTES}
   */
  public static byte[] encode(Session s) {
    Objects.requireNonNull(s, "session");
    byte[] raw = serialize(s);
    if (raw.length > MAX_RECORD_BYTES) {
      throw new IllegalArgumentException("session: larger than " + MAX_RECORD_BYTES + " bytes");
    }
    return compress(raw);
  }

  /**
   * The session in {@code packed}.
   *
   * @throws IllegalArgumentException for anything malformed (truncated, damaged, unknown format)
   */
  public static Session decode(byte[] packed) {
    try {
      return deserialize(decompress(packed));
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException | IOException e) {
      // Total: whatever a damaged record makes the readers throw, callers see one exception type.
      throw new IllegalArgumentException("compact session: malformed record (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** True when {@code s}'s ID-token claims are kept as a reference to the ID token's payload. */
  static boolean claimsFollowIdToken(Session s) {
    byte[] payload = idTokenPayload(s.tokens().idToken());
    return payload != null && sameAsPayload(s.idTokenClaims(), payload);
  }

  // ---- record layout (before compression) ----

  static byte[] serialize(Session s) {
    Out out = new Out(2048);
    out.varint(FORMAT);
    token(out, s.id());
    instant(out, s.createdAt());
    instant(out, s.lastSeenAt());
    out.string(s.subject());
    out.string(s.opSessionId());
    out.string(s.issuer());
    TokenSet t = s.tokens();
    token(out, t.accessToken());
    out.string(t.tokenType());
    out.string(t.scope());
    instant(out, t.accessTokenIssuedAt());
    instant(out, t.accessTokenExpiresAt());
    byte[][] idSegments = segments(t.idToken());
    token(out, t.idToken(), idSegments);
    instant(out, t.idTokenIssuedAt());
    instant(out, t.idTokenExpiresAt());
    token(out, t.refreshToken());
    instant(out, t.refreshTokenExpiresAt());
    instant(out, t.refreshedAt());
    if (s.idTokenClaims().isEmpty()) {
      out.varint(CLAIMS_EMPTY);
    } else if (idSegments != null && idSegments.length >= 2 && sameAsPayload(s.idTokenClaims(), idSegments[1])) {
      out.varint(CLAIMS_ID_TOKEN_PAYLOAD);
    } else {
      out.varint(CLAIMS_JSON);
      out.bytes(json(s.idTokenClaims()));
    }
    if (s.userinfo().isEmpty()) {
      out.varint(CLAIMS_EMPTY);
    } else {
      out.varint(CLAIMS_JSON);
      out.bytes(json(s.userinfo()));
    }
    out.varlong(zigzag(s.version()));
    return out.toByteArray();
  }

  static Session deserialize(byte[] raw) throws IOException {
    In in = new In(raw);
    if (in.varint() != FORMAT) {
      throw new IllegalArgumentException("compact session: unknown format");
    }
    String id = in.token(null);
    Instant created = in.instant();
    Instant lastSeen = in.instant();
    String sub = in.string();
    String sid = in.string();
    String iss = in.string();
    String accessToken = in.token(null);
    String tokenType = in.string();
    String scope = in.string();
    Instant atIat = in.instant();
    Instant atExp = in.instant();
    byte[][] idPayload = new byte[1][];
    String idToken = in.token(idPayload);
    Instant idIat = in.instant();
    Instant idExp = in.instant();
    String refreshToken = in.token(null);
    Instant rtExp = in.instant();
    Instant refreshedAt = in.instant();
    Map<String, Object> claims;
    int claimsMode = in.varint();
    if (claimsMode == CLAIMS_EMPTY) {
      claims = Map.of();
    } else if (claimsMode == CLAIMS_ID_TOKEN_PAYLOAD) {
      if (idPayload[0] == null) {
        throw new IllegalArgumentException("compact session: claims refer to a missing ID token payload");
      }
      claims = parse(idPayload[0]);
    } else if (claimsMode == CLAIMS_JSON) {
      claims = parse(in.bytes());
    } else {
      throw new IllegalArgumentException("compact session: unknown claims form");
    }
    int userinfoMode = in.varint();
    Map<String, Object> userinfo;
    if (userinfoMode == CLAIMS_EMPTY) {
      userinfo = Map.of();
    } else if (userinfoMode == CLAIMS_JSON) {
      userinfo = parse(in.bytes());
    } else {
      throw new IllegalArgumentException("compact session: unknown userinfo form");
    }
    long version = unzigzag(in.varlong());
    if (!in.atEnd()) {
      throw new IllegalArgumentException("compact session: trailing bytes");
    }
    if (id == null || created == null || lastSeen == null) {
      throw new IllegalArgumentException("compact session: id, created and last seen are required");
    }
    TokenSet tokens = new TokenSet(accessToken, tokenType, scope, atIat, atExp, idToken, idIat, idExp, refreshToken, rtExp, refreshedAt);
    return new Session(id, created, lastSeen, sub, sid, iss, tokens, claims, userinfo, version);
  }

  // ---- tokens ----

  private static void token(Out out, String token) {
    token(out, token, segments(token));
  }

  private static void token(Out out, String token, byte[][] segments) {
    if (token == null) {
      out.varint(TOKEN_NULL);
    } else if (segments == null) {
      out.varint(TOKEN_TEXT);
      out.string(token);
    } else {
      out.varint(TOKEN_SEGMENTS);
      out.varint(segments.length);
      for (byte[] seg : segments) {
        out.bytes(seg);
      }
    }
  }

  /**
   * The decoded segments of a dot-separated base64url token, or null unless every segment is
   * canonical unpadded base64url (re-encoding gives exactly the same text).
   */
  static byte[][] segments(String token) {
    if (token == null) {
      return null;
    }
    int count = 1;
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '.') {
        count++;
      } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
        return null; // padding, whitespace, standard base64, anything else: keep the text
      }
    }
    if (count > MAX_SEGMENTS) {
      return null;
    }
    byte[][] out = new byte[count][];
    int start = 0;
    for (int i = 0; i < count; i++) {
      int end = token.indexOf('.', start);
      if (end < 0) {
        end = token.length();
      }
      String seg = token.substring(start, end);
      if (seg.length() % 4 == 1) {
        return null;
      }
      byte[] bytes;
      try {
        bytes = B64D.decode(seg);
      } catch (IllegalArgumentException e) {
        return null;
      }
      // Non-zero unused trailing bits decode, but would not re-encode to the same text.
      if (!B64.encodeToString(bytes).equals(seg)) {
        return null;
      }
      out[i] = bytes;
      start = end + 1;
    }
    return out;
  }

  private static byte[] idTokenPayload(String idToken) {
    byte[][] segs = segments(idToken);
    return segs == null || segs.length < 2 ? null : segs[1];
  }

  // ---- claims ----

  private static byte[] json(Map<String, Object> claims) {
    try {
      return JSON.writeValueAsBytes(SessionCodec.jsonSafe(claims, 0));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("session: claims are not JSON-serialisable");
    }
  }

  private static Map<String, Object> parse(byte[] json) throws IOException {
    Map<String, Object> m = JSON.readValue(json, MAP);
    if (m == null) {
      throw new IllegalArgumentException("compact session: claims are not an object");
    }
    return m;
  }

  /**
   * True when parsing {@code payload} gives {@code claims}: same names, values and value types (map
   * order aside: Nimbus's {@code toJSONObject()} does not keep the token's order; decoding gives
   * the payload's order, and {@link Session#equals} does not depend on it).
   */
  private static boolean sameAsPayload(Map<String, Object> claims, byte[] payload) {
    Map<String, Object> parsed;
    try {
      parsed = JSON.readValue(payload, MAP);
    } catch (IOException | RuntimeException e) {
      return false; // not JSON (e.g. a JWE's encrypted key): keep the claims themselves
    }
    return parsed != null && sameTyped(claims, parsed, 0);
  }

  private static boolean sameTyped(Object a, Object b, int depth) {
    if (depth > 64) {
      return false;
    }
    if (a instanceof Map<?, ?> ma) {
      if (!(b instanceof Map<?, ?> mb) || ma.size() != mb.size()) {
        return false;
      }
      for (Map.Entry<?, ?> e : ma.entrySet()) {
        if (!mb.containsKey(e.getKey()) || !sameTyped(e.getValue(), mb.get(e.getKey()), depth + 1)) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof List<?> la) {
      if (!(b instanceof List<?> lb) || la.size() != lb.size()) {
        return false;
      }
      for (int i = 0; i < la.size(); i++) {
        if (!sameTyped(la.get(i), lb.get(i), depth + 1)) {
          return false;
        }
      }
      return true;
    }
    // Scalars: equal values of the same class (a claim held as Integer is not the Long a re-parse gives).
    return a == null ? b == null : b != null && a.getClass() == b.getClass() && a.equals(b);
  }

  // ---- compression ----

  static byte[] compress(byte[] raw) {
    Deflater d = DEFLATER.get();
    d.reset();
    d.setDictionary(DICTIONARY);
    d.setInput(raw);
    d.finish();
    byte[] buf = new byte[raw.length + 16];
    Out head = new Out(8);
    head.varint(DEFLATED);
    head.varint(raw.length);
    int headLen = head.size();
    int n = headLen < buf.length ? d.deflate(buf, headLen, buf.length - headLen) : 0;
    if (!d.finished() || headLen + n > raw.length) {
      // Did not pay (tiny or incompressible record): keep it as it is.
      byte[] out = new byte[raw.length + 1];
      out[0] = STORED;
      System.arraycopy(raw, 0, out, 1, raw.length);
      return out;
    }
    System.arraycopy(head.buf, 0, buf, 0, headLen);
    return Arrays.copyOf(buf, headLen + n);
  }

  static byte[] decompress(byte[] packed) throws IOException {
    if (packed == null || packed.length == 0) {
      throw new IllegalArgumentException("compact session: empty record");
    }
    In in = new In(packed);
    int form = in.varint();
    if (form == STORED) {
      return Arrays.copyOfRange(packed, in.pos, packed.length);
    }
    if (form != DEFLATED) {
      throw new IllegalArgumentException("compact session: unknown compression");
    }
    int rawLength = in.varint();
    if (rawLength < 0 || rawLength > MAX_RECORD_BYTES) {
      throw new IllegalArgumentException("compact session: record size out of range");
    }
    Inflater inf = INFLATER.get();
    inf.reset();
    inf.setInput(packed, in.pos, packed.length - in.pos);
    byte[] raw = new byte[rawLength];
    int off = 0;
    try {
      while (!inf.finished()) {
        int n = inf.inflate(raw, off, raw.length - off);
        if (n == 0) {
          if (inf.needsDictionary()) {
            inf.setDictionary(DICTIONARY);
          } else {
            throw new IllegalArgumentException("compact session: truncated or oversized record");
          }
        }
        off += n;
      }
    } catch (DataFormatException e) {
      throw new IllegalArgumentException("compact session: damaged record");
    }
    if (off != rawLength || inf.getRemaining() != 0) {
      throw new IllegalArgumentException("compact session: record length mismatch");
    }
    return raw;
  }

  // ---- primitives ----

  private static void instant(Out out, Instant i) {
    if (i == null) {
      out.varint(0);
    } else {
      out.varint(i.getNano() + 1);
      out.varlong(zigzag(i.getEpochSecond()));
    }
  }

  private static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  private static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  /** A growable byte buffer with varints and strings. */
  private static final class Out {
    byte[] buf;
    int size;

    Out(int capacity) {
      buf = new byte[capacity];
    }

    int size() {
      return size;
    }

    void ensure(int extra) {
      if (size + extra > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
      }
    }

    void varint(int v) {
      varlong(v & 0xFFFFFFFFL);
    }

    void varlong(long v) {
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[size++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[size++] = (byte) v;
    }

    void bytes(byte[] b) {
      varint(b.length);
      ensure(b.length);
      System.arraycopy(b, 0, buf, size, b.length);
      size += b.length;
    }

    /** Nullable string: 0 = null; else (length << 1 | form) + 1 with form 0 = UTF-8, 1 = UTF-16 (lone surrogates). */
    void string(String s) {
      if (s == null) {
        varint(0);
        return;
      }
      if (wellFormed(s)) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        varlong(((long) b.length << 1) + 1);
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
      } else {
        // UTF-8 would replace a lone surrogate: keep the chars exactly.
        varlong(((long) s.length() << 1 | 1) + 1);
        ensure(2 * s.length());
        for (int i = 0; i < s.length(); i++) {
          char c = s.charAt(i);
          buf[size++] = (byte) (c >>> 8);
          buf[size++] = (byte) c;
        }
      }
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, size);
    }
  }

  private static boolean wellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** Bounds-checked reader; every malformed input is an IllegalArgumentException. */
  private static final class In {
    final byte[] buf;
    int pos;

    In(byte[] buf) {
      this.buf = buf;
    }

    boolean atEnd() {
      return pos == buf.length;
    }

    int varint() {
      long v = varlong();
      if (v < 0 || v > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("compact session: number out of range");
      }
      return (int) v;
    }

    long varlong() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= buf.length) {
          throw new IllegalArgumentException("compact session: truncated");
        }
        byte b = buf[pos++];
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw new IllegalArgumentException("compact session: varint too long");
    }

    byte[] bytes() {
      int n = varint();
      if (n > buf.length - pos) {
        throw new IllegalArgumentException("compact session: truncated");
      }
      byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
      pos += n;
      return b;
    }

    String string() {
      long head = varlong();
      if (head == 0) {
        return null;
      }
      head--;
      boolean utf16 = (head & 1) != 0;
      long n = head >>> 1;
      long byteCount = utf16 ? 2 * n : n;
      if (n < 0 || byteCount > buf.length - pos) {
        throw new IllegalArgumentException("compact session: truncated");
      }
      String s;
      if (utf16) {
        char[] cs = new char[(int) n];
        for (int i = 0; i < n; i++) {
          cs[i] = (char) (((buf[pos + 2 * i] & 0xFF) << 8) | (buf[pos + 2 * i + 1] & 0xFF));
        }
        s = new String(cs);
      } else {
        s = new String(buf, pos, (int) n, StandardCharsets.UTF_8);
      }
      pos += (int) byteCount;
      return s;
    }

    Instant instant() {
      int nanoPlusOne = varint();
      if (nanoPlusOne == 0) {
        return null;
      }
      if (nanoPlusOne > 1_000_000_000) {
        throw new IllegalArgumentException("compact session: time out of range");
      }
      return Instant.ofEpochSecond(unzigzag(varlong()), nanoPlusOne - 1L);
    }

    /** A token; {@code payloadOut[0]} receives its second segment's bytes when it has one. */
    String token(byte[][] payloadOut) {
      int kind = varint();
      switch (kind) {
        case TOKEN_NULL:
          return null;
        case TOKEN_TEXT:
          String s = string();
          if (s == null) {
            throw new IllegalArgumentException("compact session: null token text");
          }
          return s;
        case TOKEN_SEGMENTS:
          int count = varint();
          if (count < 1 || count > MAX_SEGMENTS) {
            throw new IllegalArgumentException("compact session: bad segment count");
          }
          StringBuilder sb = new StringBuilder();
          for (int i = 0; i < count; i++) {
            byte[] seg = bytes();
            if (i > 0) {
              sb.append('.');
            }
            sb.append(B64.encodeToString(seg));
            if (i == 1 && payloadOut != null) {
              payloadOut[0] = seg;
            }
          }
          return sb.toString();
        default:
          throw new IllegalArgumentException("compact session: unknown token form");
      }
    }
  }
}
