package dev.hourglass.cli;

import dev.hourglass.core.clock.Clocks;
import dev.hourglass.gateway.Gateway;
import dev.hourglass.gateway.GatewayConfig;
import dev.hourglass.op.DevOp;
import dev.hourglass.op.OpConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hourglass cds-training} (hidden): the training run for the launcher's class-data sharing
 * archive. The launcher runs it once per build with {@code -XX:ArchiveClassesAtExit}; the JVM then
 * writes every class this run loaded, already parsed and verified, into the archive, and later starts
 * map it instead of reading and verifying thousands of classes from the jars (issue 7: start to
 * {@code /ready} within 1 s).
 *
 * <p>Why this run: it walks the path of {@code hourglass gateway --config} up to a 200 from
 * {@code /ready} (config file, Vert.x, the gateway, discovery and JWKS over HTTP, the first
 * requests) and the start of {@code hourglass op}, against a dev OP in this process on loopback
 * ports chosen by the system. Nothing leaves the machine and nothing is kept.
 */
@Command(name = "cds-training", hidden = true,
    description = "Training run for the launcher's class-data sharing archive (internal).")
final class CdsTrainingCommand implements Callable<Integer> {
  private static final long TIMEOUT_SECONDS = 60;

  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    // The native signing provider stays out of this run: its jar is signed, so the archive cannot
    // hold its classes anyway, and JDK 17's archive dump crashes (SIGSEGV in
    // adjust_lambda_proxy_class_dictionary) on lambdas of classes it had to leave out.
    System.setProperty("hourglass.native-crypto", "false");
    Path dir = Files.createTempDirectory("hourglass-cds-training");
    Vertx opVertx = VertxRuntime.create();
    Vertx gatewayVertx = null;
    DevOp op = null;
    Gateway gateway = null;
    try {
      // `hourglass op`: the demo OP on a system clock, any free port.
      OpConfig opConfig = OpConfig.demo().withPort(0).withClock("system");
      Clock opClock = Clocks.create(opConfig.clock());
      op = OpLauncher.start(opVertx, opClock, opConfig);
      OpLauncher.banner(op, opConfig, true);

      // `hourglass gateway --config gateway.yaml`: the same steps as GatewayLauncher.run.
      Path config = dir.resolve("gateway.yaml");
      Files.writeString(config, """
          listen: 127.0.0.1:0
          public-url: http://127.0.0.1:8080
          upstream: http://127.0.0.1:9
          provider:
            issuer: %s
            client-id: gateway
            client-secret: ${GATEWAY_CLIENT_SECRET:-gateway-secret}
          session:
            secret: cds-training-only-0123456789abcdef0123456789
          """.formatted(op.issuer()));
      GatewayConfig cfg = GatewayConfig.load(config, main.env());
      Clock clock = Clocks.create(cfg.clock());
      gatewayVertx = VertxRuntime.create();
      gateway = GatewayLauncher.start(gatewayVertx, clock, cfg);
      GatewayLauncher.banner(gateway, cfg);
      await(gateway.ready());

      // The first requests: /ready (what a start waits for), /ping, the login redirect.
      HttpClient client = gatewayVertx.createHttpClient();
      int port = gateway.port();
      StringBuilder seen = new StringBuilder();
      for (String path : new String[] {"/ready", "/ping", "/oauth2/start?rd=/", "/oauth2/session"}) {
        int status = await(client.request(HttpMethod.GET, port, "127.0.0.1", path)
            .compose(req -> req.send().compose(res -> res.body().map(b -> res))).map(HttpClientResponse::statusCode));
        seen.append(path).append(' ').append(status).append("; ");
      }
      await(client.close());
      out.println("cds-training: gateway ready against " + op.issuer() + "; " + seen.toString().trim());
      return 0;
    } finally {
      if (gateway != null) awaitQuietly(gateway.close());
      if (gatewayVertx != null) awaitQuietly(gatewayVertx.close());
      if (op != null) awaitQuietly(op.close());
      awaitQuietly(opVertx.close());
      Files.deleteIfExists(dir.resolve("gateway.yaml"));
      Files.deleteIfExists(dir);
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private static void awaitQuietly(Future<?> f) {
    try {
      await(f);
    } catch (Exception e) {
      // stopping anyway
    }
  }
}
