package dev.hourglass.gateway.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 6, a hostile discovery or JWKS endpoint: slow, huge, not JSON, 5xx, another issuer. The
 * gateway stays up, says clearly that it is not ready, bounds time and memory, and recovers when
 * the OP behaves again. A flood of forged kids costs the OP at most one JWKS fetch per cooldown.
 */
class HostileProviderTest {
  private static HostileHarness h;

  @BeforeAll
  static void start() {
    h = new HostileHarness().startOp().startGateway();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @BeforeEach
  void reset() {
    h.untamper();
    h.op.events().clear();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"discovery-500", "discovery-not-json", "discovery-issuer-mismatch", "discovery-huge",
      "discovery-slow", "jwks-500", "jwks-not-json", "jwks-huge", "jwks-slow"})
  void aHostileProviderAtStartupLeavesTheGatewayUpNotReadyThenRecovers(String tamperCase) throws Exception {
    HostileHarness.await(h.gateway.close());
    // Fast failures are retried after 250 ms, 500 ms …: three bad answers keep the gateway unready
    // for well over a second; a slow one takes the 10 s fetch timeout by itself.
    int count = tamperCase.endsWith("-slow") ? 1 : 3;
    h.tamper(tamperCase, count);
    long t0 = System.nanoTime();
    h.startGatewayNoWait();
    HostileHarness.Browser b = h.browser();
    assertThat(b.get("/ping").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = b.get("/ready");
    assertThat(ready.statusCode()).isEqualTo(503);
    HttpResponse<String> start = b.get("/oauth2/start?rd=/");
    assertThat(start.statusCode()).isEqualTo(503);
    assertThat(start.body()).contains("Not ready");
    assertThat(b.get("/app", "Accept", "text/html").statusCode()).isIn(302, 503);
    // It fails within the fetch timeout (10 s), then retries and becomes ready.
    HostileHarness.await(h.gateway.ready());
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
    assertThat(seconds).as("bounded time").isLessThan(20);
    assertThat(h.gatewayEventTypes()).contains("DISCOVERY_FAILED", "PROVIDER_READY");
    assertThat(h.opEventsOf("tampered")).hasSize(count).allSatisfy(e -> assertThat(e.field("case")).isEqualTo(tamperCase));
    assertThat(b.get("/ready").statusCode()).isEqualTo(200);
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(302);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"jwks-500", "jwks-not-json", "jwks-huge"})
  void aHostileJwksAtRefetchTimeRefusesThatLoginAndKeepsServingTheOthers(String tamperCase) {
    HostileHarness.Browser alice = h.browser();
    assertThat(alice.login("alice", "/").statusCode()).isEqualTo(302);
    h.clock.advance(Duration.ofSeconds(31));
    h.tamper(tamperCase);
    h.tamper("kid-unknown");
    h.gateway.events().clear();
    HttpResponse<String> r = h.browser().login("bob", "/");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(h.gatewayEventTypes()).contains("ID_TOKEN_REJECTED:jwks");
    assertThat(alice.get("/app").statusCode()).isEqualTo(200);
    assertThat(alice.signedIn()).isTrue();
  }

  @Test
  void aFloodOfForgedKidsCostsTheOpAtMostOneJwksFetchPerCooldown() throws Exception {
    h.clock.advance(Duration.ofSeconds(31)); // one refetch is allowed now
    int n = 200;
    h.tamper("header-jwk", n);
    long before = h.op.jwksRequests();
    h.gateway.events().clear();
    ExecutorService pool = Executors.newFixedThreadPool(32);
    List<Future<Integer>> results = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      results.add(pool.submit(() -> h.browser().login("alice", "/").statusCode()));
    }
    for (Future<Integer> f : results) {
      assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(401);
    }
    pool.shutdown();
    assertThat(h.opEvents("tampered")).isEqualTo(n);
    assertThat(h.gatewayEvents("ID_TOKEN_REJECTED:kid")).hasSize(n);
    assertThat(h.op.jwksRequests() - before).as("JWKS fetches during the flood").isLessThanOrEqualTo(1);
    // A minute later (cooldown over) still at most one more.
    h.clock.advance(Duration.ofSeconds(31));
    h.tamper("header-jwk", 20);
    long mid = h.op.jwksRequests();
    for (int i = 0; i < 20; i++) {
      assertThat(h.browser().login("alice", "/").statusCode()).isEqualTo(401);
    }
    assertThat(h.op.jwksRequests() - mid).isLessThanOrEqualTo(1);
  }
}
