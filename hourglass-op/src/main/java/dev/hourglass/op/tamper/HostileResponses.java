package dev.hourglass.op.tamper;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The broken HTTP answers of the discovery and JWKS cases: slow (a trickle), huge (a stream),
 * not JSON, or 500. They are real-time behaviours on purpose: they exist to exercise the
 * caller's timeouts and size limits, not the OP's clock.
 */
public final class HostileResponses {
  /** How long a "slow" answer trickles before it finally ends with the real document. */
  public static final long SLOW_MILLIS = 60_000;
  /** How much a "huge" answer streams. */
  public static final long HUGE_BYTES = 64L * 1024 * 1024;
  private static final int CHUNK = 64 * 1024;

  private HostileResponses() {}

  /** Answers {@code response} as case {@code c} would; {@code genuine} is the real JSON document. */
  public static void send(Vertx vertx, TamperCase c, HttpServerResponse response, String genuine) {
    switch (c) {
      case DISCOVERY_SLOW, JWKS_SLOW -> slow(vertx, response, genuine);
      case DISCOVERY_HUGE, JWKS_HUGE -> huge(response);
      case DISCOVERY_NOT_JSON, JWKS_NOT_JSON -> response.setStatusCode(200)
          .putHeader("Content-Type", "text/html; charset=utf-8")
          .end("<!doctype html><html><body><h1>Welcome to nginx!</h1><p>{\"keys\": not json</p></body></html>");
      case DISCOVERY_500, JWKS_500 -> response.setStatusCode(500)
          .putHeader("Content-Type", "text/plain").end("Internal Server Error (tampered)\n");
      default -> throw new IllegalArgumentException("not an HTTP-level case: " + c);
    }
  }

  /** One space per second (JSON allows leading whitespace), then the genuine document. */
  private static void slow(Vertx vertx, HttpServerResponse response, String genuine) {
    response.setChunked(true).setStatusCode(200).putHeader("Content-Type", "application/json");
    response.write(" ");
    AtomicBoolean closed = new AtomicBoolean();
    response.closeHandler(v -> closed.set(true));
    long[] elapsed = {0};
    vertx.setPeriodic(1000, id -> {
      elapsed[0] += 1000;
      if (closed.get() || response.ended() || response.closed()) {
        vertx.cancelTimer(id);
        return;
      }
      if (elapsed[0] >= SLOW_MILLIS) {
        vertx.cancelTimer(id);
        response.end(genuine);
      } else {
        response.write(" ");
      }
    });
  }

  /** A syntactically plausible JSON object of {@link #HUGE_BYTES}, streamed with back-pressure. */
  private static void huge(HttpServerResponse response) {
    response.setChunked(true).setStatusCode(200).putHeader("Content-Type", "application/json");
    byte[] pad = new byte[CHUNK];
    Arrays.fill(pad, (byte) 'a');
    Buffer chunk = Buffer.buffer(pad);
    response.write("{\"keys\":[],\"padding\":\"");
    long[] sent = {0};
    Runnable[] pump = new Runnable[1];
    pump[0] = () -> {
      while (!response.closed() && !response.writeQueueFull() && sent[0] < HUGE_BYTES) {
        response.write(chunk);
        sent[0] += CHUNK;
      }
      if (response.closed()) return;
      if (sent[0] >= HUGE_BYTES) {
        response.end(Buffer.buffer("\"}".getBytes(StandardCharsets.US_ASCII)));
      } else {
        response.drainHandler(v -> pump[0].run());
      }
    };
    pump[0].run();
  }
}
