package dev.hourglass.bench;

import dev.hourglass.gateway.crypto.SecretKeys;
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

/** Session (de)serialisation as the file and Redis stores do it: JSON + AES-GCM seal, and open. */
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
