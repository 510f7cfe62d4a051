package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.gateway.Gateway;
import dev.hourglass.gateway.GatewayConfig;
import dev.hourglass.op.DevOp;
import dev.hourglass.op.OpConfig;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayCommandTest {
  @TempDir Path dir;

  private static String yaml(String issuer, String listen, String clock) {
    return """
        listen: %s
        public-url: http://127.0.0.1:8080
        upstream: http://127.0.0.1:9000
        clock: %s
        provider:
          issuer: %s
          client-id: gateway
          client-secret: ${GATEWAY_CLIENT_SECRET}
        session:
          secret: ${SESSION_SECRET:-0123456789abcdef0123456789abcdef}
        """.formatted(listen, clock, issuer);
  }

  private Path write(String yaml) throws Exception {
    Path f = dir.resolve("gateway.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  @Test
  void checkOfAValidGatewayConfigPrintsOkAndUsesTheEnvironment() throws Exception {
    Path f = write(yaml("http://127.0.0.1:9090", "127.0.0.1:8080", "system"));
    CliRun r = CliRun.execute(Map.of("GATEWAY_CLIENT_SECRET", "s"), "config", "check", f.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("OK: " + f + " is a valid gateway config\n");
  }

  @Test
  void checkNamesTheKeyAndExits2() throws Exception {
    Path f = write(yaml("http://127.0.0.1:9090", "127.0.0.1:8080", "system").replace("public-url: http://127.0.0.1:8080\n", ""));
    CliRun r = CliRun.execute(Map.of("GATEWAY_CLIENT_SECRET", "s"), "config", "check", f.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains(f.toString()).contains("public-url").doesNotContain("\tat ");
  }

  @Test
  void hostileGatewayConfigsExit2() throws Exception {
    String good = yaml("http://127.0.0.1:9090", "127.0.0.1:8080", "system");
    for (String bad : new String[] {
        good.replace("clock: system", "clock: sundial"),
        good.replace("listen: 127.0.0.1:8080", "listen: 127.0.0.1:99999"),
        good.replace("upstream: http://127.0.0.1:9000", "upstream: javascript:alert(1)"),
        good.replace("0123456789abcdef0123456789abcdef", "short"),
        good + "unknown-key: 1\n",
        "provider: [\n"}) {
      Path f = write(bad);
      CliRun r = CliRun.execute(Map.of("GATEWAY_CLIENT_SECRET", "s"), "config", "check", "--gateway", f.toString());
      assertThat(r.exitCode()).as(bad).isEqualTo(2);
      assertThat(r.err()).as(bad).startsWith(f.toString()).doesNotContain("\tat ");
    }
  }

  @Test
  void gatewayCommandWithABadConfigExits2BeforeStartingAnything() throws Exception {
    Path f = write("listen: 127.0.0.1:8080\n");
    CliRun r = CliRun.execute("gateway", "--config", f.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("public-url");
  }

  @Test
  void startedGatewayListensOnOneVirtualClockAndTheBannerSaysWhere() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      ControllableClock clock = ControllableClock.startingNow();
      DevOp op = DevOp.start(vertx, clock, OpConfig.demo().withPort(0)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      GatewayConfig cfg = GatewayConfig.parse("gateway.yaml", yaml(op.issuer(), "127.0.0.1:0", "virtual"),
          Map.of("GATEWAY_CLIENT_SECRET", "gateway-secret"));
      Gateway gw = GatewayLauncher.start(vertx, clock, cfg);
      gw.ready().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(GatewayLauncher.banner(gw, cfg)).contains("127.0.0.1:" + gw.port()).contains("provider:   " + op.issuer())
          .contains("clock:      virtual");
      HttpResponse<String> start = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + "/oauth2/start")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(start.statusCode()).isBetween(300, 399);
      assertThat(start.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).startsWith(op.issuer() + "/authorize"));
      // the gateway on clock: virtual serves the same clock API; the CLI moves it with --gateway
      java.time.Instant before = clock.instant();
      CliRun advance = CliRun.execute("clock", "advance", "90m", "--gateway", "http://127.0.0.1:" + gw.port());
      assertThat(advance.exitCode()).as(advance.err()).isZero();
      assertThat(clock.instant()).isEqualTo(before.plus(java.time.Duration.ofMinutes(90)));
      gw.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
  }
}
