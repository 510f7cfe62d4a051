package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.lab.Lab;
import dev.hourglass.lab.LabOptions;
import dev.hourglass.lab.browser.VirtualBrowser;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The lab page's controls from the command line, against a running lab. */
class LabControlTest {
  private static Vertx vertx;
  private static Lab lab;
  private static String url;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    lab = Lab.start(vertx, ControllableClock.startingNow(), LabOptions.ephemeral(Map.of(), Map.of()), "test")
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    url = lab.gatewayUrl().toString();
    VirtualBrowser b = new VirtualBrowser(vertx);
    var page = b.navigate(URI.create(url + "/oauth2/start?login_hint=alice"), Map.of())
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(page.status()).isEqualTo(200);
    b.close();
  }

  @AfterAll
  static void stop() throws Exception {
    lab.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static long refreshGrants() {
    return lab.opEvents().matching(e -> "refresh_token".equals(e.field("grant_type"))).size();
  }

  @Test
  void everyPageControlWorksFromTheCommandLine() {
    long before = refreshGrants();
    CliRun r = CliRun.execute("lab", "refresh", "alice", "--lab", url);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("refreshed 1 session(s) of alice");
    assertThat(refreshGrants()).isEqualTo(before + 1);

    assertThat(CliRun.execute("lab", "rotate-keys", "--lab", url).exitCode()).isZero();
    assertThat(lab.opEvents().count("keys_rotated")).isEqualTo(1);

    assertThat(CliRun.execute("lab", "fault", "op-down", "10", "--lab", url).exitCode()).isZero();
    assertThat(lab.op().faults().describe(lab.clock().instant())).hasSize(3);
    assertThat(CliRun.execute("lab", "fault", "clear", "--lab", url).exitCode()).isZero();
    assertThat(lab.op().faults().describe(lab.clock().instant())).isEmpty();
    assertThat(CliRun.execute("lab", "fault", "next-refresh-fails", "--lab", url).exitCode()).isZero();
    assertThat(CliRun.execute("lab", "fault", "clear", "--lab", url).exitCode()).isZero();

    assertThat(CliRun.execute("lab", "op-settings", "--expired-hint", "reject", "--refresh-returns-id-token", "false",
        "--lab", url).exitCode()).isZero();
    assertThat(lab.op().settings().expiredHintPolicy().configName()).isEqualTo("reject");
    assertThat(lab.op().settings().describe().getBoolean("refresh-returns-id-token")).isFalse();
    CliRun.execute("lab", "op-settings", "--expired-hint", "accept", "--refresh-returns-id-token", "true", "--lab", url);

    CliRun out = CliRun.execute("lab", "logout", "alice", "--lab", url);
    assertThat(out.exitCode()).as(out.err()).isZero();
    assertThat(lab.gatewayEvents().count("BACKCHANNEL_LOGOUT")).isEqualTo(1);
    assertThat(CliRun.execute("lab", "refresh", "alice", "--lab", url).exitCode())
        .as("alice has no gateway session left").isEqualTo(1);
  }

  @Test
  void badInputIsAUsageErrorAndNoLabIsAClearFailure() {
    assertThat(CliRun.execute("lab", "fault", "op-down", "--lab", url).exitCode()).isEqualTo(2);
    assertThat(CliRun.execute("lab", "fault", "meteor", "--lab", url).exitCode()).isEqualTo(2);
    assertThat(CliRun.execute("lab", "op-settings", "--lab", url).exitCode()).isEqualTo(2);
    CliRun none = CliRun.execute("lab", "rotate-keys", "--lab", "http://127.0.0.1:1");
    assertThat(none.exitCode()).isEqualTo(1);
    assertThat(none.err()).contains("no lab answers").doesNotContain("Exception");
    LabControl.Fault parsed = CliRun.parse("lab", "fault", "op-down", "15");
    assertThat(parsed.request()).isEqualTo(new LabControl.Request("fault",
        new io.vertx.core.json.JsonObject().put("kind", "op-down").put("minutes", 15)));
  }
}
