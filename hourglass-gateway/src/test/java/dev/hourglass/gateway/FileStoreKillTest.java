package dev.hourglass.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.op.junit.DevOpExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A gateway process killed with SIGKILL and started again keeps every session of its file store. */
class FileStoreKillTest {
  /** The child gateway runs on the system clock, so the OP's clock starts at the real now. */
  @RegisterExtension
  DevOpExtension opExtension = new DevOpExtension();

  @TempDir
  Path dir;

  private Process gateway;
  private GatewayHarness h;

  @AfterEach
  void tearDown() {
    if (gateway != null) gateway.destroyForcibly();
    if (h != null) h.close();
  }

  private void startChild(Path config) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    gateway = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), GatewayProcessMain.class.getName(), config.toString())
        .redirectError(dir.resolve("child.err").toFile())
        .start();
    BufferedReader out = new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertThat(line).as(Files.exists(dir.resolve("child.err")) ? Files.readString(dir.resolve("child.err")) : "").startsWith("READY");
  }

  @Test
  void sessionsSurviveKillMinus9() throws Exception {
    h = new GatewayHarness(opExtension);
    h.start(c -> c, "store: file\nfile-dir: " + dir.resolve("sessions") + "\n", "");
    // Write the same config for a child process on the same port, and stop the in-process gateway.
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(config, """
        listen: 127.0.0.1:%d
        public-url: %s
        upstream: %s
        provider:
          issuer: %s
          client-id: %s
          client-secret: %s
        session:
          store: file
          file-dir: %s
          secret: %s
        """.formatted(h.gatewayPort, h.publicUrl, h.config().upstream(), h.op.issuer(), GatewayHarness.CLIENT_ID,
        GatewayHarness.CLIENT_SECRET, dir.resolve("sessions"), GatewayHarness.SECRET));
    GatewayHarness.await(h.gateway.close());
    h.gateway = null;
    startChild(config);

    GatewayHarness.Browser alice = h.browser();
    GatewayHarness.Browser bob = h.browser();
    assertThat(alice.login("alice", "/").statusCode()).isEqualTo(200);
    assertThat(bob.login("bob", "/").statusCode()).isEqualTo(200);

    gateway.destroyForcibly(); // SIGKILL: no shutdown hooks, no flush
    assertThat(gateway.waitFor(10, TimeUnit.SECONDS)).isTrue();
    startChild(config);

    assertThat(alice.json("/oauth2/session").getString("remote_user")).isEqualTo("alice");
    assertThat(bob.json("/oauth2/session").getString("remote_user")).isEqualTo("bob");
    assertThat(alice.get("/x", "Accept", "application/json").statusCode()).isEqualTo(200);
  }
}
