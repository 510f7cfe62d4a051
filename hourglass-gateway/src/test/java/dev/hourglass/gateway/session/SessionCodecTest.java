package dev.hourglass.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.core.model.TokenSet;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionCodecTest {
  final SessionCodec codec = Sessions.codec();
  final Instant retain = Sessions.T0.plusSeconds(8 * 3600);

  @Test
  void jsonRoundTripKeepsEveryField() {
    Session s = Sessions.session("alice", "sid-1").withTokens(
        new TokenSet("at2", "Bearer", "openid", Sessions.T0, Sessions.T0.plusMillis(3_600_123), "id2",
            Sessions.T0, Sessions.T0.plusSeconds(60), "rt2", null, Sessions.T0.plusMillis(5)), null);
    SessionCodec.Stored back = SessionCodec.fromJson(SessionCodec.toJson(s, retain));
    assertThat(back.session()).isEqualTo(s);
    assertThat(back.session().tokens()).isEqualTo(s.tokens());
    assertThat(back.session().version()).isEqualTo(2);
    assertThat(back.retainUntil()).isEqualTo(retain);
    String json = new String(SessionCodec.toJson(s, retain), StandardCharsets.UTF_8);
    assertThat(json).contains("\"access_token_exp\":" + Sessions.T0.plusMillis(3_600_123).toEpochMilli());
  }

  @Test
  void dateClaimsBecomeNumericDatesAndIntsBecomeLongs() {
    Session s = new Session(SessionIds.newId(), Sessions.T0, Sessions.T0, "bob", null, "iss", Sessions.session("x", null).tokens(),
        Map.of("exp", Date.from(Sessions.T0), "n", 5, "list", List.of(1, "two")), Map.of(), 0);
    Session back = SessionCodec.fromJson(SessionCodec.toJson(s, null)).session();
    assertThat(back.idTokenClaims()).containsEntry("exp", Sessions.T0.getEpochSecond()).containsEntry("n", 5L)
        .containsEntry("list", List.of(1L, "two"));
    assertThat(SessionCodec.fromJson(SessionCodec.toJson(s, null)).retainUntil()).isNull();
  }

  @Test
  void sealedRecordsOpenOnlyUnderTheirOwnStoreKey() {
    Session a = Sessions.session("alice", "s1");
    Session b = Sessions.session("bob", "s2");
    String keyA = codec.ids().storeKey(a.id());
    String keyB = codec.ids().storeKey(b.id());
    byte[] sealedA = codec.seal(a, retain);
    String textA = codec.sealToString(a, retain);
    assertThat(codec.open(keyA, sealedA)).hasValueSatisfying(st -> assertThat(st.session()).isEqualTo(a));
    assertThat(codec.open(keyA, textA)).hasValueSatisfying(st -> assertThat(st.retainUntil()).isEqualTo(retain));
    // A record moved under another session's key (file swap) does not open.
    assertThat(codec.open(keyB, sealedA)).isEmpty();
    assertThat(codec.open(keyB, textA)).isEmpty();
    assertThat(new String(sealedA, StandardCharsets.ISO_8859_1)).doesNotContain("alice").doesNotContain("at-alice");
    assertThat(textA).doesNotContain(a.id());
  }

  @Test
  void tamperedTruncatedWrongKeyAndGarbageRecordsAreEmpty() {
    Session a = Sessions.session("alice", "s1");
    String key = codec.ids().storeKey(a.id());
    byte[] sealed = codec.seal(a, retain);
    byte[] flipped = sealed.clone();
    flipped[flipped.length / 2] ^= 0x40;
    assertThat(codec.open(key, flipped)).isEmpty();
    assertThat(codec.open(key, java.util.Arrays.copyOf(sealed, sealed.length - 1))).isEmpty();
    SessionCodec other = new SessionCodec(
        dev.hourglass.gateway.crypto.SecretKeys.fromSecret("a completely different secret 1234567").sessionAead(), codec.ids());
    assertThat(other.open(key, sealed)).isEmpty();
    assertThat(codec.open(key, "not a record".getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(codec.open(key, (byte[]) null)).isEmpty();
    assertThat(codec.open(null, sealed)).isEmpty();
  }

  @Test
  void wellSealedButMalformedJsonIsEmptyNotAnException() {
    var keys = Sessions.keys();
    String id = SessionIds.newId();
    String key = keys.sessionIds().storeKey(id);
    byte[] aad = ("hourglass-session\n" + key).getBytes(StandardCharsets.US_ASCII);
    for (String json : List.of("[]", "{}", "{\"v\":2}", "{\"v\":1,\"id\":\"" + id + "\"}", "null", "{\"v\":1,\"id\":5}",
        "{\"v\":1,\"id\":\"" + id + "\",\"created_at\":\"x\",\"last_seen_at\":1,\"version\":1}",
        "{\"v\":1,\"id\":\"" + id + "\",\"created_at\":1,\"last_seen_at\":1,\"version\":1,\"tokens\":[]}",
        "{\"v\":1,\"id\":\"" + id + "\",\"created_at\":99999999999999999,\"last_seen_at\":1,\"version\":1}",
        "{\"v\":1} {\"v\":1}", "{\"v\":1,\"id\":\"" + SessionIds.newId() + "\",\"created_at\":1,\"last_seen_at\":1,\"version\":1}")) {
      byte[] sealed = keys.sessionAead().seal(json.getBytes(StandardCharsets.UTF_8), aad);
      assertThat(codec.open(key, sealed)).as(json).isEmpty();
    }
    assertThatThrownBy(() -> SessionCodec.fromJson("{".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("session record: not a JSON object");
  }
}
