package dev.hourglass.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.lab.browser.VirtualBrowser;
import dev.hourglass.lab.browser.VirtualBrowser.Page;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The lab page's controls: what they do, and that a cross-site page cannot press them. */
class LabRoutesTest {
  private static Vertx vertx;
  private static Lab lab;
  private static WebClient client;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    lab = await(Lab.start(vertx, ControllableClock.startingNow(), LabOptions.ephemeral(Map.of(), Map.of()), "test"));
    client = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    await(lab.close());
    await(vertx.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private HttpResponse<Buffer> post(String path, String body, boolean labHeader) throws Exception {
    var req = client.post(lab.gatewayUrl().getPort(), "127.0.0.1", path).putHeader("Content-Type", "application/json");
    if (labHeader) req.putHeader("X-Hourglass-Lab", "1");
    return await(req.sendBuffer(Buffer.buffer(body)));
  }

  @Test
  void pageAndStateAreServedWithoutASession() throws Exception {
    HttpResponse<Buffer> page = await(client.get(lab.gatewayUrl().getPort(), "127.0.0.1", "/oauth2/lab").send());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.getHeader("Content-Security-Policy")).contains("frame-ancestors 'none'");
    assertThat(page.bodyAsString()).contains("Session timeline");
    JsonObject state = await(client.get(lab.gatewayUrl().getPort(), "127.0.0.1", "/oauth2/lab/state").send()).bodyAsJsonObject();
    assertThat(state.getValue("session")).isNull();
    assertThat(state.getJsonArray("users").getList()).contains("alice", "bob", "carol");
    assertThat(state.getJsonObject("op").getString("expired-hint")).isEqualTo("accept");
  }

  @Test
  void controlsWithoutTheLabHeaderAreRefusedAndChangeNothing() throws Exception {
    var before = lab.clock().instant();
    HttpResponse<Buffer> r = post("/oauth2/lab/clock", "{\"advance\":\"1h\"}", false);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(lab.clock().instant()).isEqualTo(before);
    // A cross-site HTML form can only send form bodies, and never the custom header.
    assertThat(post("/oauth2/lab/rotate-keys", "", false).statusCode()).isEqualTo(403);
  }

  @Test
  void advanceMovesTheOneClockAndBadDurationsGet400() throws Exception {
    var before = lab.clock().instant();
    assertThat(post("/oauth2/lab/clock", "{\"advance\":\"5m\"}", true).statusCode()).isEqualTo(200);
    assertThat(lab.clock().instant()).isEqualTo(before.plus(Duration.ofMinutes(5)));
    assertThat(lab.op().clock().instant()).as("the OP reads the same clock").isEqualTo(lab.clock().instant());
    for (String bad : new String[] {"{\"advance\":\"-5m\"}", "{\"advance\":\"soon\"}", "{\"advance\":5}", "not json", "[]"}) {
      assertThat(post("/oauth2/lab/clock", bad, true).statusCode()).as(bad).isEqualTo(400);
    }
    assertThat(lab.clock().instant()).isEqualTo(before.plus(Duration.ofMinutes(5)));
  }

  @Test
  void opControlsReachTheOp() throws Exception {
    assertThat(post("/oauth2/lab/op-settings", "{\"expired-hint\":\"reject\"}", true).statusCode()).isEqualTo(200);
    assertThat(lab.op().settings().expiredHintPolicy().configName()).isEqualTo("reject");
    assertThat(post("/oauth2/lab/op-settings", "{\"expired-hint\":\"maybe\"}", true).statusCode()).isEqualTo(400);
    assertThat(post("/oauth2/lab/op-settings", "{\"expired-hint\":\"accept\"}", true).statusCode()).isEqualTo(200);

    long rotated = lab.opEvents().count("keys_rotated");
    assertThat(post("/oauth2/lab/rotate-keys", "{}", true).statusCode()).isEqualTo(200);
    assertThat(lab.opEvents().count("keys_rotated")).isEqualTo(rotated + 1);

    assertThat(post("/oauth2/lab/fault", "{\"kind\":\"op-down\",\"minutes\":10}", true).statusCode()).isEqualTo(200);
    assertThat(lab.op().faults().describe(lab.clock().instant())).hasSize(3);
    assertThat(post("/oauth2/lab/fault", "{\"kind\":\"op-down\",\"minutes\":0}", true).statusCode()).isEqualTo(400);
    assertThat(post("/oauth2/lab/fault", "{\"kind\":\"meteor\"}", true).statusCode()).isEqualTo(400);
    assertThat(post("/oauth2/lab/fault", "{\"kind\":\"clear\"}", true).statusCode()).isEqualTo(200);
    assertThat(lab.op().faults().describe(lab.clock().instant())).isEmpty();
  }

  @Test
  void refreshNowRefreshesTheBrowsersSessionAndNeedsOne() throws Exception {
    assertThat(post("/oauth2/lab/refresh", "{}", true).statusCode()).isEqualTo(409);
    VirtualBrowser b = new VirtualBrowser(vertx);
    try {
      Page p = await(b.navigate(URI.create(lab.gatewayUrl() + "/oauth2/start?login_hint=bob&rd=/oauth2/lab"), Map.of()));
      assertThat(p.status()).isEqualTo(200);
      long before = lab.opEvents().matching(e -> "refresh_token".equals(e.field("grant_type"))).size();
      Page r = await(b.request("POST", URI.create(lab.gatewayUrl() + "/oauth2/lab/refresh"),
          Map.of("X-Hourglass-Lab", "1"), MultiMap.caseInsensitiveMultiMap()));
      assertThat(r.status()).isEqualTo(200);
      assertThat(lab.opEvents().matching(e -> "refresh_token".equals(e.field("grant_type")))).hasSize((int) before + 1);
      Page state = await(b.navigate(URI.create(lab.gatewayUrl() + "/oauth2/lab/state"), Map.of()));
      assertThat(new JsonObject(state.body()).getJsonObject("session").getString("remote_user")).isEqualTo("bob");
    } finally {
      b.close();
    }
  }
}
