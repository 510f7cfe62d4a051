package dev.hourglass.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.hourglass.core.model.TokenSet;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CompactSessionCodecTest {
  static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  static final String ISS = "https://op.example.test/realms/x";
  final Random random = new Random(42);

  static String b64(String s) {
    return B64.encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  String jwt(String payloadJson) {
    byte[] sig = new byte[256];
    random.nextBytes(sig);
    return b64("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}") + "." + b64(payloadJson) + "." + B64.encodeToString(sig);
  }

  static Session session(TokenSet tokens, Map<String, Object> idClaims, Map<String, Object> userinfo) {
    return new Session(SessionIds.newId(), Instant.parse("2026-01-01T10:00:00.123456789Z"),
        Instant.parse("2026-01-01T10:05:00Z"), "alice", "sid-1", ISS, tokens, idClaims, userinfo, 7);
  }

  static TokenSet tokens(String at, String idt, String rt) {
    Instant t = Instant.parse("2026-01-01T10:00:00Z");
    return new TokenSet(at, "Bearer", "openid profile", t, t.plusSeconds(300), idt, t.plusNanos(1), t.plusSeconds(301),
        rt, t.plusSeconds(28_800), Instant.ofEpochSecond(-5, 999_999_999));
  }

  static Session roundTrip(Session s) {
    return CompactSessionCodec.decode(CompactSessionCodec.encode(s));
  }

  /** Field by field, so a difference names the field (Session.equals compares them all too). */
  static void assertSame(Session back, Session s) {
    assertThat(back).isEqualTo(s);
    assertThat(back.tokens()).isEqualTo(s.tokens());
    assertThat(back.idTokenClaims()).isEqualTo(s.idTokenClaims()); // order: the token's when taken from it
    assertThat(back.userinfo()).containsExactlyEntriesOf(s.userinfo());
    assertThat(back.version()).isEqualTo(s.version());
  }

  @Test
  void jwtTokensAndClaimsFromTheIdTokenRoundTripExactly() throws Exception {
    String payload = "{\"iss\":\"" + ISS + "\",\"sub\":\"alice\",\"aud\":\"gw\",\"exp\":1767261900,\"iat\":1767261600,"
        + "\"sid\":\"sid-1\",\"email_verified\":true,\"amr\":[\"pwd\",\"otp\"],\"address\":{\"country\":\"NL\"},\"score\":0.5}";
    String idt = jwt(payload);
    // What LoginFlow stores: Nimbus's JSON object of the verified token.
    Map<String, Object> claims = JWTClaimsSet.parse(payload).toJSONObject();
    Session s = session(tokens(jwt("{\"sub\":\"alice\",\"scope\":\"openid\"}"), idt, jwt("{\"typ\":\"Refresh\"}")), claims,
        Map.of("email", "alice@example.test"));

    assertThat(CompactSessionCodec.claimsFollowIdToken(s)).isTrue();
    assertSame(roundTrip(s), s);
    // Stored once: the record is far smaller than the token text alone.
    int tokenChars = s.tokens().accessToken().length() + idt.length() + s.tokens().refreshToken().length();
    assertThat(CompactSessionCodec.encode(s).length).isLessThan(tokenChars * 3 / 4);
  }

  @Test
  void nullFieldsEmptyMapsAndOpaqueTokensRoundTrip() {
    TokenSet bare = new TokenSet(null, null, null, null, null, null, null, null, null, null, null);
    Session s = new Session("id", Instant.EPOCH, Instant.EPOCH, null, null, null, bare, null, null, Long.MIN_VALUE);
    assertSame(roundTrip(s), s);

    Session opaque = session(tokens("2YotnFZFEjr1zCsicMWpAA", "", "tGzv3JOkF0XG5Qx2TlKWIA=="), Map.of(), Map.of());
    assertSame(roundTrip(opaque), opaque);
    Session max = new Session("id", Instant.MAX, Instant.MIN, "s", "", "", bare, Map.of(), Map.of(), Long.MAX_VALUE);
    assertSame(roundTrip(max), max);
  }

  @Test
  void tokensThatAreNotCanonicalBase64urlComeBackAsTheyWere() {
    String payload = b64("{\"sub\":\"alice\"}");
    List<String> odd = List.of(
        "eyJhbGciOiJub25lIn0." + payload + ".",             // unsecured JWT: empty signature segment
        "eyJhbGciOiJub25lIn0=." + payload + ".c2ln",        // padding
        "eyJhbGciOiJub25lIn1." + payload + ".c2ln",         // non-zero unused bits (decodes, re-encodes differently)
        "eyJhbGciOiJub25lIn0." + payload + ".c2l",          // a length that cannot be base64url
        "a+b/c." + payload + ".sig",                        // standard (not url) alphabet
        " eyJ." + payload + ".sig",                         // whitespace
        "..",
        ".",
        "a..b",
        "x".repeat(17).replace("", ".").substring(1),       // more segments than a JOSE object has
        "ünïcødé.tökén",
        "lone \uD800 surrogate",
        "Bearer abc",
        "");
    for (String t : odd) {
      Session s = session(tokens(t, t, t), Map.of(), Map.of());
      assertThat(roundTrip(s).tokens()).as(t).isEqualTo(s.tokens());
    }
  }

  @Test
  void jweLikeFiveSegmentTokensRoundTripAndTheirClaimsAreKept() {
    byte[] b = new byte[300];
    random.nextBytes(b);
    String jwe = b64("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}") + "." + B64.encodeToString(Arrays.copyOf(b, 256)) + "."
        + B64.encodeToString(Arrays.copyOfRange(b, 0, 12)) + "." + B64.encodeToString(Arrays.copyOfRange(b, 12, 300)) + "."
        + B64.encodeToString(Arrays.copyOfRange(b, 100, 116));
    String dirJwe = b64("{\"alg\":\"dir\",\"enc\":\"A128GCM\"}") + "..aXY." + b64("ciphertext") + ".dGFn";
    for (String t : List.of(jwe, dirJwe)) {
      Session s = session(tokens(t, t, t), Map.of("sub", "alice", "exp", 1767261900L), Map.of());
      assertThat(CompactSessionCodec.claimsFollowIdToken(s)).isFalse();
      assertSame(roundTrip(s), s);
    }
  }

  @Test
  void claimsOfEveryJsonTypeRoundTripWithLongIntegers() {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("string", "s \"quoted\" \\ ünïcødé 😀");
    claims.put("long", 1L << 40);
    claims.put("negative", -3L);
    claims.put("double", 0.25);
    claims.put("true", true);
    claims.put("false", false);
    claims.put("null", null);
    claims.put("array", List.of(1L, "two", List.of(), Map.of("k", "v")));
    claims.put("object", Map.of("nested", Map.of("deeper", List.of(true))));
    claims.put("empty", Map.of());
    Session s = session(tokens(jwt("{}"), jwt("{\"sub\":\"alice\"}"), null), claims, claims);
    assertThat(CompactSessionCodec.claimsFollowIdToken(s)).isFalse();
    assertSame(roundTrip(s), s);

    // Integers in any Java width come back as Long, as from SessionCodec.
    Session ints = session(tokens(null, null, null), Map.of("exp", 5, "n", (short) 2), Map.of("b", (byte) 1));
    Session back = roundTrip(ints);
    assertThat(back.idTokenClaims()).containsEntry("exp", 5L).containsEntry("n", 2L);
    assertThat(back.userinfo()).containsEntry("b", 1L);
  }

  @Test
  void idTokenClaimsThatDifferFromThePayloadAreKeptAsTheyAre() {
    String payload = "{\"sub\":\"alice\",\"exp\":1767261900,\"name\":\"Alice\"}";
    String idt = jwt(payload);
    List<Map<String, Object>> differing = new ArrayList<>();
    differing.add(map("sub", "alice", "exp", 1767261900L, "name", "Bob"));         // a value
    differing.add(map("sub", "alice", "exp", 1767261900L));                        // a claim fewer
    differing.add(map("sub", "alice", "exp", 1767261900L, "name", List.of("Alice"))); // a type
    differing.add(map("sub", "alice", "exp", 1767261900, "name", "Alice"));        // Integer, not Long
    for (Map<String, Object> claims : differing) {
      Session s = session(tokens(null, idt, null), claims, Map.of());
      assertThat(CompactSessionCodec.claimsFollowIdToken(s)).isFalse();
      Session back = roundTrip(s);
      assertThat(back.idTokenClaims()).containsExactlyEntriesOf(
          claims.get("exp") instanceof Integer ? map("sub", "alice", "exp", 1767261900L, "name", "Alice") : claims);
      assertThat(back.tokens().idToken()).isEqualTo(idt);
    }
    Session same = session(tokens(null, idt, null), map("sub", "alice", "exp", 1767261900L, "name", "Alice"), Map.of());
    assertThat(CompactSessionCodec.claimsFollowIdToken(same)).isTrue();
    assertSame(roundTrip(same), same);
    // Another order is still the same claims; they come back in the token's order.
    Session reordered = session(tokens(null, idt, null), map("name", "Alice", "exp", 1767261900L, "sub", "alice"), Map.of());
    assertThat(CompactSessionCodec.claimsFollowIdToken(reordered)).isTrue();
    assertThat(roundTrip(reordered)).isEqualTo(reordered);
    assertThat(roundTrip(reordered).idTokenClaims().keySet()).containsExactly("sub", "exp", "name");
  }

  @Test
  void largeAndIncompressibleRecordsRoundTrip() {
    byte[] noise = new byte[20_000];
    random.nextBytes(noise);
    String big = B64.encodeToString(noise);
    Session s = session(tokens(big, "x", big + "." + big), Map.of("blob", big), Map.of("blob", "a".repeat(100_000)));
    assertSame(roundTrip(s), s);
  }

  @Test
  void damagedRecordsAreRefusedWithOneExceptionType() {
    Session s = session(tokens(jwt("{\"sub\":\"alice\"}"), jwt("{\"sub\":\"alice\"}"), "rt"), Map.of("sub", "alice"), Map.of("a", 1L));
    byte[] good = CompactSessionCodec.encode(s);
    assertThat(good[0]).as("deflated").isEqualTo((byte) 1);
    List<byte[]> bad = new ArrayList<>();
    bad.add(new byte[0]);
    bad.add(new byte[] {9});
    bad.add(new byte[] {1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F}); // absurd length
    for (int n = 1; n < good.length; n += Math.max(1, good.length / 40)) {
      bad.add(Arrays.copyOf(good, n)); // truncated
    }
    for (int i = 1; i < good.length; i++) {
      byte[] flipped = good.clone();
      flipped[i] ^= (byte) (1 << (i % 8));
      bad.add(flipped);
    }
    byte[] trailing = Arrays.copyOf(good, good.length + 1);
    bad.add(trailing);
    int refused = 0;
    for (byte[] b : bad) {
      // The varint length, the zlib header and the Adler-32 catch damage; only a flip in the unused
      // padding bits of deflate's last byte changes nothing, and then it is the very same session.
      try {
        assertThat(CompactSessionCodec.decode(b)).isEqualTo(s);
      } catch (IllegalArgumentException e) {
        refused++;
      }
    }
    assertThat(refused).isGreaterThanOrEqualTo(bad.size() - 7);
    // Uncompressed form: garbage after the format byte is refused too.
    byte[] raw = CompactSessionCodec.serialize(s);
    for (int n = 0; n < raw.length; n++) {
      byte[] stored = new byte[n + 1];
      System.arraycopy(raw, 0, stored, 1, n);
      assertThatThrownBy(() -> CompactSessionCodec.decode(stored)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void randomBytesNeverThrowAnythingButIllegalArgument() {
    Random r = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      byte[] b = new byte[r.nextInt(64)];
      r.nextBytes(b);
      if (b.length > 0) {
        b[0] = (byte) r.nextInt(2);
      }
      try {
        CompactSessionCodec.decode(b);
      } catch (IllegalArgumentException expected) {
        // fine
      }
    }
  }

  static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
