package dev.hourglass.cli;

import dev.hourglass.core.clock.Clocks;
import dev.hourglass.core.clock.Durations;
import dev.hourglass.op.DevOp;
import dev.hourglass.op.ExpiredHintPolicy;
import dev.hourglass.op.OpConfig;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/** Turns a parsed {@link OpCommand} into an {@link OpConfig}, starts the {@link DevOp} and keeps it running until Ctrl-C. */
final class OpLauncher {
  private OpLauncher() {}

  /** The effective config: the file (or the demo) with the flags applied on top. No I/O beyond reading the file. */
  static OpConfig resolve(OpCommand cmd, Map<String, String> env) {
    OpConfig cfg = cmd.config == null ? OpConfig.demo() : OpConfig.load(cmd.config, env);
    try {
      if (cmd.port != null) {
        cfg = followPort(cfg, cmd.port);
      }
      if (cmd.issuer != null) cfg = cfg.withIssuer(cmd.issuer);
      if (cmd.accessTtl != null) cfg = cfg.withAccessTtl(cmd.accessTtl);
      if (cmd.idTtl != null) cfg = cfg.withIdTtl(cmd.idTtl);
      if (cmd.refreshTtl != null) cfg = cfg.withRefreshTtl(cmd.refreshTtl);
      if (cmd.expiredHint != null) cfg = cfg.withExpiredHint(ExpiredHintPolicy.parse(cmd.expiredHint.name()));
      if (cmd.refreshReturnsIdToken != null) cfg = cfg.withRefreshReturnsIdToken(cmd.refreshReturnsIdToken);
      if (cmd.autoLogin != null) cfg = cfg.withAutoLogin(cmd.autoLogin);
      if (cmd.clock != null) cfg = cfg.withClock(cmd.clock.name());
    } catch (IllegalArgumentException e) {
      // the record's validation names the key, e.g. "issuer: must be an absolute http(s) URL"
      throw CliException.usage("hourglass op: --" + e.getMessage());
    }
    return cfg;
  }

  /**
   * {@code --port} without {@code --issuer}: an issuer that named the old port on loopback follows
   * the new one (with port 0 it is derived from the port actually bound).
   */
  private static OpConfig followPort(OpConfig cfg, int port) {
    String issuer = cfg.issuer();
    OpConfig moved = cfg.withPort(port);
    if (issuer == null) {
      return moved;
    }
    URI u = URI.create(issuer);
    boolean loopback = "127.0.0.1".equals(u.getHost()) || "localhost".equals(u.getHost());
    if (loopback && u.getPort() == cfg.port() && (u.getPath() == null || u.getPath().isEmpty())) {
      return moved.withIssuer(port == 0 ? null : u.getScheme() + "://" + u.getHost() + ":" + port);
    }
    return moved;
  }

  static int run(OpCommand cmd, Map<String, String> env, PrintWriter out) throws InterruptedException {
    OpConfig cfg = resolve(cmd, env);
    // The one clock of this process: everything below gets it through constructors.
    Clock clock = Clocks.create(cfg.clock());
    Vertx vertx = VertxRuntime.create();
    DevOp op = start(vertx, clock, cfg);
    out.print(banner(op, cfg, cmd.config == null));
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // Ctrl-C / SIGTERM: stop listening, then stop Vert.x, each waited for from this thread (not an event loop).
      await(op.close(), 3);
      await(vertx.close(), 5);
      stopped.countDown();
    }, "hourglass-op-shutdown"));
    stopped.await();
    return 0;
  }

  /** Starts the OP or fails with a one-line message (port in use, …); closes Vert.x on failure. */
  static DevOp start(Vertx vertx, Clock clock, OpConfig cfg) {
    try {
      return DevOp.start(vertx, clock, cfg).toCompletionStage().toCompletableFuture()
          .get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof BindException || String.valueOf(cause.getMessage()).contains("Address already in use")) {
        throw CliException.failure("hourglass op: cannot listen on " + cfg.host() + ":" + cfg.port()
            + " (address already in use); pick another with --port");
      }
      if (cause instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw CliException.failure("hourglass op: could not start: "
          + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()));
    }
  }

  /** What a person needs to use the running OP. {@code showSecrets}: the demo's secrets are public anyway. */
  static String banner(DevOp op, OpConfig cfg, boolean showSecrets) {
    String issuer = op.issuer();
    var t = cfg.tokens();
    StringBuilder b = new StringBuilder();
    b.append("Hourglass dev OpenID Provider").append(showSecrets ? " (demo setup; --config op.yaml for your own)" : "").append('\n');
    b.append("  issuer:     ").append(issuer).append('\n');
    b.append("  discovery:  ").append(issuer).append("/.well-known/openid-configuration\n");
    b.append("  clock:      ").append(cfg.clock()).append(", now ").append(op.clock().instant());
    if (Clocks.controllable(op.clock()).isPresent()) {
      b.append("  (move it: hourglass clock advance 1h --op ").append(issuer).append(')');
    }
    b.append('\n');
    b.append("  tokens:     access ").append(Durations.format(t.accessTtl()))
        .append(", id ").append(Durations.format(t.idTtl()))
        .append(", refresh ").append(Durations.format(t.refreshTtl()))
        .append(", session ").append(Durations.format(t.sessionTtl()))
        .append("; rotation ").append(t.refreshRotation()).append(", reuse detection ").append(t.reuseDetection())
        .append("; refresh returns id token: ").append(t.refreshReturnsIdToken())
        .append("; expired hint at logout: ").append(cfg.logout().expiredHintPolicy().configName())
        .append("; auto-login (login_hint): ").append(cfg.autoLogin() ? "on" : "off").append('\n');
    b.append("  clients:\n");
    if (cfg.clients().isEmpty()) {
      b.append("    (none)\n");
    }
    for (OpConfig.Client c : cfg.clients()) {
      b.append("    ").append(c.clientId());
      if (c.isPublic()) {
        b.append("  public, PKCE required");
      } else {
        b.append("  confidential").append(showSecrets ? ", secret " + c.clientSecret() : "");
      }
      b.append("\n      redirect-uris: ").append(String.join(" ", c.redirectUris())).append('\n');
      if (!c.postLogoutRedirectUris().isEmpty()) {
        b.append("      post-logout-redirect-uris: ").append(String.join(" ", c.postLogoutRedirectUris())).append('\n');
      }
      if (c.backchannelLogoutUri() != null) {
        b.append("      backchannel-logout-uri: ").append(c.backchannelLogoutUri()).append('\n');
      }
    }
    b.append("  users:      ");
    b.append(cfg.users().stream().map(u -> {
      Object name = u.claims().get("name");
      return u.username() + (name != null && !name.equals(u.username()) ? " (" + name + ")" : "");
    }).collect(Collectors.joining(", ")));
    b.append(cfg.users().isEmpty() ? "any name typed on the login page\n" : "; or any other name on the login page\n");
    b.append("  admin API:  ").append(issuer).append("/_hourglass/{clock,events,keys/rotate,faults}\n");
    b.append("Ctrl-C stops it.\n");
    return b.toString();
  }
  private static void await(io.vertx.core.Future<?> f, int seconds) {
    try {
      f.toCompletionStage().toCompletableFuture().get(seconds, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      // shutting down anyway
    }
  }
}
