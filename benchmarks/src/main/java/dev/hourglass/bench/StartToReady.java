package dev.hourglass.bench;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.gateway.Gateway;
import dev.hourglass.gateway.GatewayConfig;
import dev.hourglass.op.DevOp;
import dev.hourglass.op.OpConfig;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * In-process gateway start: {@code Gateway.start} → {@code ready()} (port bound, discovery and JWKS
 * loaded from a dev OP already running in the same process). Prints each of N starts and the median.
 * The JVM-process measurement (java … hourglass gateway until /ready answers 200) is in bench/startup.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.hourglass.bench.StartToReady [N=5]</pre>
 */
public final class StartToReady {
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    long[] ms = measure(n);
    long[] sorted = ms.clone();
    Arrays.sort(sorted);
    System.out.printf("in-process Gateway.start -> ready: %s ms; median %d ms (first start in a fresh JVM: %d ms); target <= 1000 ms: %s%n",
        Arrays.toString(ms), sorted[n / 2], ms[0], sorted[n / 2] <= 1000 ? "MET" : "NOT MET");
  }

  public static long[] measure(int n) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      ControllableClock clock = ControllableClock.startingAt(Instant.parse("2030-01-01T08:00:00Z"));
      DevOp op = RefreshStorm.await(DevOp.start(vertx, clock, OpConfig.demo().withPort(0)));
      long[] ms = new long[n];
      for (int i = 0; i < n; i++) {
        int port = RefreshStorm.freePort();
        GatewayConfig cfg = GatewayConfig.parse("start.yaml", """
            listen: 127.0.0.1:%d
            public-url: http://127.0.0.1:%d
            upstream: http://127.0.0.1:9
            provider:
              issuer: %s
              client-id: gateway
              client-secret: gateway-secret
            session:
              secret: start-to-ready-secret-0123456789abcdef01
            """.formatted(port, port, op.issuer()), Map.of());
        long t0 = System.nanoTime();
        Gateway g = RefreshStorm.await(Gateway.start(vertx, clock, cfg));
        RefreshStorm.await(g.ready());
        ms[i] = (System.nanoTime() - t0) / 1_000_000;
        RefreshStorm.await(g.close());
      }
      RefreshStorm.await(op.close());
      return ms;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private StartToReady() {}
}
