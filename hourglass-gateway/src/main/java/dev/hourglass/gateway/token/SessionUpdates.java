package dev.hourglass.gateway.token;

import dev.hourglass.gateway.session.Session;
import dev.hourglass.gateway.session.SessionStore;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Read-modify-write of one session, serialised per session id inside this gateway. A refresh that
 * stores rotated tokens and a request that only bumps {@code lastSeenAt} can race; without this a
 * touch that read the old record could write the old refresh token back over the rotated one.
 * Each update reads the latest record from the store, applies its change and saves, one at a time.
 */
public final class SessionUpdates {
  /** How long after its own expiry a store may keep a record, so expiry is seen (and logged) on read. */
  static final Duration RETAIN_GRACE = Duration.ofDays(1);

  private final SessionStore store;
  private final Duration idleTimeout;
  private final Duration maxLifetime;
  private final Map<String, Future<?>> tails = new ConcurrentHashMap<>();

  public SessionUpdates(SessionStore store, Duration idleTimeout, Duration maxLifetime) {
    this.store = store;
    this.idleTimeout = idleTimeout;
    this.maxLifetime = maxLifetime;
  }

  public SessionStore store() {
    return store;
  }

  /**
   * Applies {@code change} to the latest stored record of {@code id}. A change returning null
   * (or the same record) writes nothing. Empty when the session no longer exists.
   */
  public Future<Optional<Session>> update(String id, UnaryOperator<Session> change) {
    Future<Optional<Session>> next;
    synchronized (tails) {
      Future<?> prev = tails.getOrDefault(id, Future.succeededFuture());
      next = prev.transform(ignored -> store.load(id).compose(found -> {
        if (found.isEmpty()) {
          return Future.succeededFuture(Optional.<Session>empty());
        }
        Session changed = change.apply(found.get());
        if (changed == null || changed == found.get()) {
          return Future.succeededFuture(found);
        }
        return store.save(changed, retainUntil(changed)).map(v -> Optional.of(changed));
      }));
      tails.put(id, next);
    }
    Future<Optional<Session>> mine = next;
    mine.onComplete(ar -> tails.remove(id, mine));
    return mine;
  }

  /** Saves a brand-new session. */
  public Future<Void> create(Session s) {
    return store.save(s, retainUntil(s));
  }

  /** The store may forget the record after this (its latest possible expiry, plus grace). */
  public Instant retainUntil(Session s) {
    Instant max = s.maxExpiresAt(maxLifetime);
    Instant idle = s.idleExpiresAt(idleTimeout);
    Instant end = max == null ? idle : (idle == null ? max : (idle.isBefore(max) ? idle : max));
    if (end == null) {
      end = s.createdAt().plus(Duration.ofDays(400));
    }
    return end.plus(RETAIN_GRACE);
  }
}
