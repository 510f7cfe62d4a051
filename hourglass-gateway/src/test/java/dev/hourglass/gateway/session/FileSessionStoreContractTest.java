package dev.hourglass.gateway.session;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class FileSessionStoreContractTest extends SessionStoreContract {
  @TempDir Path dir;
  final Vertx vertx = Vertx.vertx();

  @Override
  protected SessionStore newStore() throws Exception {
    return await(FileSessionStore.open(vertx, dir, Sessions.codec(), clock, 1000));
  }

  @Override
  protected SessionStore reopen(SessionStore old) throws Exception {
    await(old.close());
    return newStore();
  }

  @Override
  protected void release() throws Exception {
    await(vertx.close());
  }
}
