package dev.hourglass.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionIdsTest {
  final SessionIds ids = Sessions.keys().sessionIds();

  @Test
  void newIdsAreWellFormedAndUnique() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      String id = SessionIds.newId();
      assertThat(id).hasSize(43).matches("[A-Za-z0-9_-]{43}");
      assertThat(SessionIds.isWellFormed(id)).isTrue();
      assertThat(seen.add(id)).isTrue();
    }
  }

  @Test
  void storeKeyIsStableKeyedAndRevealsNothingOfTheId() {
    String id = SessionIds.newId();
    String key = ids.storeKey(id);
    assertThat(key).hasSize(43).isEqualTo(ids.storeKey(id)).isNotEqualTo(id).doesNotContain(id.substring(0, 8));
    assertThat(Sessions.keys().sessionIds().storeKey(id)).isEqualTo(key);
    assertThat(new SessionIds(new byte[32]).storeKey(id)).isNotEqualTo(key);
    assertThat(ids.logHandle(id)).hasSize(16).isEqualTo(key.substring(0, 16));
  }

  @Test
  void malformedIdsAreRefusedBeforeAnyCrypto() {
    String id = SessionIds.newId();
    for (String bad : new String[] {null, "", "abc", id + "A", id.substring(1), id.substring(0, 42) + "=",
        id.substring(0, 42) + "!", "A".repeat(42) + "B", " " + id.substring(1), id.substring(0, 42) + "\u00e9",
        "A".repeat(100_000)}) {
      assertThat(SessionIds.isWellFormed(bad)).as(String.valueOf(bad)).isFalse();
      assertThat(ids.storeKeyOf(bad)).isEmpty();
      assertThat(ids.logHandle(bad)).isEqualTo("invalid");
    }
    assertThatThrownBy(() -> ids.storeKey("nope")).isInstanceOf(IllegalArgumentException.class).hasMessage("id: not a session id");
  }

  @Test
  void nonCanonicalTailIsRefusedSoEachIdHasOneSpelling() {
    // "A"*42 + "A" is canonical; "B" differs only in the stray low bits of the last character.
    assertThat(SessionIds.isWellFormed("A".repeat(43))).isTrue();
    assertThat(SessionIds.isWellFormed("A".repeat(42) + "B")).isFalse();
  }
}
