package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.core.event.EventLog;
import dev.hourglass.core.http.AdminAccess;
import dev.hourglass.core.http.ClockAdminRoutes;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClockCommandTest {
  private final Instant start = Instant.parse("2026-01-01T00:00:00Z");
  private final ControllableClock clock = ControllableClock.startingAt(start);
  private Vertx vertx;
  private String url;

  @BeforeEach
  void startServer() throws Exception {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    new ClockAdminRoutes(clock, new EventLog("op", clock)).mount(router, new AdminAccess(true, Optional.of("s3cret")));
    router.get("/not-json/_hourglass/clock").handler(ctx -> ctx.response().end("<html>hello</html>"));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    url = "http://127.0.0.1:" + server.actualPort();
  }

  @AfterEach
  void stopServer() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  // ---- parsing only (no I/O) ----

  @Test
  void advanceBuildsAPostWithAnIsoDurationToTheDefaultOp() {
    ClockCommand.Advance a = CliRun.parse("clock", "advance", "1h30m");
    ClockCommand.ClockRequest req = a.request();
    assertThat(req.uri()).isEqualTo(URI.create("http://127.0.0.1:9090/_hourglass/clock"));
    assertThat(req.body()).contains(new JsonObject().put("advance", "PT1H30M"));
    assertThat(req.adminToken()).isEmpty();
  }

  @Test
  void showIsAGetAndTrailingSlashesAreDropped() {
    ClockCommand.Show s = CliRun.parse("clock", "show", "--op", "http://127.0.0.1:1234//");
    assertThat(s.request().uri()).isEqualTo(URI.create("http://127.0.0.1:1234/_hourglass/clock"));
    assertThat(s.request().body()).isEmpty();
  }

  @Test
  void gatewayUrlAndAdminTokenAreUsed() {
    ClockCommand.Set s = CliRun.parse("clock", "set", "2030-01-01T00:00:00Z", "--gateway", "http://127.0.0.1:8080",
        "--admin-token", "t");
    assertThat(s.request().uri()).isEqualTo(URI.create("http://127.0.0.1:8080/_hourglass/clock"));
    assertThat(s.request().body()).contains(new JsonObject().put("set", "2030-01-01T00:00:00Z"));
    assertThat(s.request().adminToken()).contains("t");
  }

  @Test
  void opAndGatewayTogetherIsAUsageError() {
    CliRun r = CliRun.execute("clock", "show", "--op", url, "--gateway", url);
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("mutually exclusive");
  }

  @Test
  void badArgumentsAreUsageErrors() {
    assertThat(CliRun.execute("clock").exitCode()).isEqualTo(2);
    assertThat(CliRun.execute("clock", "advance").exitCode()).isEqualTo(2);
    CliRun r = CliRun.execute("clock", "advance", "soon");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("'soon' is not a duration");
    assertThat(CliRun.execute("clock", "set", "tomorrow").err()).contains("not an ISO-8601 instant");
    CliRun notUrl = CliRun.execute("clock", "show", "--op", "ftp://example");
    assertThat(notUrl.exitCode()).isEqualTo(2);
    assertThat(notUrl.err()).contains("not an http(s) URL");
    assertThat(CliRun.execute("clock", "show", "--op", "http://[::1").exitCode()).isEqualTo(2);
  }

  // ---- against a real clock API ----

  @Test
  void showPrintsNowAndOffset() {
    CliRun r = CliRun.execute("clock", "show", "--op", url, "--admin-token", "s3cret");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("now:    2026-01-01T00:00:00Z").contains("offset: 0s (PT0S)");
  }

  @Test
  void advanceMovesTheServersClock() {
    CliRun r = CliRun.execute(Map.of(ClockCommand.ADMIN_TOKEN_ENV, "s3cret"), "clock", "advance", "1h", "--op", url);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("now:    2026-01-01T01:00:00Z").contains("offset: 1h (PT1H)");
    assertThat(clock.instant()).isEqualTo(start.plusSeconds(3600));
  }

  @Test
  void setBackwardsIsRefusedWithTheServersMessageAndExit2() {
    clock.advance(java.time.Duration.ofHours(2));
    CliRun r = CliRun.execute("clock", "set", "2026-01-01T01:00:00Z", "--op", url, "--admin-token", "s3cret");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("HTTP 400").contains("only moves forward");
    assertThat(clock.instant()).isEqualTo(start.plusSeconds(7200));
  }

  @Test
  void wrongAdminTokenIsAClearFailure() {
    CliRun r = CliRun.execute("clock", "advance", "1h", "--op", url, "--admin-token", "nope");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("HTTP 401").contains("admin token");
    assertThat(clock.instant()).isEqualTo(start);
  }

  @Test
  void somethingThatIsNotAClockApiIsReported() {
    CliRun r = CliRun.execute("clock", "show", "--op", url + "/not-json");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("HTTP 200").contains("unexpected answer");
    CliRun missing = CliRun.execute("clock", "show", "--op", url + "/elsewhere", "--admin-token", "s3cret");
    assertThat(missing.err()).contains("HTTP 404");
  }

  @Test
  void unreachableServerIsOneLineAndExit1() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    CliRun r = CliRun.execute("clock", "show", "--op", "http://127.0.0.1:" + port);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("cannot reach").contains("connection refused");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void aServerOnTheSystemClockSaysItCannotBeMoved() throws Exception {
    Router router = Router.router(vertx);
    java.time.Clock system = java.time.Clock.fixed(start, java.time.ZoneOffset.UTC); // any non-controllable clock
    new ClockAdminRoutes(system, new EventLog("op", system)).mount(router, AdminAccess.loopbackOnly());
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    String systemUrl = "http://127.0.0.1:" + server.actualPort();
    CliRun show = CliRun.execute("clock", "show", "--op", systemUrl);
    assertThat(show.exitCode()).isZero();
    assertThat(show.out()).contains("[system clock: cannot be moved]");
    CliRun advance = CliRun.execute("clock", "advance", "1h", "--op", systemUrl);
    assertThat(advance.exitCode()).isEqualTo(1);
    assertThat(advance.err()).contains("HTTP 409").contains("clock: virtual");
  }
}
