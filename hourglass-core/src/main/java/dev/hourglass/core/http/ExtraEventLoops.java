package dev.hourglass.core.http;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One port served from several event loops, for the gateway and the dev OP.
 *
 * <p>Why: one {@link HttpServer} runs on ONE event loop, so a server could use one core at most
 * (issue 7's profiles: every sample on a single vert.x-eventloop thread). Vert.x shares a port
 * between the servers of one Vertx instance that ask for the same address and spreads connections
 * over them, so one more server per extra loop, each in its own verticle context, uses more cores.
 * The request handlers are shared and must be thread-safe.
 */
public final class ExtraEventLoops {
  private static final Logger LOG = LoggerFactory.getLogger(ExtraEventLoops.class);

  private ExtraEventLoops() {}

  /**
   * Deploys {@code count} more servers, each started by {@code listen} in its own verticle context;
   * each must end up on {@code port}.
   *
   * @param who names the server in the warning when the port cannot be shared
   * @return the deployment id (undeploying it closes the servers), or null when {@code count} is 0
   *     or the servers could not share the port: then serving goes on, on one loop, only slower
   */
  public static Future<String> deploy(Vertx vertx, int count, int port, Supplier<Future<HttpServer>> listen, String who) {
    if (count <= 0) {
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        return listen.get().compose(s -> s.actualPort() == port ? Future.succeededFuture(s)
            : s.close().compose(v -> Future.failedFuture("port " + s.actualPort() + " is not the shared port " + port)));
      }
    }, new DeploymentOptions().setInstances(count)).recover(e -> {
      LOG.warn("{}: serving on one event loop ({})", who, e.getMessage());
      return Future.succeededFuture();
    });
  }
}
