package dev.hourglass.gateway.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.hourglass.core.clock.ClockTicker;
import io.vertx.core.Future;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.ToLongBiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default session store: a bounded Caffeine cache in the gateway's memory.
 *
 * <p>Why plain bytes and no encryption here: the record never leaves the process, and anyone who
 * can read the gateway's heap can also read the derived keys next to it, so AES-GCM in memory would
 * add CPU on every request (issue 7 measures that) and no protection. The file and Redis stores,
 * whose bytes do leave the process, seal every record with {@link SessionCodec}. What this store
 * does protect against: it keys entries by the HMAC store key, not the cookie value; it is bounded
 * ({@code maxEntries}) so a login flood cannot exhaust memory; and expiry follows the injected
 * clock through {@link ClockTicker}, each entry expiring at the {@code retainUntil} given to
 * {@link #save} (the gateway still decides idle/absolute expiry on read).
 *
 * <p>Why compact records (issue 7: 100,000 sessions in at most 256 MB of heap): a decoded
 * {@link Session} with two ~1.1 KB JWTs costs 5.7 to 7 KB of heap (token text as Strings, the ID
 * token's claims a second time as a map, Instants, index sets): 100,000 of them take 550 to 670 MB.
 * Each entry therefore holds the session in {@link CompactSessionCodec} form (JWT segments as
 * decoded bytes, ID-token claims as a reference to the token's payload, deflated): about 1.1 KB for
 * two such JWTs and an opaque refresh token, about 1.65 KB per session with the cache entry, key and
 * indexes.
 *
 * <p>The hot path stays as fast: the gateway loads the session on every proxied request, so a small
 * bounded cache of decoded sessions ({@value #DEFAULT_HOT_ENTRIES} by default, system property
 * {@value #HOT_ENTRIES_PROPERTY}; about 7 MB at that bound) serves it, and a hot session costs two
 * cache lookups and no decode. {@link #save} puts the saved session in it as is; a miss decodes the
 * record (tens of microseconds) and caches the result. A hot value is the pair (compact entry
 * object, decoded session) and is used only while that very entry object is still the live one in
 * the main cache, so a racing save, delete, expiry or eviction can never make {@link #load} return
 * an old session; at worst it costs one decode. Claims come back with JSON types (integers as
 * {@code Long}), as from the file and Redis stores; the gateway's claims (Nimbus
 * {@code toJSONObject()}) already have them.
 *
 * <p>Secondary indexes (issuer, sid) and (issuer, sub) serve back-channel logout. To stay small they
 * map a seeded 64-bit hash of (issuer, value) to the store key (one String, shared with the cache
 * key) or, when several sessions share it, an array of keys. They are updated inside the same atomic
 * {@code compute} as the entry, and on eviction/expiry through Caffeine's synchronous eviction
 * listener; lookups re-check every hit against the live, decoded entry, so a lagging index or a
 * hash collision can never return a replaced, deleted, expired or foreign session.
 */
public final class MemorySessionStore implements SessionStore {
  private static final Logger LOG = LoggerFactory.getLogger(MemorySessionStore.class);
  public static final long DEFAULT_MAX_ENTRIES = 100_000;
  /** Decoded sessions kept for the hot path, unless {@value #HOT_ENTRIES_PROPERTY} says otherwise. */
  public static final int DEFAULT_HOT_ENTRIES = 1_024;
  /** System property: how many decoded sessions to keep (0 = decode on every load). */
  public static final String HOT_ENTRIES_PROPERTY = "hourglass.session.hot-entries";

  /** A live entry, decoded: the session and when the store may forget it. */
  record Entry(Session session, Instant retainUntil) {}

  /**
   * What the store keeps per session: the compact record, its retain-until, and the index hashes
   * (so unindexing on replace or eviction needs no decode). Compared by identity.
   */
  static final class Packed {
    final byte[] record;
    final long retainSeconds;
    final int retainNanos;
    final boolean hasSid;
    final boolean hasSub;
    final long sidHash;
    final long subHash;

    Packed(byte[] record, Instant retainUntil, boolean hasSid, long sidHash, boolean hasSub, long subHash) {
      this.record = record;
      this.retainSeconds = retainUntil.getEpochSecond();
      this.retainNanos = retainUntil.getNano();
      this.hasSid = hasSid;
      this.sidHash = sidHash;
      this.hasSub = hasSub;
      this.subHash = subHash;
    }

    Instant retainUntil() {
      return Instant.ofEpochSecond(retainSeconds, retainNanos);
    }
  }

  /** A decoded session, valid only while {@code packed} is the live entry. */
  private record Hot(Packed packed, Session session) {}

  private final SessionIds ids;
  private final Clock clock;
  private final long hashSeed = new SecureRandom().nextLong();
  private final ToLongBiFunction<String, String> indexHash;
  private final Cache<String, Packed> cache;
  private final Cache<String, Hot> hot;
  private final ConcurrentHashMap<Long, Object> bySid = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Object> bySub = new ConcurrentHashMap<>();
  private final BiConsumer<String, RemovalCause> onEvicted;

  public MemorySessionStore(SessionIds ids, Clock clock, long maxEntries) {
    this(ids, clock, maxEntries, hotEntriesFromProperty(), (k, c) -> {});
  }

  /** {@code onEvicted} hears (store key, cause) when Caffeine drops an entry by size or expiry. */
  MemorySessionStore(SessionIds ids, Clock clock, long maxEntries, BiConsumer<String, RemovalCause> onEvicted) {
    this(ids, clock, maxEntries, hotEntriesFromProperty(), onEvicted);
  }

  MemorySessionStore(SessionIds ids, Clock clock, long maxEntries, int hotEntries, BiConsumer<String, RemovalCause> onEvicted) {
    this(ids, clock, maxEntries, hotEntries, onEvicted, null);
  }

  /** {@code indexHash} replaces the seeded hash (tests force collisions with it); null = seeded. */
  MemorySessionStore(SessionIds ids, Clock clock, long maxEntries, int hotEntries, BiConsumer<String, RemovalCause> onEvicted,
      ToLongBiFunction<String, String> indexHash) {
    this.indexHash = indexHash != null ? indexHash : this::seededHash;
    this.ids = Objects.requireNonNull(ids, "ids");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.onEvicted = Objects.requireNonNull(onEvicted, "onEvicted");
    if (maxEntries < 1) {
      throw new IllegalArgumentException("max-entries: must be at least 1");
    }
    if (hotEntries < 0) {
      throw new IllegalArgumentException(HOT_ENTRIES_PROPERTY + ": must be at least 0");
    }
    this.hot = Caffeine.newBuilder()
        .executor(Runnable::run)
        .maximumSize(hotEntries)
        .build();
    this.cache = Caffeine.newBuilder()
        .ticker(new ClockTicker(clock))
        .executor(Runnable::run)
        .maximumSize(maxEntries)
        .expireAfter(new RetainUntil())
        .evictionListener((String key, Packed entry, RemovalCause cause) -> {
          if (key != null && entry != null) {
            unindex(key, entry);
            hot.invalidate(key);
            this.onEvicted.accept(key, cause);
          }
        })
        .build();
  }

  private static int hotEntriesFromProperty() {
    String v = System.getProperty(HOT_ENTRIES_PROPERTY);
    if (v == null || v.isBlank()) {
      return DEFAULT_HOT_ENTRIES;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(HOT_ENTRIES_PROPERTY + ": not a number: " + v);
    }
  }

  @Override
  public Future<Optional<Session>> load(String id) {
    return Future.succeededFuture(loadNow(id));
  }

  /** Synchronous load; empty for malformed ids without touching the cache. */
  public Optional<Session> loadNow(String id) {
    return ids.storeKeyOf(id).flatMap(this::live);
  }

  /** The live session under a store key: the hot copy if it belongs to the live entry, else decoded. */
  private Optional<Session> live(String key) {
    Packed p = cache.getIfPresent(key);
    if (p == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(sessionOf(key, p));
  }

  /** The session in {@code p} (hot or decoded); null if its record is unreadable. */
  private Session sessionOf(String key, Packed p) {
    Hot h = hot.getIfPresent(key);
    if (h != null && h.packed() == p) {
      return h.session();
    }
    Session s;
    try {
      s = CompactSessionCodec.decode(p.record);
    } catch (IllegalArgumentException e) {
      // Cannot happen short of a bug or memory corruption; treat it as gone, never fail the request.
      LOG.error("session store: dropping unreadable in-memory session record {}...: {}", key.substring(0, Math.min(8, key.length())), e.getMessage());
      cache.asMap().computeIfPresent(key, (k, cur) -> {
        if (cur != p) {
          return cur;
        }
        unindex(k, cur);
        return null;
      });
      return null;
    }
    // If p was replaced meanwhile this hot value is simply never used (identity check above).
    hot.put(key, new Hot(p, s));
    return s;
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
    Packed p = pack(session, retainUntil);
    put(key, p);
    hot.put(key, new Hot(p, session));
    return key;
  }

  /** Inserts or replaces under {@code key}, keeping the indexes in step (file store: records read at open). */
  void put(String key, Entry entry) {
    put(key, pack(entry.session(), entry.retainUntil()));
  }

  private Packed pack(Session s, Instant retainUntil) {
    byte[] record = CompactSessionCodec.encode(s);
    boolean indexed = s.issuer() != null;
    boolean hasSid = indexed && s.opSessionId() != null;
    boolean hasSub = indexed && s.subject() != null;
    return new Packed(record, retainUntil,
        hasSid, hasSid ? indexHash(s.issuer(), s.opSessionId()) : 0,
        hasSub, hasSub ? indexHash(s.issuer(), s.subject()) : 0);
  }

  private void put(String key, Packed entry) {
    cache.asMap().compute(key, (k, old) -> {
      if (old == null) {
        index(k, entry);
        return entry;
      }
      // Unchanged sid/sub (the usual re-save): leave the index alone, it already names this key.
      if (old.hasSid != entry.hasSid || old.sidHash != entry.sidHash) {
        if (old.hasSid) {
          removeFrom(bySid, old.sidHash, k);
        }
        if (entry.hasSid) {
          addTo(bySid, entry.sidHash, k);
        }
      }
      if (old.hasSub != entry.hasSub || old.subHash != entry.subHash) {
        if (old.hasSub) {
          removeFrom(bySub, old.subHash, k);
        }
        if (entry.hasSub) {
          addTo(bySub, entry.subHash, k);
        }
      }
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
      unindex(k, old);
      existed[0] = true;
      return null;
    });
    hot.invalidate(key);
    return existed[0];
  }

  /** The live (unexpired) entry under a store key, decoded. */
  Optional<Entry> peek(String key) {
    Packed p = cache.getIfPresent(key);
    if (p == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(sessionOf(key, p)).map(s -> new Entry(s, p.retainUntil()));
  }

  @Override
  public Future<List<Session>> findByOpSessionId(String issuer, String sid) {
    return Future.succeededFuture(find(bySid, issuer, sid, true));
  }

  @Override
  public Future<List<Session>> findBySubject(String issuer, String subject) {
    return Future.succeededFuture(find(bySub, issuer, subject, false));
  }

  private List<Session> find(ConcurrentHashMap<Long, Object> index, String issuer, String value, boolean sid) {
    if (issuer == null || value == null) {
      return List.of();
    }
    long h = indexHash(issuer, value);
    Object keys = index.get(h);
    if (keys == null) {
      return List.of();
    }
    List<Session> out = new ArrayList<>();
    for (String key : keys instanceof String one ? new String[] {one} : ((String[]) keys).clone()) {
      Packed p = cache.getIfPresent(key);
      if (p == null || !(sid ? p.hasSid && p.sidHash == h : p.hasSub && p.subHash == h)) {
        continue;
      }
      Session s = sessionOf(key, p);
      // Re-check: the index may lag, and different (issuer, value) pairs may share a hash.
      if (s != null && issuer.equals(s.issuer()) && value.equals(sid ? s.opSessionId() : s.subject())) {
        out.add(s);
      }
    }
    return out;
  }

  @Override
  public Future<Void> close() {
    cache.invalidateAll();
    hot.invalidateAll();
    bySid.clear();
    bySub.clear();
    return Future.succeededFuture();
  }

  /** Runs pending expiry/eviction now (tests; also called by the file store). */
  public void cleanUp() {
    cache.cleanUp();
    hot.cleanUp();
  }

  /** Live entries (approximate until {@link #cleanUp}). */
  public long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  /** Decoded sessions held for the hot path (at most the hot bound; diagnostics and measurements). */
  public long hotSize() {
    hot.cleanUp();
    return hot.estimatedSize();
  }

  /** Total keys in both secondary indexes (tests assert they do not leak). */
  int indexedKeys() {
    return count(bySid) + count(bySub);
  }

  private static int count(ConcurrentHashMap<Long, Object> index) {
    int n = 0;
    for (Object v : index.values()) {
      n += v instanceof String ? 1 : ((String[]) v).length;
    }
    return n;
  }

  Clock clock() {
    return clock;
  }

  /** The live compact entry under a store key (tests damage it to prove loads stay total). */
  Packed packed(String key) {
    return cache.getIfPresent(key);
  }

  private long indexHash(String issuer, String value) {
    return indexHash.applyAsLong(issuer, value);
  }

  /** Seeded per store, so no one can choose values that collide (collisions would only cost decodes). */
  private long seededHash(String issuer, String value) {
    long h = hashSeed ^ mix64(issuer.length() * 0x9E3779B97F4A7C15L + value.length());
    h = hashChars(h, issuer);
    h = hashChars(mix64(h), value);
    return mix64(h);
  }

  private static long hashChars(long h, String s) {
    for (int i = 0; i < s.length(); i++) {
      h = (h ^ s.charAt(i)) * 0x100000001B3L;
      h = Long.rotateLeft(h, 23);
    }
    return h;
  }

  /** Murmur3's 64-bit finaliser. */
  private static long mix64(long z) {
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return z ^ (z >>> 33);
  }

  private void index(String key, Packed p) {
    if (p.hasSid) {
      addTo(bySid, p.sidHash, key);
    }
    if (p.hasSub) {
      addTo(bySub, p.subHash, key);
    }
  }

  private void unindex(String key, Packed p) {
    if (p.hasSid) {
      removeFrom(bySid, p.sidHash, key);
    }
    if (p.hasSub) {
      removeFrom(bySub, p.subHash, key);
    }
  }

  private static void addTo(ConcurrentHashMap<Long, Object> index, long hash, String key) {
    // Inside compute so a concurrent removeFrom cannot lose the add. Values: one key, or an array.
    index.compute(hash, (h, v) -> {
      if (v == null) {
        return key;
      }
      if (v instanceof String one) {
        return one.equals(key) ? one : new String[] {one, key};
      }
      String[] keys = (String[]) v;
      for (String k : keys) {
        if (k.equals(key)) {
          return keys;
        }
      }
      String[] more = Arrays.copyOf(keys, keys.length + 1);
      more[keys.length] = key;
      return more;
    });
  }

  private static void removeFrom(ConcurrentHashMap<Long, Object> index, long hash, String key) {
    index.computeIfPresent(hash, (h, v) -> {
      if (v instanceof String one) {
        return one.equals(key) ? null : one;
      }
      String[] keys = (String[]) v;
      int at = -1;
      for (int i = 0; i < keys.length; i++) {
        if (keys[i].equals(key)) {
          at = i;
          break;
        }
      }
      if (at < 0) {
        return keys;
      }
      if (keys.length == 2) {
        return keys[1 - at];
      }
      String[] fewer = new String[keys.length - 1];
      System.arraycopy(keys, 0, fewer, 0, at);
      System.arraycopy(keys, at + 1, fewer, at, keys.length - at - 1);
      return fewer;
    });
  }

  /** Each entry lives until its retainUntil, measured on the injected clock's ticker. */
  private static final class RetainUntil implements Expiry<String, Packed> {
    private static final long MAX_RETAIN_NANOS = 100L * 365 * 24 * 3600 * 1_000_000_000L;

    @Override
    public long expireAfterCreate(String key, Packed value, long currentTime) {
      return remaining(value, currentTime);
    }

    @Override
    public long expireAfterUpdate(String key, Packed value, long currentTime, long currentDuration) {
      return remaining(value, currentTime);
    }

    @Override
    public long expireAfterRead(String key, Packed value, long currentTime, long currentDuration) {
      return currentDuration;
    }

    private static long remaining(Packed value, long nowNanos) {
      long untilNanos;
      try {
        untilNanos = Math.addExact(Math.multiplyExact(value.retainSeconds, 1_000_000_000L), value.retainNanos);
      } catch (ArithmeticException e) {
        return value.retainSeconds < 0 ? 0 : MAX_RETAIN_NANOS;
      }
      long d = untilNanos - nowNanos;
      return Math.max(0, Math.min(d, MAX_RETAIN_NANOS));
    }
  }
}
