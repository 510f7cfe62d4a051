package dev.hourglass.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code session.store: file}: a stopped and restarted gateway keeps its sessions (and refreshes them). */
class FileStoreRestartTest {
  @TempDir
  Path dir;

  private GatewayHarness h;

  @AfterEach
  void tearDown() {
    if (h != null) h.close();
  }

  @Test
  void sessionsSurviveAGatewayRestart() {
    h = new GatewayHarness().start(c -> c, """
        store: file
        file-dir: %s
        idle-timeout: 2h
        """.formatted(dir.toString()), "");
    GatewayHarness.Browser alice = h.browser();
    GatewayHarness.Browser bob = h.browser();
    assertThat(alice.login("alice", "/").statusCode()).isEqualTo(200);
    assertThat(bob.login("bob", "/").statusCode()).isEqualTo(200);
    JsonObject before = alice.json("/oauth2/session");

    h.restartGateway();

    JsonObject after = alice.json("/oauth2/session");
    assertThat(after.getString("remote_user")).isEqualTo("alice");
    assertThat(after.getLong("iat")).isEqualTo(before.getLong("iat"));
    assertThat(bob.json("/oauth2/session").getString("remote_user")).isEqualTo("bob");
    assertThat(h.gatewayEvents("SESSION_NOT_FOUND")).isEmpty();

    // The restored session still refreshes with its stored refresh token.
    h.clock.advance(Duration.ofMinutes(59));
    assertThat(alice.get("/x", "Accept", "application/json").statusCode()).isEqualTo(200);
    assertThat(h.refreshGrants()).isEqualTo(1);
    h.restartGateway();
    assertThat(alice.json("/oauth2/session").getLong("access_token_expires"))
        .isEqualTo(h.clock.instant().plus(Duration.ofHours(1)).getEpochSecond());
    assertThat(h.refreshGrants()).isEqualTo(1);
  }

  @Test
  void aMemoryStoreDoesNotSurviveARestart() {
    h = new GatewayHarness().start();
    GatewayHarness.Browser alice = h.browser();
    assertThat(alice.login("alice", "/").statusCode()).isEqualTo(200);
    h.restartGateway();
    assertThat(alice.get("/oauth2/session").statusCode()).isEqualTo(401);
    assertThat(h.gatewayEvents("SESSION_NOT_FOUND")).hasSize(1);
  }
}
