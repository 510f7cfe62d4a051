package dev.hourglass.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.clock.ControllableClock;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SessionStore} must do, whatever it keeps sessions in. Each store's test
 * extends this (memory, file; the Redis store of the next issue too).
 */
abstract class SessionStoreContract {
  static final String ISS = "http://127.0.0.1:9090";
  protected final ControllableClock clock = ControllableClock.startingAt(Sessions.T0);
  protected final Instant retain = Sessions.T0.plus(Duration.ofHours(8));
  protected SessionStore store;

  /** A fresh, empty store on {@link #clock}. */
  protected abstract SessionStore newStore() throws Exception;

  /** Closes the store and opens it again on the same backing data (or returns it as is for memory). */
  protected abstract SessionStore reopen(SessionStore old) throws Exception;

  @BeforeEach
  void createStore() throws Exception {
    store = newStore();
  }

  /** Releases what {@link #newStore} needed besides the store (runs after the store is closed). */
  protected void release() throws Exception {}

  @AfterEach
  void closeStore() throws Exception {
    try {
      await(store.close());
    } finally {
      release();
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void contract_saveThenLoadReturnsAnEqualSession() throws Exception {
    Session s = Sessions.session("alice", "sid-a");
    await(store.save(s, retain));
    assertThat(await(store.load(s.id()))).contains(s);
  }

  @Test
  void contract_unknownMalformedAndNullIdsLoadNothing() throws Exception {
    assertThat(await(store.load(SessionIds.newId()))).isEmpty();
    assertThat(await(store.load("x"))).isEmpty();
    assertThat(await(store.load("A".repeat(100_000)))).isEmpty();
    assertThat(await(store.load(null))).isEmpty();
    assertThat(await(store.delete(null))).isFalse();
  }

  @Test
  void contract_saveReplacesAndTheLatestVersionWins() throws Exception {
    Session s = Sessions.session("alice", "sid-a");
    await(store.save(s, retain));
    Session newer = s.withLastSeenAt(Sessions.T0.plusSeconds(10));
    await(store.save(newer, retain));
    store = reopen(store);
    assertThat(await(store.load(s.id()))).contains(newer);
  }

  @Test
  void contract_deleteForgetsTheSessionAndItsIndexEntries() throws Exception {
    Session s = Sessions.session("alice", "sid-a");
    await(store.save(s, retain));
    assertThat(await(store.delete(s.id()))).isTrue();
    assertThat(await(store.delete(s.id()))).isFalse();
    store = reopen(store);
    assertThat(await(store.load(s.id()))).isEmpty();
    assertThat(await(store.findByOpSessionId(ISS, "sid-a"))).isEmpty();
    assertThat(await(store.findBySubject(ISS, "alice"))).isEmpty();
  }

  @Test
  void contract_findsBySidAndBySubjectWithinOneIssuerOnly() throws Exception {
    Session a1 = Sessions.session("alice", "sid-1");
    Session a2 = Sessions.session("alice", "sid-2");
    Session elsewhere = Sessions.session(SessionIds.newId(), "http://other-op", "alice", "sid-1", Sessions.T0);
    for (Session s : List.of(a1, a2, elsewhere)) {
      await(store.save(s, retain));
    }
    store = reopen(store);
    assertThat(await(store.findByOpSessionId(ISS, "sid-1"))).containsExactly(a1);
    assertThat(await(store.findBySubject(ISS, "alice"))).containsExactlyInAnyOrder(a1, a2);
    assertThat(await(store.findBySubject("http://other-op", "alice"))).containsExactly(elsewhere);
    assertThat(await(store.findByOpSessionId(ISS, "nope"))).isEmpty();
  }

  @Test
  void contract_replacingMovesIndexEntries() throws Exception {
    Session s = Sessions.session("alice", "sid-1");
    await(store.save(s, retain));
    Session moved = new Session(s.id(), s.createdAt(), s.lastSeenAt(), "alice2", "sid-2", ISS, s.tokens(),
        s.idTokenClaims(), s.userinfo(), s.version() + 1);
    await(store.save(moved, retain));
    assertThat(await(store.findByOpSessionId(ISS, "sid-1"))).isEmpty();
    assertThat(await(store.findBySubject(ISS, "alice"))).isEmpty();
    assertThat(await(store.findByOpSessionId(ISS, "sid-2"))).containsExactly(moved);
  }

  @Test
  void contract_nothingIsReturnedAtOrAfterRetainUntilOnTheClock() throws Exception {
    Session s = Sessions.session("alice", "sid-a");
    await(store.save(s, Sessions.T0.plusSeconds(60)));
    clock.set(Sessions.T0.plusSeconds(60).minusMillis(1));
    assertThat(await(store.load(s.id()))).isPresent();
    clock.set(Sessions.T0.plusSeconds(60));
    assertThat(await(store.load(s.id()))).isEmpty();
    assertThat(await(store.findByOpSessionId(ISS, "sid-a"))).isEmpty();
    assertThat(await(store.findBySubject(ISS, "alice"))).isEmpty();
  }

  @Test
  void contract_malformedSessionIdsCannotBeSaved() throws Exception {
    Session bad = new Session("not-a-session-id", Sessions.T0, Sessions.T0, "x", null, ISS,
        Sessions.session("x", null).tokens(), null, null, 0);
    Future<Void> saved = store.save(bad, retain);
    assertThat(saved.toCompletionStage().toCompletableFuture()).failsWithin(Duration.ofSeconds(10));
  }
}
