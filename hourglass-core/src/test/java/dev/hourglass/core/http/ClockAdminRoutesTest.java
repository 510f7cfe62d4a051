package dev.hourglass.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.core.event.EventLog;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClockAdminRoutesTest {
  private final Instant start = Instant.parse("2026-01-01T00:00:00Z");
  private final ControllableClock clock = ControllableClock.startingAt(start);
  private final EventLog events = new EventLog("op", clock);
  private Vertx vertx;
  private WebClient client;
  private int port;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    new ClockAdminRoutes(clock, events).mount(router, new AdminAccess(true, Optional.of("t0ken")));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    port = server.actualPort();
    client = WebClient.create(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private HttpResponse<Buffer> call(String method, String body, String token) throws Exception {
    var req = client.request(io.vertx.core.http.HttpMethod.valueOf(method), port, "127.0.0.1", "/_hourglass/clock");
    if (token != null) req.putHeader("Authorization", "Bearer " + token);
    var fut = body == null ? req.send() : req.sendBuffer(Buffer.buffer(body));
    return fut.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void showsNowAndOffset() throws Exception {
    var r = call("GET", null, "t0ken");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject()).isEqualTo(new JsonObject()
        .put("now", "2026-01-01T00:00:00Z").put("offset", "PT0S").put("controllable", true));
  }

  @Test
  void advanceMovesTheClockAndRecordsAnEvent() throws Exception {
    var r = call("POST", "{\"advance\":\"PT1H\"}", "t0ken");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getString("offset")).isEqualTo("PT1H");
    assertThat(call("POST", "{\"advance\":\"5m\"}", "t0ken").bodyAsJsonObject().getString("now"))
        .isEqualTo("2026-01-01T01:05:00Z");
    assertThat(events.count("clock_changed")).isEqualTo(2);
  }

  @Test
  void goingBackwardsIsRefusedWith400() throws Exception {
    call("POST", "{\"advance\":\"PT1H\"}", "t0ken");
    var r = call("POST", "{\"set\":\"2026-01-01T00:30:00Z\"}", "t0ken");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error_description")).contains("only moves forward");
    assertThat(clock.instant()).isEqualTo(start.plusSeconds(3600));
  }

  @Test
  void malformedBodiesGet400NotA500() throws Exception {
    for (String bad : new String[] {"not json", "[]", "{}", "{\"advance\":5}", "{\"advance\":\"soon\"}",
        "{\"set\":\"yesterday\"}", "{\"advance\":\"1h\",\"set\":\"2030-01-01T00:00:00Z\"}", "{\"advance\":\"-PT1H\"}",
        "{\"advance\":\"999999999999d\"}", "{\"advance\":\"PT2562047788015215H\"}"}) {
      assertThat(call("POST", bad, "t0ken").statusCode()).as(bad).isEqualTo(400);
    }
    assertThat(clock.instant()).isEqualTo(start);
  }

  @Test
  void wrongOrMissingAdminTokenIsRefused() throws Exception {
    assertThat(call("GET", null, null).statusCode()).isEqualTo(401);
    assertThat(call("POST", "{\"advance\":\"PT1H\"}", "wrong").statusCode()).isEqualTo(401);
    assertThat(clock.instant()).isEqualTo(start);
  }

  @Test
  void loopbackCheckAcceptsOnlyLiteralLoopbackAddresses() {
    assertThat(AdminAccess.isLoopback("127.0.0.1")).isTrue();
    assertThat(AdminAccess.isLoopback("::1")).isTrue();
    assertThat(AdminAccess.isLoopback("[::1]")).isTrue();
    assertThat(AdminAccess.isLoopback("10.0.0.1")).isFalse();
    assertThat(AdminAccess.isLoopback("localhost")).isFalse();
    assertThat(AdminAccess.isLoopback(null)).isFalse();
  }
}
