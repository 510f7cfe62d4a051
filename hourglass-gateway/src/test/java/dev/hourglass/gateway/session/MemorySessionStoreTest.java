package dev.hourglass.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.core.clock.ControllableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MemorySessionStoreTest {
  static final String ISS = "http://127.0.0.1:9090";
  final ControllableClock clock = ControllableClock.startingAt(Sessions.T0);
  final MemorySessionStore store = new MemorySessionStore(Sessions.keys().sessionIds(), clock, 1000);
  final Instant retain = Sessions.T0.plus(Duration.ofHours(8));

  @Test
  void savedSessionLoadsBackAndUnknownOrMalformedIdsAreEmpty() {
    Session s = Sessions.session("alice", "sid-a");
    store.save(s, retain).result();
    assertThat(store.load(s.id()).result()).contains(s);
    assertThat(store.load(SessionIds.newId()).result()).isEmpty();
    assertThat(store.load("not-an-id").result()).isEmpty();
    assertThat(store.load(null).result()).isEmpty();
  }

  @Test
  void entryLivesUntilRetainUntilOnTheInjectedClock() {
    Session s = Sessions.session("alice", "sid-a");
    store.save(s, retain).result();
    clock.set(retain.minusMillis(1));
    assertThat(store.load(s.id()).result()).isPresent();
    clock.set(retain);
    assertThat(store.load(s.id()).result()).isEmpty();
    assertThat(store.findBySubject(ISS, "alice").result()).isEmpty();
    store.cleanUp();
    assertThat(store.indexedKeys()).isZero();
    assertThat(store.size()).isZero();
  }

  @Test
  void resavingMovesTheRetainUntil() {
    Session s = Sessions.session("alice", "sid-a");
    store.save(s, Sessions.T0.plusSeconds(60)).result();
    store.save(s.withLastSeenAt(Sessions.T0.plusSeconds(30)), Sessions.T0.plusSeconds(600)).result();
    clock.advance(Duration.ofSeconds(120));
    assertThat(store.load(s.id()).result()).hasValueSatisfying(l -> assertThat(l.version()).isEqualTo(2));
  }

  @Test
  void alreadyExpiredRetainUntilIsNotKept() {
    Session s = Sessions.session("alice", "sid-a");
    store.save(s, Sessions.T0.minusSeconds(1)).result();
    assertThat(store.load(s.id()).result()).isEmpty();
  }

  @Test
  void indexesFindBySidAndSubjectPerIssuer() {
    Session a1 = Sessions.session("alice", "sid-1");
    Session a2 = Sessions.session("alice", "sid-2");
    Session b = Sessions.session("bob", "sid-1-other");
    Session otherIssuer = Sessions.session(SessionIds.newId(), "http://other", "alice", "sid-1", Sessions.T0);
    for (Session s : List.of(a1, a2, b, otherIssuer)) {
      store.save(s, retain).result();
    }
    assertThat(store.findByOpSessionId(ISS, "sid-1").result()).containsExactly(a1);
    assertThat(store.findBySubject(ISS, "alice").result()).containsExactlyInAnyOrder(a1, a2);
    assertThat(store.findBySubject("http://other", "alice").result()).containsExactly(otherIssuer);
    assertThat(store.findBySubject(ISS, "carol").result()).isEmpty();
    assertThat(store.findBySubject(null, "alice").result()).isEmpty();
    assertThat(store.findByOpSessionId(ISS, null).result()).isEmpty();
  }

  @Test
  void indexesFollowReplaceAndDelete() {
    Session a = Sessions.session("alice", "sid-1");
    store.save(a, retain).result();
    Session moved = new Session(a.id(), a.createdAt(), a.lastSeenAt(), "alice", "sid-9", ISS, a.tokens(), a.idTokenClaims(), a.userinfo(), 2);
    store.save(moved, retain).result();
    assertThat(store.findByOpSessionId(ISS, "sid-1").result()).isEmpty();
    assertThat(store.findByOpSessionId(ISS, "sid-9").result()).containsExactly(moved);
    assertThat(store.indexedKeys()).isEqualTo(2);
    assertThat(store.delete(a.id()).result()).isTrue();
    assertThat(store.delete(a.id()).result()).isFalse();
    assertThat(store.delete("garbage").result()).isFalse();
    assertThat(store.findBySubject(ISS, "alice").result()).isEmpty();
    assertThat(store.indexedKeys()).isZero();
  }

  @Test
  void maxEntriesBoundsMemoryAndIndexesStayConsistent() {
    MemorySessionStore small = new MemorySessionStore(Sessions.keys().sessionIds(), clock, 10);
    for (int i = 0; i < 200; i++) {
      small.save(Sessions.session("user" + i, "sid" + i), retain).result();
    }
    long size = small.size();
    assertThat(size).isLessThanOrEqualTo(10);
    assertThat(small.indexedKeys()).isEqualTo(2 * (int) size);
  }

  @Test
  void concurrentSavesAndDeletesLeaveConsistentIndexes() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Session> sessions = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      sessions.add(Sessions.session("u" + (i % 20), "sid" + i));
    }
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < sessions.size(); i++) {
      Session s = sessions.get(i);
      boolean delete = i % 3 == 0;
      futures.add(pool.submit(() -> {
        store.save(s, retain);
        store.save(s.withLastSeenAt(Sessions.T0.plusSeconds(1)), retain);
        if (delete) {
          store.delete(s.id());
        }
      }));
    }
    for (Future<?> f : futures) {
      f.get(10, TimeUnit.SECONDS);
    }
    pool.shutdown();
    long live = sessions.stream().filter(s -> store.load(s.id()).result().isPresent()).count();
    assertThat(live).isEqualTo(sessions.size() - (sessions.size() + 2) / 3);
    assertThat(store.indexedKeys()).isEqualTo(2 * (int) live);
    int found = 0;
    for (int u = 0; u < 20; u++) {
      found += store.findBySubject(ISS, "u" + u).result().size();
    }
    assertThat(found).isEqualTo(live);
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatThrownBy(() -> new MemorySessionStore(Sessions.keys().sessionIds(), clock, 0)).hasMessageStartingWith("max-entries:");
    Session bad = new Session("short", Sessions.T0, Sessions.T0, "x", null, ISS, Sessions.session("x", null).tokens(), null, null, 0);
    assertThat(store.save(bad, retain).failed()).isTrue();
  }
}
