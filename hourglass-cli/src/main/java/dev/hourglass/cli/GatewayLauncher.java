package dev.hourglass.cli;

import dev.hourglass.core.clock.Clocks;
import dev.hourglass.gateway.Gateway;
import dev.hourglass.gateway.GatewayConfig;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.net.BindException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Loads a gateway config, starts the {@link Gateway} on one clock and keeps it running until Ctrl-C. */
final class GatewayLauncher {
  private GatewayLauncher() {}

  static int run(GatewayCommand cmd, Map<String, String> env, PrintWriter out) throws InterruptedException {
    GatewayConfig cfg = GatewayConfig.load(cmd.config, env);
    // The one clock of this process.
    Clock clock = Clocks.create(cfg.clock());
    Vertx vertx = VertxRuntime.create();
    Gateway gateway = start(vertx, clock, cfg);
    out.print(banner(gateway, cfg));
    out.flush();
    gateway.ready().onComplete(r -> {
      out.println(r.succeeded()
          ? "provider ready: " + cfg.provider().issuer()
          : "provider not reachable yet (" + r.cause().getMessage() + "); the gateway keeps retrying");
      out.flush();
    });
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // Ctrl-C / SIGTERM: stop listening, then stop Vert.x, each waited for from this thread (not an event loop).
      await(gateway.close(), 3);
      await(vertx.close(), 5);
      stopped.countDown();
    }, "hourglass-gateway-shutdown"));
    stopped.await();
    return 0;
  }

  static Gateway start(Vertx vertx, Clock clock, GatewayConfig cfg) {
    try {
      return Gateway.start(vertx, clock, cfg).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof BindException || String.valueOf(cause.getMessage()).contains("Address already in use")) {
        throw CliException.failure("hourglass gateway: cannot listen on " + cfg.listen() + " (address already in use); change listen:");
      }
      if (cause instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw CliException.failure("hourglass gateway: could not start: "
          + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()));
    }
  }

  static String banner(Gateway gateway, GatewayConfig cfg) {
    return "Hourglass gateway\n"
        + "  listening:  " + cfg.listenHost() + ":" + gateway.port() + "  (public URL " + cfg.publicUrl() + ")\n"
        + "  upstream:   " + cfg.upstream() + "\n"
        + "  provider:   " + cfg.provider().issuer() + "  (redirect_uri " + cfg.redirectUri() + ")\n"
        + "  clock:      " + cfg.clock()
        + (cfg.virtualClock() ? "  (move it: hourglass clock advance 1h --gateway " + cfg.publicUrl() + ")" : "") + "\n"
        + "  sign in:    " + cfg.publicUrl() + "/oauth2/start   session: " + cfg.publicUrl() + "/oauth2/session\n"
        + "Ctrl-C stops it.\n";
  }
  private static void await(io.vertx.core.Future<?> f, int seconds) {
    try {
      f.toCompletionStage().toCompletableFuture().get(seconds, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      // shutting down anyway
    }
  }
}
