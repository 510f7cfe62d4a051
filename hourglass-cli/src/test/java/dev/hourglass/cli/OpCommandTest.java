package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.op.DevOp;
import dev.hourglass.op.ExpiredHintPolicy;
import dev.hourglass.op.OpConfig;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpCommandTest {
  @TempDir Path dir;

  private static OpConfig resolve(Map<String, String> env, String... args) {
    OpCommand cmd = CliRun.parse(args);
    return OpLauncher.resolve(cmd, env);
  }

  @Test
  void withoutConfigTheDemoIsUsed() {
    OpConfig cfg = resolve(Map.of(), "op");
    assertThat(cfg).isEqualTo(OpConfig.demo());
    assertThat(cfg.clients()).extracting(OpConfig.Client::clientId).contains("gateway");
    assertThat(cfg.users()).extracting(OpConfig.User::username).contains("alice");
  }

  @Test
  void flagsOverrideTheConfigFile() throws Exception {
    Path file = dir.resolve("op.yaml");
    Files.writeString(file, """
        issuer: http://127.0.0.1:9191
        port: 9191
        clock: system
        auto-login: false
        tokens: { access-ttl: 5m, refresh-returns-id-token: true }
        logout: { expired-hint: accept }
        clients:
          - client-id: ${CLIENT}
            client-secret: s
            redirect-uris: [http://127.0.0.1:8080/oauth2/callback]
        """);
    OpConfig cfg = resolve(Map.of("CLIENT", "from-env"), "op", "--config", file.toString(), "--access-ttl", "20s",
        "--id-ttl", "30s", "--refresh-ttl", "2m", "--expired-hint", "reject", "--refresh-returns-id-token=false",
        "--auto-login", "--clock", "virtual");
    assertThat(cfg.tokens().accessTtl()).isEqualTo(Duration.ofSeconds(20));
    assertThat(cfg.tokens().idTtl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(cfg.tokens().refreshTtl()).isEqualTo(Duration.ofMinutes(2));
    assertThat(cfg.tokens().refreshReturnsIdToken()).isFalse();
    assertThat(cfg.logout().expiredHintPolicy()).isEqualTo(ExpiredHintPolicy.REJECT);
    assertThat(cfg.autoLogin()).isTrue();
    assertThat(cfg.clock()).isEqualTo("virtual");
    assertThat(cfg.clients()).extracting(OpConfig.Client::clientId).containsExactly("from-env");
    assertThat(cfg.issuer()).isEqualTo("http://127.0.0.1:9191");
  }

  @Test
  void portFlagMovesALoopbackIssuerThatNamedTheOldPort() throws Exception {
    Path file = dir.resolve("op.yaml");
    Files.writeString(file, "issuer: http://127.0.0.1:9191\nport: 9191\n");
    assertThat(resolve(Map.of(), "op", "--config", file.toString(), "--port", "9292").issuer()).isEqualTo("http://127.0.0.1:9292");
    assertThat(resolve(Map.of(), "op", "--config", file.toString(), "--port", "0").issuer()).isNull();
    assertThat(resolve(Map.of(), "op", "--config", file.toString(), "--port", "9292", "--issuer", "http://op.test:1")
        .issuer()).isEqualTo("http://op.test:1");
    Files.writeString(file, "issuer: https://op.example.test\nport: 9191\n");
    assertThat(resolve(Map.of(), "op", "--config", file.toString(), "--port", "9292").issuer()).isEqualTo("https://op.example.test");
  }

  @Test
  void badConfigExitsWith2AndNamesTheFileAndKeyWithoutAStackTrace() throws Exception {
    Path file = dir.resolve("op.yaml");
    Files.writeString(file, "tokens:\n  access-ttl: forever\n");
    CliRun r = CliRun.execute("op", "--config", file.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains(file.toString()).contains("access-ttl").doesNotContain("\tat ").doesNotContain("Exception");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void unknownKeyAndMissingFileExitWith2() throws Exception {
    Path file = dir.resolve("op.yaml");
    Files.writeString(file, "colck: virtual\n");
    CliRun r = CliRun.execute("op", "--config", file.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("colck");
    CliRun missing = CliRun.execute("op", "--config", dir.resolve("nope.yaml").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("nope.yaml").doesNotContain("\tat ");
  }

  @Test
  void badIssuerFlagIsAUsageError() {
    CliRun r = CliRun.execute("op", "--issuer", "not a url");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("hourglass op: --issuer").doesNotContain("\tat ");
  }

  @Test
  void startedOpAnswersDiscoveryAndTheBannerShowsIssuerClientsAndUsers() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      ControllableClock clock = ControllableClock.startingAt(Instant.parse("2026-01-01T00:00:00Z"));
      OpConfig cfg = resolve(Map.of(), "op", "--port", "0", "--access-ttl", "20s");
      DevOp op = OpLauncher.start(vertx, clock, cfg);
      String banner = OpLauncher.banner(op, cfg, true);
      assertThat(banner).contains("issuer:     " + op.issuer() + "\n")
          .contains("gateway  confidential, secret gateway-secret").contains("demo-spa  public, PKCE required")
          .contains("alice (Alice Liddell)").contains("access 20s").contains("now 2026-01-01T00:00:00Z")
          .contains("hourglass clock advance 1h --op " + op.issuer())
          .contains("post-logout-redirect-uris: http://127.0.0.1:8080/")
          .contains("reuse detection revoke-family");
      assertThat(OpLauncher.banner(op, cfg, false)).doesNotContain("gateway-secret");
      HttpResponse<String> discovery = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(op.issuer() + "/.well-known/openid-configuration")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(discovery.statusCode()).isEqualTo(200);
      assertThat(discovery.body()).contains("\"issuer\":\"" + op.issuer() + "\"");
      // the CLI's clock command moves this OP's clock
      CliRun advance = CliRun.execute("clock", "advance", "1h", "--op", op.issuer());
      assertThat(advance.exitCode()).as(advance.err()).isZero();
      assertThat(clock.instant()).isEqualTo(Instant.parse("2026-01-01T01:00:00Z"));
      op.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void portInUseIsAOneLineFailure() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Vertx vertx = Vertx.vertx();
      OpConfig cfg = OpConfig.demo().withPort(taken.getLocalPort());
      assertThatThrownBy(() -> OpLauncher.start(vertx, ControllableClock.startingNow(), cfg))
          .isInstanceOf(CliException.class)
          .hasMessageContaining("address already in use")
          .hasMessageContaining("--port");
    }
  }

  @Test
  void hostileFlagValuesAreRefusedBeforeAnythingStarts() {
    for (String[] args : new String[][] {
        {"op", "--port", "-1"},
        {"op", "--port", "70000"},
        {"op", "--issuer", "http://127.0.0.1:9090/?x=1"},
        {"op", "--issuer", "javascript:alert(1)"},
        {"op", "--issuer", "http://127.0.0.1:9090#frag"},
        {"op", "--access-ttl", "0"}}) {
      assertThatThrownBy(() -> resolve(Map.of(), args)).as(String.join(" ", args))
          .isInstanceOfSatisfying(CliException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(2);
            assertThat(e.getMessage()).startsWith("hourglass op: --");
          });
    }
  }
}
