package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VertxRuntimeTest {
  private Vertx vertx;

  @AfterEach
  void close() {
    System.clearProperty("hourglass.native-transport");
    if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @Test
  void onLinuxX8664TheCommandsRunOnEpoll() {
    assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux")
        && System.getProperty("os.arch").matches("amd64|x86_64"), "the shipped native library is for Linux x86-64");
    vertx = VertxRuntime.create();
    assertThat(vertx.isNativeTransportEnabled()).as("epoll loaded from the distribution's lib/").isTrue();
  }

  @Test
  void theNativeTransportCanBeSwitchedOff() {
    System.setProperty("hourglass.native-transport", "false");
    vertx = VertxRuntime.create();
    assertThat(vertx.isNativeTransportEnabled()).isFalse();
  }
}
