package dev.hourglass.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.testing.TestSupport;
import dev.hourglass.gateway.Gateway;
import dev.hourglass.gateway.GatewayConfig;
import dev.hourglass.op.DevOp;
import dev.hourglass.op.OpConfig;
import dev.hourglass.core.clock.ControllableClock;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Message framing through the gateway, on the wire (raw sockets: java.net.http refuses to send
 * hop-by-hop headers or HTTP/1.0). Every path is public here, so no login is needed; the
 * authenticated path forwards the same way.
 */
class UpstreamExchangeTest {
  private final Vertx vertx = Vertx.vertx();
  private final ControllableClock clock = ControllableClock.startingAt(Instant.parse("2030-01-01T08:00:00Z"));
  private final AtomicReference<JsonObject> seenHeaders = new AtomicReference<>();
  private final AtomicReference<String> seenBody = new AtomicReference<>();
  private final AtomicInteger upstreamCalls = new AtomicInteger();
  private DevOp op;
  private HttpServer upstream;
  private Gateway gateway;
  private int port;

  @BeforeEach
  void start() {
    op = TestSupport.await(DevOp.start(vertx, clock, OpConfig.demo().withPort(0)));
    upstream = TestSupport.await(vertx.createHttpServer().requestHandler(req -> {
      upstreamCalls.incrementAndGet();
      JsonObject headers = new JsonObject();
      req.headers().forEach(e -> headers.put(e.getKey().toLowerCase(), e.getValue()));
      seenHeaders.set(headers);
      req.body().onSuccess(body -> {
        seenBody.set(body.toString());
        switch (req.path()) {
          case "/connection-header" -> req.response().putHeader("Connection", "X-Up-Private")
              .putHeader("X-Up-Private", "secret").putHeader("Keep-Alive", "timeout=5").putHeader("X-Up-Public", "ok")
              .end("hello");
          case "/chunked" -> {
            req.response().setChunked(true);
            req.response().write("part one, ");
            req.response().end("part two");
          }
          case "/no-content" -> req.response().setStatusCode(204).end();
          case "/not-modified" -> req.response().setStatusCode(304).putHeader("ETag", "\"v1\"").end();
          case "/broken" -> {
            req.response().putHeader("Content-Length", "100").write("only ten..");
            vertx.setTimer(50, t -> req.connection().close());
          }
          default -> req.response().putHeader("Content-Length", "5").end("hello");
        }
      });
    }).listen(0, "127.0.0.1"));
    port = TestSupport.freePort();
    String yaml = """
        listen: 127.0.0.1:%d
        public-url: http://127.0.0.1:%d
        upstream: http://127.0.0.1:%d
        provider:
          issuer: %s
          client-id: gw
          client-secret: s3cret
        session:
          secret: 0123456789abcdef0123456789abcdef
        rules:
          - path: /
            public: true
        """.formatted(port, port, upstream.actualPort(), op.issuer());
    gateway = TestSupport.await(Gateway.start(vertx, clock, GatewayConfig.parse("framing.yaml", yaml, Map.of())));
  }

  @AfterEach
  void stop() {
    TestSupport.await(gateway.close());
    TestSupport.await(vertx.close());
  }

  @Test
  void hopByHopHeadersStayOnTheirHopInBothDirections() throws IOException {
    String response = exchange("GET /connection-header HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\nConnection: X-Client-Private\r\n"
        + "X-Client-Private: secret\r\nKeep-Alive: timeout=9\r\nTE: trailers\r\nProxy-Authorization: Basic eDp5\r\n"
        + "X-Client-Public: ok\r\n\r\n");
    assertThat(seenHeaders.get().fieldNames())
        .doesNotContain("x-client-private", "keep-alive", "te", "proxy-authorization")
        .contains("x-client-public");
    assertThat(seenHeaders.get().getString("host")).isEqualTo("app.test");
    String head = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase();
    assertThat(response).startsWith("HTTP/1.1 200").endsWith("hello");
    assertThat(head).contains("x-up-public: ok").doesNotContain("x-up-private", "keep-alive");
  }

  @Test
  void aTransferEncodingOtherThanChunkedIsRefusedBeforeTheUpstream() throws IOException {
    String response = exchange("POST /x HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n"
        + "Transfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 400");
    assertThat(upstreamCalls).hasValue(0);
  }

  @Test
  void aChunkedRequestBodyReachesTheUpstreamWhole() throws IOException {
    String response = exchange("POST /x HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200");
    assertThat(seenBody.get()).isEqualTo("hello world");
  }

  @Test
  void expectContinueIsAnsweredByTheGatewaySoTheClientSendsItsBody() throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST /x HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\nContent-Length: 4\r\n"
          + "Expect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String interim = readLine(in);
      assertThat(interim).startsWith("HTTP/1.1 100");
      out.write("ping".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String rest = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(rest).contains("HTTP/1.1 200").endsWith("hello");
    }
    assertThat(seenBody.get()).isEqualTo("ping");
    assertThat(seenHeaders.get().fieldNames()).doesNotContain("expect");
  }

  @Test
  void anHttp10ClientGetsALengthInsteadOfChunks() throws IOException {
    String response = exchange("GET /chunked HTTP/1.0\r\nHost: app.test\r\n\r\n");
    String head = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase();
    assertThat(head).contains("content-length: 18").doesNotContain("transfer-encoding");
    assertThat(response).endsWith("part one, part two");
  }

  @Test
  void headNoContentAndNotModifiedCarryNoBody() throws IOException {
    String head = exchange("HEAD /x HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n");
    assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: 5").endsWith("\r\n\r\n");
    String none = exchange("GET /no-content HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n");
    assertThat(none).startsWith("HTTP/1.1 204").endsWith("\r\n\r\n").doesNotContainIgnoringCase("transfer-encoding");
    String same = exchange("GET /not-modified HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n");
    assertThat(same).startsWith("HTTP/1.1 304").contains("\"v1\"").endsWith("\r\n\r\n").doesNotContainIgnoringCase("transfer-encoding");
  }

  @Test
  void anUpstreamThatBreaksOffMidBodyNeverLooksLikeACompleteAnswer() throws IOException {
    String response = exchange("GET /broken HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n");
    // The client sees its connection end before the promised 100 bytes: a truncated body, detectable as such.
    int body = response.indexOf("\r\n\r\n") + 4;
    assertThat(response).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: 100");
    assertThat(response.length() - body).isLessThan(100);
  }

  @Test
  void keepAliveConnectionsCarryManyExchanges() throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      for (int i = 0; i < 3; i++) {
        out.write("GET /x HTTP/1.1\r\nHost: app.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(readLine(in)).startsWith("HTTP/1.1 200");
        int length = -1;
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
          if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
        }
        assertThat(new String(in.readNBytes(length), StandardCharsets.US_ASCII)).isEqualTo("hello");
      }
    }
    assertThat(upstreamCalls).hasValue(3);
  }

  private String exchange(String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      try {
        s.getInputStream().transferTo(all);
      } catch (java.net.SocketException reset) {
        // a reset connection ends the answer too
      }
      return all.toString(StandardCharsets.US_ASCII);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
      if (c != '\r') b.append((char) c);
    }
    return b.toString();
  }
}
