package dev.hourglass.core.jose;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A slow, huge or absent OP endpoint fails fast with a reason, never fills memory. */
class BoundedHttpTest {
  static Vertx vertx;
  static HttpServer server;
  static BoundedHttp http;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer().requestHandler(req -> {
      switch (req.path()) {
        case "/ok" -> req.response().end("{\"a\":1}");
        case "/huge-declared" -> req.response().putHeader("Content-Length", "10000000").write("x");
        case "/huge-chunked" -> {
          req.response().setChunked(true);
          for (int i = 0; i < 100; i++) req.response().write("x".repeat(1024));
          req.response().end();
        }
        case "/never" -> { /* no answer */ }
        default -> req.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    http = new BoundedHttp(vertx, vertx.createHttpClient(), Duration.ofMillis(300), 16 * 1024);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static String reason(Future<BoundedHttp.Response> f) throws Exception {
    try {
      BoundedHttp.Response r = f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      return "ok:" + r.status() + ":" + r.bodyAsString();
    } catch (ExecutionException e) {
      return ((BoundedHttp.FetchException) e.getCause()).reason();
    }
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  @Test
  void boundsSizeAndTime() throws Exception {
    assertThat(reason(http.get(url("/ok"), Map.of()))).isEqualTo("ok:200:{\"a\":1}");
    assertThat(reason(http.get(url("/huge-declared"), Map.of()))).isEqualTo("too_large");
    assertThat(reason(http.get(url("/huge-chunked"), Map.of()))).isEqualTo("too_large");
    assertThat(reason(http.get(url("/never"), Map.of()))).isEqualTo("timeout");
    assertThat(reason(http.get("http://127.0.0.1:1/nothing", Map.of()))).isEqualTo("unreachable");
    assertThat(reason(http.get(url("/ok"), Map.of()))).isEqualTo("ok:200:{\"a\":1}");
  }
}
