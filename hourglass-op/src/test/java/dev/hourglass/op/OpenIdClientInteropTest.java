package dev.hourglass.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hourglass.op.junit.DevOpExtension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Interop with a real third-party RP: panva's openid-client (npm) runs discovery, code + PKCE,
 * userinfo, refresh, introspection, revocation, RP-initiated logout and client_credentials against
 * the dev OP. Skipped when node/npm are missing or the package cannot be installed.
 */
@Tag("interop")
class OpenIdClientInteropTest {
  @RegisterExtension
  DevOpExtension ext = DevOpExtension.builder()
      .configure(c -> c.withClient(OpConfig.Client.confidential("rp", "rp-secret", "http://127.0.0.1:9999/cb")
          .withPostLogoutRedirectUris(List.of("http://127.0.0.1:9999/"))))
      .build();

  @Test
  void openIdClientCompletesTheWholeFlow() throws Exception {
    Path dir = Path.of(System.getProperty("java.io.tmpdir"), "hourglass-interop-openid-client");
    Files.createDirectories(dir);
    if (!Files.isDirectory(dir.resolve("node_modules/openid-client"))) {
      Files.writeString(dir.resolve("package.json"), "{\"name\":\"hourglass-interop\",\"private\":true,\"type\":\"module\"}");
      assumeTrue(run(dir, 180, "npm", "install", "--no-audit", "--no-fund", "openid-client@6.9.0").exitCode == 0,
          "npm could not install openid-client");
    }
    try (InputStream in = getClass().getResourceAsStream("/interop/openid-client-flow.mjs")) {
      Files.write(dir.resolve("flow.mjs"), in.readAllBytes());
    }
    Result r = run(dir, 60, "node", "flow.mjs", ext.issuer());
    assertThat(r.output).as(r.output).contains("logout -> 302 http://127.0.0.1:9999/?state=bye").contains("OK");
    assertThat(r.exitCode).isZero();
    assertThat(r.output).contains("introspect true 3600").contains("refreshed id sub alice new rt true");
    assertThat(ext.events().count("token_issued")).isEqualTo(3);
    assertThat(ext.events().count("logout")).isEqualTo(1);
  }

  private record Result(int exitCode, String output) {}

  private static Result run(Path dir, int seconds, String... cmd) throws InterruptedException {
    try {
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, "timeout");
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      assumeTrue(false, cmd[0] + " is not available: " + e.getMessage());
      return null;
    }
  }
}
