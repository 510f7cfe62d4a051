package dev.hourglass.gateway;

import dev.hourglass.core.clock.Clocks;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/** Runs a gateway in its own JVM (for the kill -9 test): prints READY once discovery has loaded. */
public final class GatewayProcessMain {
  private GatewayProcessMain() {}

  public static void main(String[] args) throws Exception {
    GatewayConfig config = GatewayConfig.load(Path.of(args[0]), System.getenv());
    Vertx vertx = Vertx.vertx();
    Gateway g = Gateway.start(vertx, Clocks.system(), config).toCompletionStage().toCompletableFuture().get();
    g.ready().toCompletionStage().toCompletableFuture().get();
    System.out.println("READY " + g.port());
    System.out.flush();
    Thread.currentThread().join();
  }
}
