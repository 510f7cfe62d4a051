package dev.hourglass.cli;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.lab.Lab;
import dev.hourglass.lab.LabOptions;
import dev.hourglass.op.OpConfig;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.net.BindException;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hourglass lab}: the dev OP, the gateway and a demo app in one process on ONE virtual
 * clock, with the timeline page at {@code /oauth2/lab}.
 */
@Command(name = "lab", sortOptions = false,
    description = {"Start the lab: dev OP + gateway + demo app on one virtual clock, with a timeline page.",
        "Ctrl-C stops everything. The subcommands drive a running lab like the page's buttons",
        "(the clock: hourglass clock advance 1h)."},
    subcommands = {LabControl.Refresh.class, LabControl.RotateKeys.class, LabControl.Fault.class,
        LabControl.OpSettings.class, LabControl.Logout.class})
final class LabCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(names = "--gateway-port", paramLabel = "N", description = "Gateway port (default: ${DEFAULT-VALUE}).")
  int gatewayPort = LabOptions.DEFAULT_GATEWAY_PORT;

  @Option(names = "--op-port", paramLabel = "N", description = "Dev OP port (default: ${DEFAULT-VALUE}).")
  int opPort = LabOptions.DEFAULT_OP_PORT;

  @Option(names = "--upstream-port", paramLabel = "N", description = "Demo app port (default: ${DEFAULT-VALUE}).")
  int upstreamPort = LabOptions.DEFAULT_UPSTREAM_PORT;

  LabOptions options() {
    try {
      return new LabOptions(opPort, gatewayPort, upstreamPort, Map.of(), Map.of());
    } catch (IllegalArgumentException e) {
      throw CliException.usage("hourglass lab: --" + e.getMessage());
    }
  }

  @Override
  public Integer call() throws Exception {
    LabOptions options = options();
    if (opPort == gatewayPort || opPort == upstreamPort || (gatewayPort == upstreamPort && gatewayPort != 0)) {
      throw CliException.usage("hourglass lab: --op-port, --gateway-port and --upstream-port must differ");
    }
    // The one clock of the lab: OP, gateway and page all read it.
    ControllableClock clock = ControllableClock.startingNow();
    Vertx vertx = VertxRuntime.create();
    Lab lab;
    try {
      lab = Lab.start(vertx, clock, options, "hourglass lab").toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      vertx.close();
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof BindException || String.valueOf(cause.getMessage()).contains("Address already in use")) {
        throw CliException.failure("hourglass lab: a port is in use (OP " + opPort + ", gateway " + gatewayPort
            + ", app " + upstreamPort + "); pick others with --op-port, --gateway-port, --upstream-port");
      }
      if (cause instanceof RuntimeException re) throw re;
      throw CliException.failure("hourglass lab: could not start: " + cause.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(banner(lab));
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        lab.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // shutting down anyway
      }
      stopped.countDown();
    }, "hourglass-lab-shutdown"));
    stopped.await();
    return 0;
  }

  static String banner(Lab lab) {
    String gw = lab.gatewayUrl().toString();
    String users = OpConfig.demo().users().stream().map(u -> u.username()
        + (u.claims().get("groups") == null ? "" : " " + u.claims().get("groups"))).collect(Collectors.joining(", "));
    return "Hourglass lab — one virtual clock, now " + lab.clock().instant() + "\n"
        + "  lab page:   " + gw + "/oauth2/lab      ← open this: log in, advance the clock, watch the timeline\n"
        + "  app:        " + gw + "/                (the demo app behind the gateway; shows the identity headers)\n"
        + "  session:    " + gw + "/oauth2/session  (JSON; ?format=html for people)\n"
        + "  dev OP:     " + lab.opUrl() + "   (issuer; admin API under /_hourglass/)\n"
        + "  demo app:   http://127.0.0.1:" + lab.upstreamPort() + "/  (direct, no gateway)\n"
        + "  users:      " + users + " — or any name; /oauth2/start?login_hint=alice logs in without a page\n"
        + "  clock:      hourglass clock advance 1h   (or the buttons on the lab page)\n"
        + "Ctrl-C stops everything.\n";
  }
}
