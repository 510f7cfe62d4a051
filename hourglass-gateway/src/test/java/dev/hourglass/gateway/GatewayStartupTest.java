package dev.hourglass.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.op.DevOp;
import dev.hourglass.op.OpConfig;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** /ping, /ready, discovery retry and the exact-issuer rule. */
class GatewayStartupTest {
  private final Vertx vertx = Vertx.vertx();
  private final ControllableClock clock = ControllableClock.startingAt(Instant.parse("2030-01-01T00:00:00Z"));
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void tearDown() {
    GatewayHarness.await(vertx.close());
  }

  private GatewayConfig config(String issuer) {
    return GatewayConfig.parse("t.yaml", """
        listen: 127.0.0.1:0
        public-url: http://127.0.0.1:8080
        upstream: http://127.0.0.1:9
        provider:
          issuer: %s
          client-id: c
          client-secret: s
        session:
          secret: 0123456789abcdef0123456789abcdef
        """.formatted(issuer), Map.of());
  }

  private int status(Gateway g, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void readyOnlyOnceDiscoveryAndKeysHaveLoadedRetryingWhileTheOpIsDown() throws Exception {
    int opPort = GatewayHarness.freePort();
    Gateway g = GatewayHarness.await(Gateway.start(vertx, clock, config("http://127.0.0.1:" + opPort)));
    assertThat(status(g, "/ping")).isEqualTo(200);
    assertThat(status(g, "/ready")).isEqualTo(503);
    // A login attempt before the OP is known gets a clear 503, not a crash.
    assertThat(status(g, "/oauth2/start")).isEqualTo(503);
    DevOp op = GatewayHarness.await(DevOp.start(vertx, clock, OpConfig.demo().withPort(opPort)));
    GatewayHarness.await(g.ready());
    assertThat(status(g, "/ready")).isEqualTo(200);
    assertThat(g.events().count("DISCOVERY_FAILED")).isGreaterThanOrEqualTo(1);
    assertThat(g.events().count("PROVIDER_READY")).isEqualTo(1);
    GatewayHarness.await(g.close());
    GatewayHarness.await(op.close());
  }

  @Test
  void hugeBrokenOrFailingDiscoveryAndJwksAreRefusedAndRetried() throws Exception {
    java.util.concurrent.atomic.AtomicReference<String> mode = new java.util.concurrent.atomic.AtomicReference<>("huge");
    java.util.concurrent.atomic.AtomicInteger port = new java.util.concurrent.atomic.AtomicInteger();
    var server = GatewayHarness.await(vertx.createHttpServer().requestHandler(req -> {
      String iss = "http://127.0.0.1:" + port.get();
      String doc = new io.vertx.core.json.JsonObject().put("issuer", iss).put("authorization_endpoint", iss + "/a")
          .put("token_endpoint", iss + "/t").put("jwks_uri", iss + "/jwks").encode();
      if (req.path().endsWith("/openid-configuration")) {
        switch (mode.get()) {
          case "huge" -> req.response().end("{\"x\":\"" + "a".repeat(600_000) + "\"}");
          case "html" -> req.response().end("<html>maintenance</html>");
          case "500" -> req.response().setStatusCode(500).end();
          default -> req.response().end(doc);
        }
      } else {
        // JWKS: broken in every mode but "ok".
        req.response().end(mode.get().equals("ok") ? "{\"keys\":[]}" : "not json");
      }
    }).listen(0, "127.0.0.1"));
    port.set(server.actualPort());
    Gateway g = GatewayHarness.await(Gateway.start(vertx, clock, config("http://127.0.0.1:" + port.get())));
    for (String m : new String[] {"huge", "html", "500", "jwks-broken"}) {
      mode.set(m);
      java.util.concurrent.CompletableFuture<String> failure = new java.util.concurrent.CompletableFuture<>();
      g.events().onEvent(e -> {
        if (e.type().equals("DISCOVERY_FAILED")) failure.complete(e.field("detail"));
      });
      String detail = failure.get(15, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(detail).as(m).isNotBlank();
      assertThat(status(g, "/ready")).as(m).isEqualTo(503);
    }
    mode.set("ok");
    GatewayHarness.await(g.ready());
    assertThat(status(g, "/ready")).isEqualTo(200);
    GatewayHarness.await(g.close());
  }

  @Test
  void aPortInUseFailsTheStartCleanly() throws Exception {
    Gateway first = GatewayHarness.await(Gateway.start(vertx, clock, config("http://127.0.0.1:9")));
    GatewayConfig base = config("http://127.0.0.1:9");
    GatewayConfig same = new GatewayConfig("127.0.0.1:" + first.port(), base.publicUrl(), base.upstream(), base.provider(),
        base.session(), base.logout(), base.identity(), base.clockSkew(), base.clock(), base.rules(), base.trustedProxies(),
        base.redirect(), base.upstreamTimeout());
    try {
      GatewayHarness.await(Gateway.start(vertx, clock, same));
      throw new AssertionError("second gateway started on a busy port");
    } catch (RuntimeException expected) {
      assertThat(expected).hasStackTraceContaining("ddress already in use");
    }
    GatewayHarness.await(first.close());
  }

  @Test
  void anIssuerThatIsNotExactlyTheConfiguredOneIsNeverReady() throws Exception {
    DevOp op = GatewayHarness.await(DevOp.start(vertx, clock, OpConfig.demo().withPort(0)));
    Gateway g = GatewayHarness.await(Gateway.start(vertx, clock, config(op.issuer() + "/")));
    java.util.concurrent.CompletableFuture<Void> failed = new java.util.concurrent.CompletableFuture<>();
    g.events().onEvent(e -> {
      if (e.type().equals("DISCOVERY_FAILED")) failed.complete(null);
    });
    if (g.events().count("DISCOVERY_FAILED") == 0) {
      failed.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    assertThat(g.events().snapshot()).anySatisfy(e -> {
      assertThat(e.type()).isEqualTo("DISCOVERY_FAILED");
      assertThat(e.field("detail")).contains("not exactly the configured issuer");
    });
    assertThat(status(g, "/ready")).isEqualTo(503);
    GatewayHarness.await(g.close());
    GatewayHarness.await(op.close());
  }
}
