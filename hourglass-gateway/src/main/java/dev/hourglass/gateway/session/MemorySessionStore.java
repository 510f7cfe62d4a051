package dev.hourglass.gateway.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.hourglass.core.clock.ClockTicker;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The default session store: a bounded Caffeine cache in the gateway's memory.
 *
 * <p>Why plain objects and no encryption here: the record never leaves the process, and anyone who
 * can read the gateway's heap can also read the derived keys next to it, so AES-GCM in memory would
 * add CPU on every request (issue 7 measures that) and no protection. The file and Redis stores,
 * whose bytes do leave the process, seal every record with {@link SessionCodec}. What this store
 * does protect against: it keys entries by the HMAC store key, not the cookie value; it is bounded
 * ({@code maxEntries}) so a login flood cannot exhaust memory; and expiry follows the injected
 * clock through {@link ClockTicker}, each entry expiring at the {@code retainUntil} given to
 * {@link #save} (the gateway still decides idle/absolute expiry on read).
 *
 * <p>Secondary indexes (issuer, sid) and (issuer, sub) serve back-channel logout. They are updated
 * inside the same atomic {@code compute} as the entry, and on eviction/expiry through Caffeine's
 * synchronous eviction listener; lookups re-check every hit against the live entry, so a lagging
 * index can never return a replaced, deleted or expired session.
 */
public final class MemorySessionStore implements SessionStore {
  public static final long DEFAULT_MAX_ENTRIES = 100_000;

  /** A live entry: the session and when the store may forget it. */
  record Entry(Session session, Instant retainUntil) {}

  private record IndexKey(String issuer, String value) {}

  private final SessionIds ids;
  private final Clock clock;
  private final Cache<String, Entry> cache;
  private final ConcurrentHashMap<IndexKey, Set<String>> bySid = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<IndexKey, Set<String>> bySub = new ConcurrentHashMap<>();
  private final BiConsumer<String, RemovalCause> onEvicted;

  public MemorySessionStore(SessionIds ids, Clock clock, long maxEntries) {
    this(ids, clock, maxEntries, (k, c) -> {});
  }

  /** {@code onEvicted} hears (store key, cause) when Caffeine drops an entry by size or expiry. */
  MemorySessionStore(SessionIds ids, Clock clock, long maxEntries, BiConsumer<String, RemovalCause> onEvicted) {
    this.ids = Objects.requireNonNull(ids, "ids");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.onEvicted = Objects.requireNonNull(onEvicted, "onEvicted");
    if (maxEntries < 1) {
      throw new IllegalArgumentException("max-entries: must be at least 1");
    }
    this.cache = Caffeine.newBuilder()
        .ticker(new ClockTicker(clock))
        .executor(Runnable::run)
        .maximumSize(maxEntries)
        .expireAfter(new RetainUntil())
        .evictionListener((String key, Entry entry, RemovalCause cause) -> {
          if (key != null && entry != null) {
            unindex(key, entry.session());
            this.onEvicted.accept(key, cause);
          }
        })
        .build();
  }

  @Override
  public Future<Optional<Session>> load(String id) {
    return Future.succeededFuture(loadNow(id));
  }

  /** Synchronous load; empty for malformed ids without touching the cache. */
  public Optional<Session> loadNow(String id) {
    return ids.storeKeyOf(id).flatMap(this::peek).map(Entry::session);
  }

  @Override
  public Future<Void> save(Session session, Instant retainUntil) {
    try {
      saveNow(session, retainUntil);
      return Future.succeededFuture();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
  }

  /** Synchronous save; returns the store key. */
  String saveNow(Session session, Instant retainUntil) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(retainUntil, "retainUntil");
    String key = ids.storeKey(session.id());
    put(key, new Entry(session, retainUntil));
    return key;
  }

  /** Inserts or replaces under {@code key}, keeping the indexes in step. */
  void put(String key, Entry entry) {
    cache.asMap().compute(key, (k, old) -> {
      if (old != null) {
        unindex(k, old.session());
      }
      index(k, entry.session());
      return entry;
    });
  }

  @Override
  public Future<Boolean> delete(String id) {
    return Future.succeededFuture(ids.storeKeyOf(id).map(this::remove).orElse(false));
  }

  /** Removes by store key; true if a live entry was there. */
  boolean remove(String key) {
    boolean[] existed = {false};
    cache.asMap().computeIfPresent(key, (k, old) -> {
      unindex(k, old.session());
      existed[0] = true;
      return null;
    });
    return existed[0];
  }

  /** The live (unexpired) entry under a store key. */
  Optional<Entry> peek(String key) {
    return Optional.ofNullable(cache.getIfPresent(key));
  }

  @Override
  public Future<List<Session>> findByOpSessionId(String issuer, String sid) {
    return Future.succeededFuture(find(bySid, issuer, sid, true));
  }

  @Override
  public Future<List<Session>> findBySubject(String issuer, String subject) {
    return Future.succeededFuture(find(bySub, issuer, subject, false));
  }

  private List<Session> find(ConcurrentHashMap<IndexKey, Set<String>> index, String issuer, String value, boolean sid) {
    if (issuer == null || value == null) {
      return List.of();
    }
    Set<String> keys = index.get(new IndexKey(issuer, value));
    if (keys == null) {
      return List.of();
    }
    List<Session> out = new ArrayList<>();
    for (String key : keys.toArray(String[]::new)) {
      Entry e = cache.getIfPresent(key);
      if (e != null && issuer.equals(e.session().issuer())
          && value.equals(sid ? e.session().opSessionId() : e.session().subject())) {
        out.add(e.session());
      }
    }
    return out;
  }

  @Override
  public Future<Void> close() {
    cache.invalidateAll();
    bySid.clear();
    bySub.clear();
    return Future.succeededFuture();
  }

  /** Runs pending expiry/eviction now (tests; also called by the file store). */
  public void cleanUp() {
    cache.cleanUp();
  }

  /** Live entries (approximate until {@link #cleanUp}). */
  public long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  /** Total keys in both secondary indexes (tests assert they do not leak). */
  int indexedKeys() {
    return bySid.values().stream().mapToInt(Set::size).sum() + bySub.values().stream().mapToInt(Set::size).sum();
  }

  Clock clock() {
    return clock;
  }

  private void index(String key, Session s) {
    if (s.issuer() == null) {
      return;
    }
    if (s.opSessionId() != null) {
      addTo(bySid, new IndexKey(s.issuer(), s.opSessionId()), key);
    }
    if (s.subject() != null) {
      addTo(bySub, new IndexKey(s.issuer(), s.subject()), key);
    }
  }

  private void unindex(String key, Session s) {
    if (s.issuer() == null) {
      return;
    }
    if (s.opSessionId() != null) {
      removeFrom(bySid, new IndexKey(s.issuer(), s.opSessionId()), key);
    }
    if (s.subject() != null) {
      removeFrom(bySub, new IndexKey(s.issuer(), s.subject()), key);
    }
  }

  private static void addTo(ConcurrentHashMap<IndexKey, Set<String>> index, IndexKey ik, String key) {
    // Inside compute so a concurrent removeFrom cannot drop the set between lookup and add.
    index.compute(ik, (k, set) -> {
      Set<String> s = set == null ? ConcurrentHashMap.newKeySet() : set;
      s.add(key);
      return s;
    });
  }

  private static void removeFrom(ConcurrentHashMap<IndexKey, Set<String>> index, IndexKey ik, String key) {
    index.computeIfPresent(ik, (k, set) -> {
      set.remove(key);
      return set.isEmpty() ? null : set;
    });
  }

  /** Each entry lives until its retainUntil, measured on the injected clock's ticker. */
  private static final class RetainUntil implements Expiry<String, Entry> {
    private static final long MAX_RETAIN_NANOS = 100L * 365 * 24 * 3600 * 1_000_000_000L;

    @Override
    public long expireAfterCreate(String key, Entry value, long currentTime) {
      return remaining(value, currentTime);
    }

    @Override
    public long expireAfterUpdate(String key, Entry value, long currentTime, long currentDuration) {
      return remaining(value, currentTime);
    }

    @Override
    public long expireAfterRead(String key, Entry value, long currentTime, long currentDuration) {
      return currentDuration;
    }

    private static long remaining(Entry value, long nowNanos) {
      Instant until = value.retainUntil();
      long untilNanos;
      try {
        untilNanos = Math.addExact(Math.multiplyExact(until.getEpochSecond(), 1_000_000_000L), until.getNano());
      } catch (ArithmeticException e) {
        return until.getEpochSecond() < 0 ? 0 : MAX_RETAIN_NANOS;
      }
      long d = untilNanos - nowNanos;
      return Math.max(0, Math.min(d, MAX_RETAIN_NANOS));
    }
  }
}
