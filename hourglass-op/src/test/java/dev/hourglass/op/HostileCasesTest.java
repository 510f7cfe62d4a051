package dev.hourglass.op;

import static dev.hourglass.op.OpTestClient.REDIRECT;
import static dev.hourglass.op.OpTestClient.params;
import static dev.hourglass.op.OpTestClient.query;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.event.Event;
import dev.hourglass.op.junit.DevOpExtension;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Races, replays and leaks across endpoints. */
class HostileCasesTest {
  @RegisterExtension
  DevOpExtension ext = DevOpExtension.builder().configure(c -> c.withReuseDetection(ReuseDetection.INVALID_GRANT)).build();

  OpTestClient client;

  @BeforeEach
  void setUp() {
    client = new OpTestClient(ext.vertx(), ext.op());
  }

  @Test
  void twoConcurrentRefreshesWithOneRotatingTokenGiveExactlyOneGrant() {
    JsonObject t = client.login("alice");
    Future<HttpResponse<Buffer>> a = client.web.postAbs(client.url("/token")).basicAuthentication("gateway", "gateway-secret")
        .sendForm(OpTestClient.multi(params("grant_type", "refresh_token", "refresh_token", t.getString("refresh_token"))));
    Future<HttpResponse<Buffer>> b = client.web.postAbs(client.url("/token")).basicAuthentication("gateway", "gateway-secret")
        .sendForm(OpTestClient.multi(params("grant_type", "refresh_token", "refresh_token", t.getString("refresh_token"))));
    List<Integer> statuses = List.of(OpTestClient.await(a).statusCode(), OpTestClient.await(b).statusCode());
    assertThat(statuses).containsExactlyInAnyOrder(200, 400);
    assertThat(ext.events().matching(e -> e.type().equals("token_issued") && "refresh_token".equals(e.field("grant_type"))))
        .hasSize(1);
    assertThat(ext.events().count("refresh_reuse_detected")).isEqualTo(1);
  }

  @Test
  void twoConcurrentRedemptionsOfOneCodeGiveExactlyOneTokenResponse() {
    String code = client.code("alice", null);
    var form = OpTestClient.multi(params("grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT));
    Future<HttpResponse<Buffer>> a = client.web.postAbs(client.url("/token")).basicAuthentication("gateway", "gateway-secret").sendForm(form);
    Future<HttpResponse<Buffer>> b = client.web.postAbs(client.url("/token")).basicAuthentication("gateway", "gateway-secret").sendForm(form);
    List<Integer> statuses = List.of(OpTestClient.await(a).statusCode(), OpTestClient.await(b).statusCode());
    assertThat(statuses).containsExactlyInAnyOrder(200, 400);
    assertThat(ext.events().count("code_reused")).isEqualTo(1);
  }

  @Test
  void aCodeWhoseSessionEndedBeforeRedemptionIsInvalidGrant() {
    String code = client.code("alice", null);
    OpTestClient.await(ext.op().endSessions("alice"));
    HttpResponse<Buffer> t = client.gatewayToken(params("grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT));
    assertThat(t.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void promptNoneForAnotherUserThanTheSessionsIsLoginRequired() {
    client.code("alice", null);
    HttpResponse<Buffer> r = client.authorize(params("client_id", "gateway", "redirect_uri", REDIRECT,
        "response_type", "code", "scope", "openid", "prompt", "none", "login_hint", "bob"));
    assertThat(query(r)).containsEntry("error", "login_required");
  }

  @Test
  void unreachableBackchannelReceiverIsRecordedAndLogoutStillCompletes() throws Exception {
    int dead;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    ext.op().registerClient(ext.op().client("gateway").orElseThrow()
        .withBackchannelLogoutUri("http://127.0.0.1:" + dead + "/bc"));
    JsonObject t = client.login("alice");
    HttpResponse<Buffer> r = client.get("/logout?id_token_hint=" + t.getString("id_token")
        + "&post_logout_redirect_uri=" + java.net.URLEncoder.encode("http://127.0.0.1:8080/", java.nio.charset.StandardCharsets.UTF_8));
    assertThat(r.statusCode()).isEqualTo(302);
    Event sent = ext.events().matching(e -> e.type().equals("backchannel_sent")).get(0);
    assertThat(sent.field("status")).isEqualTo("0");
    assertThat(sent.field("error")).isNotBlank();
  }

  @Test
  void tokensAndSecretsNeverAppearInEvents() {
    JsonObject t = client.login("alice");
    JsonObject r = client.refresh(t.getString("refresh_token"), 200);
    client.refresh(t.getString("refresh_token"), 400);
    client.get("/logout?id_token_hint=" + r.getString("id_token"));
    String all = client.admin(HttpMethod.GET, "/_hourglass/events", null).bodyAsString();
    for (String secret : List.of(t.getString("access_token"), t.getString("refresh_token"), t.getString("id_token"),
        r.getString("refresh_token"), "gateway-secret")) {
      assertThat(all).doesNotContain(secret);
    }
  }

  @Test
  void registeringAClientWithJunkIsA400() {
    for (String body : new String[] {"not json", "[]", "{\"client-id\":\"x\",\"redirect-uris\":\"http://a\"}",
        "{\"client-id\":\"x\",\"backchannel-logout-uri\":\"javascript:alert(1)\"}"}) {
      HttpResponse<Buffer> r = client.admin(HttpMethod.POST, "/_hourglass/clients", body);
      assertThat(r.statusCode()).as(body).isEqualTo(400);
    }
  }
}
