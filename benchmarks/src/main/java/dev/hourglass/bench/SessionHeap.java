package dev.hourglass.bench;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.gateway.crypto.SecretKeys;
import dev.hourglass.gateway.session.MemorySessionStore;
import dev.hourglass.gateway.session.Session;
import dev.hourglass.gateway.session.SessionIds;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;

/**
 * Heap per server-side session (issue 7): fills a {@link MemorySessionStore} with N realistic
 * sessions ({@link SampleTokens}), forces GC before and after, and prints the used-heap delta / N.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.hourglass.bench.SessionHeap [N=100000]</pre>
 * Target: 100,000 sessions in at most 256 MB. The figure includes the store's cache of decoded
 * sessions filled to its bound (the last sessions saved are loaded again before measuring).
 */
public final class SessionHeap {
  public record Result(int sessions, long bytes, long bytesPerSession, int averageTokenChars) {
    public double megabytes() {
      return bytes / (1024.0 * 1024.0);
    }
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    Result r = measure(n);
    Session sample = SampleTokens.session(1, Instant.parse("2030-01-01T08:00:00Z"), SampleTokens.random());
    System.out.printf("sample token sizes: access %d, ID %d, refresh %d characters%n", sample.tokens().accessToken().length(),
        sample.tokens().idToken().length(), sample.tokens().refreshToken().length());
    System.out.printf("session heap: %d sessions in %.1f MB of heap = %d bytes per session "
            + "(access/ID/refresh token %d chars on average); target 100,000 sessions <= 256 MB: %s%n",
        r.sessions(), r.megabytes(), r.bytesPerSession(), r.averageTokenChars(),
        r.bytesPerSession() * 100_000L <= 256L * 1024 * 1024 ? "MET" : "NOT MET");
  }

  public static Result measure(int n) throws Exception {
    ControllableClock clock = ControllableClock.startingAt(Instant.parse("2030-01-01T08:00:00Z"));
    SessionIds ids = SecretKeys.fromSecret("heap-measurement-secret-0123456789abcdef").sessionIds();
    Random random = SampleTokens.random();
    long tokenChars = 0;
    // Warm the classes and the store code first, so class metadata is not counted as session cost.
    MemorySessionStore warm = new MemorySessionStore(ids, clock, 1_000);
    for (int i = 0; i < 500; i++) {
      warm.save(SampleTokens.session(i, clock.instant(), random), clock.instant().plus(Duration.ofHours(9)));
    }
    warm.close();
    warm = null;
    MemorySessionStore store = new MemorySessionStore(ids, clock, Math.max(n, 1));
    long before = usedAfterGc();
    Instant now = clock.instant();
    String[] recent = new String[Math.min(n, MemorySessionStore.DEFAULT_HOT_ENTRIES)];
    for (int i = 0; i < n; i++) {
      Session s = SampleTokens.session(i, now, random);
      tokenChars += s.tokens().accessToken().length() + s.tokens().idToken().length() + s.tokens().refreshToken().length();
      store.save(s, now.plus(Duration.ofHours(9)));
      if (recent.length > 0) {
        recent[i % recent.length] = s.id();
      }
    }
    // The store keeps a bounded cache of decoded sessions for the hot path: count it full, as a
    // busy gateway has it (the last sessions saved, then loaded again).
    for (String id : recent) {
      if (store.loadNow(id).isEmpty()) {
        throw new IllegalStateException("a saved session did not load back");
      }
    }
    store.cleanUp();
    long after = usedAfterGc();
    long size = store.size();
    if (size != n) {
      throw new IllegalStateException("store holds " + size + " sessions, expected " + n);
    }
    long bytes = after - before;
    if (System.getenv("HEAP_HISTO") != null) {
      // Where the bytes go (jcmd GC.class_histogram, top rows).
      Object out = ManagementFactory.getPlatformMBeanServer().invoke(
          new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
          new Object[] {new String[0]}, new String[] {String[].class.getName()});
      String[] lines = String.valueOf(out).split("\n");
      for (int i = 0; i < Math.min(25, lines.length); i++) System.out.println(lines[i]);
    }
    System.out.printf("decoded-session cache: %d of at most %d entries included in the measurement%n", store.hotSize(),
        Integer.getInteger(MemorySessionStore.HOT_ENTRIES_PROPERTY, MemorySessionStore.DEFAULT_HOT_ENTRIES));
    Result r = new Result(n, bytes, n == 0 ? 0 : bytes / n, n == 0 ? 0 : (int) (tokenChars / (3L * n)));
    // Keep the store reachable until after the measurement.
    if (store.size() < 0) System.out.println(store);
    return r;
  }

  static long usedAfterGc() throws InterruptedException {
    var mem = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100); // real time on purpose: lets the collector finish; measurement code, not product code
      used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  private SessionHeap() {}
}
