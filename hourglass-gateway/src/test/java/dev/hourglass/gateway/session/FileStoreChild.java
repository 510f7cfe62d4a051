package dev.hourglass.gateway.session;

import dev.hourglass.core.clock.ControllableClock;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A gateway stand-in run as a child JVM by {@link FileSessionStoreTest}: saves sessions, waits for
 * every save to complete, prints their ids and "saved", then keeps saving until it is killed -9.
 */
public final class FileStoreChild {
  private FileStoreChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int count = Integer.parseInt(args[1]);
    Vertx vertx = Vertx.vertx();
    ControllableClock clock = ControllableClock.startingAt(Sessions.T0);
    FileSessionStore store = FileSessionStore.open(vertx, dir, Sessions.codec(), clock, 10_000)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    for (int i = 0; i < count; i++) {
      Session s = Sessions.session("user" + i, "sid" + i);
      store.save(s, Sessions.T0.plus(Duration.ofHours(8))).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      System.out.println("id " + s.id());
    }
    System.out.println("saved");
    System.out.flush();
    // Keep writing (new sessions and rewrites) so the kill lands in the middle of file I/O.
    for (int i = 0; ; i++) {
      Session s = Sessions.session("more" + i, "more" + i);
      store.save(s, Sessions.T0.plus(Duration.ofHours(8)));
      store.save(s.withLastSeenAt(Sessions.T0.plusSeconds(1)), Sessions.T0.plus(Duration.ofHours(8)))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
