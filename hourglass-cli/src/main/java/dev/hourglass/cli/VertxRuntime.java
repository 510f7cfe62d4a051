package dev.hourglass.cli;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The Vert.x instance of each command: on Linux (x86-64, aarch64) it runs on Netty's native epoll transport,
 * elsewhere (or with {@code -Dhourglass.native-transport=false}) on Java NIO.
 *
 * <p>Why: the gateway spends half its CPU in socket reads and writes; epoll (no selector sets, no
 * NIO locks, direct buffers end to end) made each proxied request about 7 % cheaper in issue 7's
 * A/B on the 2-core bench machine. Vert.x falls back to NIO by itself when the native library cannot
 * load, so a missing or foreign-architecture library only costs that speed.
 */
final class VertxRuntime {
  private VertxRuntime() {}

  static Vertx create() {
    boolean nativeTransport = !"false".equalsIgnoreCase(System.getProperty("hourglass.native-transport", "true"));
    return Vertx.builder().with(new VertxOptions().setPreferNativeTransport(nativeTransport)).build();
  }
}
