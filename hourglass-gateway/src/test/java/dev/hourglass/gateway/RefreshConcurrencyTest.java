package dev.hourglass.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.op.OpConfig;
import dev.hourglass.op.ReuseDetection;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import dev.hourglass.op.junit.DevOpExtension;

/** Single-flight refresh: many requests of one session at the refresh boundary → one grant. */
class RefreshConcurrencyTest {
  @RegisterExtension
  DevOpExtension opExtension = new DevOpExtension();

  private GatewayHarness h;

  @AfterEach
  void tearDown() {
    if (h != null) h.close();
  }

  @Test
  void fiftyConcurrentRequestsAcrossTheRefreshBoundaryMakeExactlyOneRefreshGrant() {
    h = new GatewayHarness(opExtension).start(
        c -> c.withTokens(new OpConfig.Tokens(null, null, null, null, null, null, true,
            ReuseDetection.REVOKE_FAMILY.configName(), null)),
        "idle-timeout: 2h\n", "");
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    for (int round = 0; round < 3; round++) {
      // Land exactly on, then past, the refresh boundary (exp - 60s).
      h.clock.advance(round == 0 ? Duration.ofMinutes(59) : Duration.ofMinutes(61));
      List<CompletableFuture<HttpResponse<String>>> all = IntStream.range(0, 50)
          .mapToObj(i -> b.http.sendAsync(HttpRequest.newBuilder(URI.create(h.publicUrl + "/api/item/" + i))
              .header("Accept", "application/json").timeout(Duration.ofSeconds(20)).build(),
              HttpResponse.BodyHandlers.ofString()))
          .toList();
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
      assertThat(all).allSatisfy(f -> assertThat(f.join().statusCode()).isEqualTo(200));
      assertThat(h.refreshGrants()).isEqualTo(round + 1);
    }
    assertThat(h.opEvents("refresh_reuse_detected", null, null)).isZero();
    assertThat(h.opEvents("family_revoked", null, null)).isZero();
    assertThat(h.gatewayEvents("REFRESH_OK")).hasSize(3);
    assertThat(h.gateway.events().snapshot()).noneMatch(e -> e.type().startsWith("REFRESH_FAILED"));
  }
}
