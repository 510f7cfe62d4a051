package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code hourglass op} as a real process: prints its issuer, serves, and stops cleanly on SIGTERM (what Ctrl-C does). */
class OpProcessTest {
  @TempDir Path dir;

  @Test
  @Timeout(60)
  void startsPrintsTheIssuerAndStopsCleanlyOnSigterm() throws Exception {
    Path err = dir.resolve("stderr.txt");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "op", "--port", "0", "--access-ttl", "20s")
        .redirectError(err.toFile())
        .start();
    try {
      String issuer = null;
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      for (String line; (line = out.readLine()) != null; ) {
        if (line.trim().startsWith("issuer:")) {
          issuer = line.trim().substring("issuer:".length()).trim();
          break;
        }
      }
      assertThat(issuer).as(Files.readString(err)).startsWith("http://127.0.0.1:");
      HttpResponse<String> discovery = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(discovery.statusCode()).isEqualTo(200);

      p.destroy(); // SIGTERM: runs the shutdown hook like Ctrl-C
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("stopped within 10 s").isTrue();
      assertThat(Files.readString(err)).doesNotContain("Exception").doesNotContain("\tat ");
    } finally {
      p.destroyForcibly();
    }
  }
}
