package dev.hourglass.bench;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.gateway.crypto.SecretKeys;
import dev.hourglass.gateway.session.CompactSessionCodec;
import dev.hourglass.gateway.session.MemorySessionStore;
import dev.hourglass.gateway.session.SessionCodec;
import dev.hourglass.gateway.session.Session;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Session (de)serialisation: as the file and Redis stores do it (JSON + AES-GCM seal, and open), and
 * the memory store's compact form ({@link CompactSessionCodec}: encode on save, decode on a load that
 * misses the decoded-session cache, measured with that cache off as {@code memoryStoreLoadMiss}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SessionCodecBenchmark {
  SessionCodec codec;
  Session session;
  Instant retainUntil;
  String storeKey;
  byte[] sealed;
  byte[] compact;
  MemorySessionStore coldStore;

  @Setup
  public void setup() {
    SecretKeys keys = SecretKeys.fromSecret("codec-benchmark-secret-0123456789abcdef01");
    codec = SessionCodec.of(keys);
    Instant now = Instant.parse("2030-01-01T08:00:00Z");
    session = SampleTokens.session(1, now, SampleTokens.random());
    retainUntil = now.plus(Duration.ofHours(9));
    storeKey = keys.sessionIds().storeKey(session.id());
    sealed = codec.seal(session, retainUntil);
    codec.open(storeKey, sealed).orElseThrow();
    compact = CompactSessionCodec.encode(session);
    if (!CompactSessionCodec.decode(compact).equals(session)) {
      throw new IllegalStateException("compact form does not round-trip");
    }
    String previous = System.getProperty(MemorySessionStore.HOT_ENTRIES_PROPERTY);
    System.setProperty(MemorySessionStore.HOT_ENTRIES_PROPERTY, "0");
    try {
      coldStore = new MemorySessionStore(keys.sessionIds(), ControllableClock.startingAt(now), 10);
    } finally {
      if (previous == null) {
        System.clearProperty(MemorySessionStore.HOT_ENTRIES_PROPERTY);
      } else {
        System.setProperty(MemorySessionStore.HOT_ENTRIES_PROPERTY, previous);
      }
    }
    coldStore.save(session, retainUntil);
    System.out.printf("%ncompact record: %d bytes (JSON %d bytes, sealed %d bytes)%n", compact.length,
        SessionCodec.toJson(session, retainUntil).length, sealed.length);
  }

  @Benchmark
  public byte[] compactEncode() {
    return CompactSessionCodec.encode(session);
  }

  @Benchmark
  public Session compactDecode() {
    return CompactSessionCodec.decode(compact);
  }

  /** HMAC store key + Caffeine lookup + decode: a load whose session is not in the decoded cache. */
  @Benchmark
  public Session memoryStoreLoadMiss() {
    return coldStore.loadNow(session.id()).orElseThrow();
  }

  @Benchmark
  public byte[] seal() {
    return codec.seal(session, retainUntil);
  }

  @Benchmark
  public Object open() {
    return codec.open(storeKey, sealed).orElseThrow();
  }

  @Benchmark
  public byte[] toJson() {
    return SessionCodec.toJson(session, retainUntil);
  }
}
