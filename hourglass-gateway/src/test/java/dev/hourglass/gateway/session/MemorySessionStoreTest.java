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

  MemorySessionStore store(long maxEntries, int hotEntries) {
    return new MemorySessionStore(Sessions.keys().sessionIds(), clock, maxEntries, hotEntries, (k, c) -> {});
  }

  @Test
  void sessionsLoadBackEqualFromTheCompactRecordWithoutTheDecodedCache() {
    MemorySessionStore cold = store(1000, 0);
    List<Session> saved = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Session s = Sessions.session("user" + i, i % 2 == 0 ? "sid" + i : null);
      cold.save(s, retain).result();
      saved.add(s);
    }
    assertThat(cold.hotSize()).isZero();
    for (Session s : saved) {
      assertThat(cold.load(s.id()).result()).contains(s);
    }
    assertThat(cold.findBySubject(ISS, "user3").result()).containsExactly(saved.get(3));
    assertThat(cold.findByOpSessionId(ISS, "sid4").result()).containsExactly(saved.get(4));
  }

  @Test
  void theDecodedCacheIsBoundedAndEvictingFromItLosesNothing() {
    MemorySessionStore small = store(1000, 8);
    List<Session> saved = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Session s = Sessions.session("user" + i, "sid" + i);
      small.save(s, retain).result();
      saved.add(s);
    }
    for (Session s : saved) {
      assertThat(small.load(s.id()).result()).contains(s);
    }
    assertThat(small.hotSize()).isLessThanOrEqualTo(8);
    assertThat(small.size()).isEqualTo(200);
    assertThat(new MemorySessionStore(Sessions.keys().sessionIds(), clock, 10).hotSize()).isZero();
    assertThatThrownBy(() -> store(10, -1)).hasMessageStartingWith(MemorySessionStore.HOT_ENTRIES_PROPERTY);
  }

  @Test
  void aHotSessionIsNeverServedAfterItWasReplacedDeletedExpiredOrEvicted() {
    MemorySessionStore s2 = store(2, 16);
    Session a = Sessions.session("alice", "sid-a");
    s2.save(a, retain).result();
    assertThat(s2.load(a.id()).result()).contains(a); // now hot
    Session touched = a.withLastSeenAt(Sessions.T0.plusSeconds(5));
    s2.save(touched, retain).result();
    assertThat(s2.load(a.id()).result()).contains(touched);
    assertThat(s2.delete(a.id()).result()).isTrue();
    assertThat(s2.load(a.id()).result()).isEmpty();
    // Re-created under the same id: the new one, never the hot copy of the old one.
    Session again = touched.withLastSeenAt(Sessions.T0.plusSeconds(9));
    s2.save(again, retain).result();
    assertThat(s2.load(a.id()).result()).contains(again);
    // Evicted by size (max 2 entries) while still hot.
    s2.save(Sessions.session("bob", "sid-b"), retain).result();
    s2.save(Sessions.session("carol", "sid-c"), retain).result();
    s2.save(Sessions.session("dave", "sid-d"), retain).result();
    s2.cleanUp();
    assertThat(s2.size()).isEqualTo(2);
    assertThat(s2.indexedKeys()).isEqualTo(4);
    // Expired while hot.
    Session e = Sessions.session("erin", "sid-e");
    s2.save(e, Sessions.T0.plusSeconds(10)).result();
    assertThat(s2.load(e.id()).result()).contains(e);
    clock.advance(Duration.ofSeconds(10));
    assertThat(s2.load(e.id()).result()).isEmpty();
    assertThat(s2.findBySubject(ISS, "erin").result()).isEmpty();
  }

  @Test
  void aDecodeRacingASaveCannotPinTheOldSession() {
    // Load decodes v1 (not hot), a save of v2 lands, then the decoded v1 goes into the hot cache:
    // the hot value names v1's entry, which is no longer live, so the next load gives v2.
    MemorySessionStore racy = store(100, 16);
    Session v1 = Sessions.session("alice", "sid-a");
    String key = racy.saveNow(v1, retain);
    MemorySessionStore.Packed p1 = racy.packed(key);
    racy.remove(key);
    racy.put(key, new MemorySessionStore.Entry(v1, retain)); // live entry, not hot
    MemorySessionStore.Packed live1 = racy.packed(key);
    assertThat(live1).isNotSameAs(p1);
    assertThat(racy.load(v1.id()).result()).contains(v1); // decoded, now hot (live1, v1)
    Session v2 = v1.withLastSeenAt(Sessions.T0.plusSeconds(1));
    racy.put(key, new MemorySessionStore.Entry(v2, retain)); // a save that does not refresh the hot value
    assertThat(racy.load(v1.id()).result()).contains(v2);
  }

  @Test
  void concurrentLoadsNeverSeeASessionOlderThanTheLastCompletedSave() throws Exception {
    MemorySessionStore shared = store(1000, 4);
    Session base = Sessions.session("alice", "sid-a");
    List<Session> others = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      others.add(Sessions.session("other" + i, "sid-o" + i));
    }
    java.util.concurrent.atomic.AtomicLong completed = new java.util.concurrent.atomic.AtomicLong(0);
    java.util.concurrent.atomic.AtomicBoolean deleted = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<String> failure = new java.util.concurrent.atomic.AtomicReference<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    Future<?> writer = pool.submit(() -> {
      Session cur = base;
      for (int v = 1; v <= 3000; v++) {
        cur = new Session(base.id(), base.createdAt(), Sessions.T0.plusMillis(v), "alice", "sid-a", ISS, base.tokens(),
            base.idTokenClaims(), base.userinfo(), v);
        shared.save(cur, retain);
        completed.set(v);
      }
      shared.delete(base.id());
      deleted.set(true);
    });
    List<Future<?>> readers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      int seed = r;
      readers.add(pool.submit(() -> {
        int i = seed;
        while (!writer.isDone()) {
          long atLeast = completed.get();
          boolean gone = deleted.get();
          java.util.Optional<Session> got = shared.load(base.id()).result();
          if (gone && got.isPresent()) {
            failure.set("loaded a deleted session, version " + got.get().version());
          } else if (got.isPresent() && got.get().version() < atLeast) {
            failure.set("loaded version " + got.get().version() + " after version " + atLeast + " was saved");
          } else if (got.isPresent() && !got.get().lastSeenAt().equals(Sessions.T0.plusMillis(got.get().version()))) {
            failure.set("a torn session");
          }
          // Churn the small decoded cache.
          Session o = others.get(i++ % others.size());
          shared.save(o, retain);
          shared.load(o.id());
        }
      }));
    }
    writer.get(30, TimeUnit.SECONDS);
    for (Future<?> f : readers) {
      f.get(30, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(failure.get()).isNull();
    assertThat(shared.load(base.id()).result()).isEmpty();
    assertThat(shared.indexedKeys()).isEqualTo(2 * others.size());
  }

  @Test
  void aDamagedRecordLoadsAsMissingAndIsDroppedWithItsIndexEntries() {
    MemorySessionStore cold = store(100, 0);
    Session a = Sessions.session("alice", "sid-a");
    String key = cold.saveNow(a, retain);
    byte[] record = cold.packed(key).record;
    for (int i = 1; i < record.length; i++) {
      record[i] ^= 0x5A;
    }
    assertThat(cold.load(a.id()).result()).isEmpty();
    assertThat(cold.findBySubject(ISS, "alice").result()).isEmpty();
    assertThat(cold.indexedKeys()).isZero();
    assertThat(cold.size()).isZero();
    // The store still works for that id.
    cold.save(a, retain).result();
    assertThat(cold.load(a.id()).result()).contains(a);
  }

  @Test
  void hashCollisionsInTheIndexesNeverMixSessionsUp() {
    MemorySessionStore colliding = new MemorySessionStore(Sessions.keys().sessionIds(), clock, 100, 0, (k, c) -> {}, (iss, v) -> 42L);
    Session a = Sessions.session("alice", "sid-a");
    Session b = Sessions.session("bob", "sid-b");
    Session a2 = Sessions.session("alice", "sid-a2");
    for (Session s : List.of(a, b, a2)) {
      colliding.save(s, retain).result();
    }
    assertThat(colliding.findBySubject(ISS, "alice").result()).containsExactlyInAnyOrder(a, a2);
    assertThat(colliding.findBySubject(ISS, "bob").result()).containsExactly(b);
    assertThat(colliding.findByOpSessionId(ISS, "sid-b").result()).containsExactly(b);
    assertThat(colliding.findBySubject("http://other", "bob").result()).isEmpty();
    assertThat(colliding.indexedKeys()).isEqualTo(6);
    colliding.delete(a.id()).result();
    colliding.delete(b.id()).result();
    assertThat(colliding.findBySubject(ISS, "alice").result()).containsExactly(a2);
    assertThat(colliding.indexedKeys()).isEqualTo(2);
    colliding.delete(a2.id()).result();
    assertThat(colliding.indexedKeys()).isZero();
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatThrownBy(() -> new MemorySessionStore(Sessions.keys().sessionIds(), clock, 0)).hasMessageStartingWith("max-entries:");
    Session bad = new Session("short", Sessions.T0, Sessions.T0, "x", null, ISS, Sessions.session("x", null).tokens(), null, null, 0);
    assertThat(store.save(bad, retain).failed()).isTrue();
    // Claims must be JSON values (as for the file and Redis stores): refused clearly, nothing kept.
    Session notJson = new Session(SessionIds.newId(), Sessions.T0, Sessions.T0, "x", null, ISS, Sessions.session("x", null).tokens(),
        java.util.Map.of("thread", new Object()), null, 0);
    assertThat(store.save(notJson, retain).cause()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not JSON-serialisable");
    assertThat(store.load(notJson.id()).result()).isEmpty();
    assertThat(store.indexedKeys()).isZero();
  }
}
