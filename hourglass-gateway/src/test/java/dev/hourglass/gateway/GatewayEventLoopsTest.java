package dev.hourglass.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.op.junit.DevOpExtension;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A gateway serving on several event loops behaves like one: every loop proxies with the session's identity. */
class GatewayEventLoopsTest {
  @RegisterExtension
  DevOpExtension opExtension = DevOpExtension.builder().clockStartingAt(Instant.parse("2030-01-01T08:00:00Z")).build();

  private GatewayHarness h;

  @AfterEach
  void tearDown() {
    System.clearProperty("hourglass.gateway.event-loops");
    if (h != null) h.close();
  }

  @Test
  void threeEventLoopsServeManyConnectionsWithTheRightIdentity() {
    System.setProperty("hourglass.gateway.event-loops", "3");
    h = new GatewayHarness(opExtension).start();
    assertThat(h.gateway.servingEventLoops()).isEqualTo(3);

    // Separate browsers = separate connections, spread by Vert.x over the loops.
    List<GatewayHarness.Browser> users = new ArrayList<>();
    for (String user : List.of("alice", "bob", "alice", "bob", "alice", "bob")) {
      GatewayHarness.Browser b = h.browser();
      assertThat(b.login(user, "/").statusCode()).isEqualTo(200);
      users.add(b);
    }
    List<CompletableFuture<String>> seen = new ArrayList<>();
    for (GatewayHarness.Browser b : users) {
      for (int i = 0; i < 20; i++) {
        seen.add(CompletableFuture.supplyAsync(() -> {
          JsonObject headers = GatewayEndToEndTest.lower(b.json("/whoami").getJsonObject("headers"));
          return headers.getString("x-forwarded-user");
        }));
      }
    }
    for (int u = 0; u < users.size(); u++) {
      for (int i = 0; i < 20; i++) {
        assertThat(seen.get(u * 20 + i).join()).isEqualTo(u % 2 == 0 ? "alice" : "bob");
      }
    }
    assertThat(h.gatewayEvents("UPSTREAM_ERROR")).isEmpty();
  }
}
