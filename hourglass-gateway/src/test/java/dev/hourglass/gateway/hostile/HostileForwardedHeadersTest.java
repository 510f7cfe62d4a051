package dev.hourglass.gateway.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * X-Forwarded-* is trusted only from the addresses in {@code trusted-proxies}; identity headers
 * are stripped even when a trusted proxy sends them.
 */
class HostileForwardedHeadersTest {
  private HostileHarness h;

  @AfterEach
  void stop() {
    h.close();
  }

  private List<String[]> proxiedWith(String trustedProxies) {
    h = new HostileHarness().startOp();
    h.extraYaml = "trusted-proxies: " + trustedProxies + "\n";
    h.startGateway();
    HostileHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(302);
    h.upstreamRequests.clear();
    assertThat(b.send(HttpRequest.newBuilder(URI.create(h.publicUrl + "/app")).GET()
        .header("X-Forwarded-For", "6.6.6.6").header("X-Forwarded-User", "mallory")
        .header("X_Forwarded_Email", "mallory@evil.example")).statusCode()).isEqualTo(200);
    return new ArrayList<>(h.upstreamRequests).get(0);
  }

  private static String header(List<String[]> raw, String name) {
    return raw.stream().filter(hv -> hv[0].equalsIgnoreCase(name)).map(hv -> hv[1]).reduce((a, b) -> a + "|" + b).orElse(null);
  }

  @Test
  void aConfiguredProxyKeepsItsForwardedForAndGetsTheHopAppended() {
    List<String[]> raw = proxiedWith("[127.0.0.1]");
    assertThat(header(raw, "X-Forwarded-For")).isEqualTo("6.6.6.6, 127.0.0.1");
    assertThat(header(raw, "X-Forwarded-User")).isEqualTo("alice");
    assertThat(header(raw, "X-Forwarded-Email")).isEqualTo("alice@example.test");
  }

  @Test
  void aClientOutsideTheConfiguredRangesIsNotTrusted() {
    List<String[]> raw = proxiedWith("[10.0.0.0/8, '::2']");
    assertThat(header(raw, "X-Forwarded-For")).isEqualTo("127.0.0.1");
    assertThat(header(raw, "X-Forwarded-User")).isEqualTo("alice");
  }
}
