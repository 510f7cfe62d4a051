package dev.hourglass.op;

import static dev.hourglass.op.OpTestClient.params;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.op.junit.DevOpExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The /_hourglass/ admin API: clock, faults, events, settings, clients, keys. */
class AdminApiTest {
  @RegisterExtension
  DevOpExtension ext = new DevOpExtension();

  OpTestClient client;
  ControllableClock clock;

  @BeforeEach
  void setUp() {
    client = new OpTestClient(ext.vertx(), ext.op());
    clock = ext.clock();
  }

  private HttpResponse<Buffer> admin(HttpMethod m, String path, String json) {
    return client.admin(m, path, json);
  }

  private JsonArray events() {
    return new JsonArray(admin(HttpMethod.GET, "/_hourglass/events", null).bodyAsString());
  }

  @Test
  void clockAdvancesOverHttpAndIsRecordedAsClockChanged() {
    Instant before = clock.instant();
    HttpResponse<Buffer> r = admin(HttpMethod.POST, "/_hourglass/clock", "{\"advance\":\"PT1H\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(clock.instant()).isEqualTo(before.plus(Duration.ofHours(1)));
    clock.advance(Duration.ofMinutes(5)); // in-process moves are recorded too
    JsonArray ev = events();
    assertThat(ev.stream().map(o -> ((JsonObject) o).getString("type")).filter("clock_changed"::equals)).hasSize(2);
    JsonObject first = ev.getJsonObject(0);
    assertThat(first.getString("type")).isEqualTo("clock_changed");
    assertThat(first.getString("advanced")).isEqualTo("PT1H");
    assertThat(admin(HttpMethod.POST, "/_hourglass/clock", "{\"set\":\"2000-01-01T00:00:00Z\"}").statusCode()).isEqualTo(400);
    assertThat(admin(HttpMethod.GET, "/_hourglass/clock", null).bodyAsJsonObject().getString("offset")).isEqualTo("PT1H5M");
  }

  @Test
  void eventsAreOldestFirstWithClockTimeAndCanBeCleared() {
    client.login("alice");
    clock.advance(Duration.ofMinutes(10));
    JsonArray ev = events();
    JsonObject code = ev.stream().map(o -> (JsonObject) o).filter(o -> o.getString("type").equals("code_issued")).findFirst().orElseThrow();
    JsonObject token = ev.stream().map(o -> (JsonObject) o).filter(o -> o.getString("type").equals("token_issued")).findFirst().orElseThrow();
    assertThat(code.getString("client_id")).isEqualTo("gateway");
    assertThat(code.getString("sub")).isEqualTo("alice");
    assertThat(code.getString("sid")).isNotBlank();
    assertThat(token.getString("grant_type")).isEqualTo("authorization_code");
    assertThat(token.getString("family")).isNotBlank();
    assertThat(Instant.parse(token.getString("time"))).isEqualTo(clock.instant().minus(Duration.ofMinutes(10)));
    assertThat(ev.getJsonObject(ev.size() - 1).getString("type")).isEqualTo("clock_changed");

    JsonArray onlyTokens = new JsonArray(admin(HttpMethod.GET, "/_hourglass/events?type=token_issued", null).bodyAsString());
    assertThat(onlyTokens).hasSize(1);

    assertThat(admin(HttpMethod.DELETE, "/_hourglass/events", null).statusCode()).isEqualTo(200);
    assertThat(events()).isEmpty();
  }

  @Test
  void injectedTokenFaultsAreUsedUpOneCallAtATime() {
    JsonObject t = client.login("alice");
    admin(HttpMethod.POST, "/_hourglass/faults", "{\"endpoint\":\"token\",\"count\":2,\"error\":\"temporarily_unavailable\",\"status\":503}");
    HttpResponse<Buffer> r1 = client.gatewayToken(params("grant_type", "refresh_token", "refresh_token", t.getString("refresh_token")));
    HttpResponse<Buffer> r2 = client.gatewayToken(params("grant_type", "refresh_token", "refresh_token", t.getString("refresh_token")));
    assertThat(r1.statusCode()).isEqualTo(503);
    assertThat(r2.statusCode()).isEqualTo(503);
    assertThat(r1.bodyAsJsonObject().getString("error")).isEqualTo("temporarily_unavailable");
    // the refresh token was not consumed by the failed calls
    assertThat(client.refresh(t.getString("refresh_token"), 200).getString("access_token")).isNotBlank();
    assertThat(ext.events().count("fault_injected")).isEqualTo(2);
    assertThat(ext.events().matching(e -> e.type().equals("fault_injected")).get(0).field("endpoint")).isEqualTo("token");
  }

  @Test
  void defaultStatusFollowsTheError() {
    ext.op().faults().inject(Fault.failNext("token", 1, "invalid_grant", null));
    HttpResponse<Buffer> r = client.gatewayToken(params("grant_type", "client_credentials"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
    assertThat(client.gatewayToken(params("grant_type", "client_credentials")).statusCode()).isEqualTo(200);
  }

  @Test
  void downForKeepsTheEndpointFailingUntilTheClockPassesIt() {
    admin(HttpMethod.POST, "/_hourglass/faults", "{\"endpoint\":\"jwks\",\"down-for\":\"10m\"}");
    assertThat(client.get("/jwks").statusCode()).isEqualTo(503);
    assertThat(client.get("/jwks").statusCode()).isEqualTo(503);
    clock.advance(Duration.ofMinutes(9));
    assertThat(client.get("/jwks").statusCode()).isEqualTo(503);
    clock.advance(Duration.ofMinutes(1));
    assertThat(client.get("/jwks").statusCode()).isEqualTo(200);
  }

  @Test
  void deleteClearsFaults() {
    admin(HttpMethod.POST, "/_hourglass/faults", "{\"endpoint\":\"discovery\",\"count\":5,\"status\":500}");
    assertThat(client.get("/.well-known/openid-configuration").statusCode()).isEqualTo(500);
    assertThat(admin(HttpMethod.GET, "/_hourglass/faults", null).bodyAsJsonObject().getJsonArray("faults").getJsonObject(0)
        .getInteger("remaining")).isEqualTo(4);
    admin(HttpMethod.DELETE, "/_hourglass/faults", null);
    assertThat(client.get("/.well-known/openid-configuration").statusCode()).isEqualTo(200);
  }

  @Test
  void delayFaultAnswersNormallyAfterTheDelay() {
    admin(HttpMethod.POST, "/_hourglass/faults", "{\"endpoint\":\"userinfo\",\"count\":1,\"delay\":\"50ms\"}");
    JsonObject t = client.login("alice");
    HttpResponse<Buffer> r = OpTestClient.await(client.web.getAbs(client.url("/userinfo"))
        .bearerTokenAuthentication(t.getString("access_token")).send());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(ext.events().count("fault_injected")).isEqualTo(1);
  }

  @Test
  void authorizeFaultShowsAnErrorPage() {
    admin(HttpMethod.POST, "/_hourglass/faults", "{\"endpoint\":\"authorize\",\"count\":1,\"error\":\"server_error\",\"status\":500}");
    HttpResponse<Buffer> r = client.authorize(OpTestClient.gatewayAuthorize("alice", null));
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.getHeader("Content-Type")).startsWith("text/html");
    assertThat(client.authorize(OpTestClient.gatewayAuthorize("alice", null)).statusCode()).isEqualTo(302);
  }

  @Test
  void badFaultRequestsAre400WithTheKey() {
    for (String body : new String[] {"{}", "{\"endpoint\":\"nope\"}", "{\"endpoint\":\"token\",\"count\":0}",
        "{\"endpoint\":\"token\",\"status\":99}", "{\"endpoint\":\"token\",\"delay\":\"soon\"}", "[1]", "not json",
        "{\"endpoint\":\"token\",\"colour\":\"red\"}", "{\"endpoint\":\"token\",\"count\":\"2\"}"}) {
      HttpResponse<Buffer> r = admin(HttpMethod.POST, "/_hourglass/faults", body);
      assertThat(r.statusCode()).as(body).isEqualTo(400);
      assertThat(r.bodyAsJsonObject().getString("error_description")).as(body).isNotBlank();
    }
  }

  @Test
  void settingsSwitchExpiredHintAndRefreshReturnsIdTokenAtRuntime() {
    HttpResponse<Buffer> r = admin(HttpMethod.POST, "/_hourglass/settings", "{\"expired-hint\":\"reject\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(ext.op().settings().expiredHintPolicy()).isEqualTo(ExpiredHintPolicy.REJECT);
    admin(HttpMethod.POST, "/_hourglass/settings", "{\"refresh-returns-id-token\":false,\"client-id\":\"gateway\"}");
    JsonObject t = client.login("alice");
    assertThat(client.refresh(t.getString("refresh_token"), 200).containsKey("id_token")).isFalse();
    JsonObject shown = admin(HttpMethod.GET, "/_hourglass/settings", null).bodyAsJsonObject();
    assertThat(shown.getString("expired-hint")).isEqualTo("reject");
    assertThat(shown.getJsonObject("clients").getJsonObject("gateway").getBoolean("refresh-returns-id-token")).isFalse();
    assertThat(admin(HttpMethod.POST, "/_hourglass/settings", "{\"expired-hint\":\"maybe\"}").statusCode()).isEqualTo(400);
    assertThat(admin(HttpMethod.POST, "/_hourglass/settings", "{\"client-id\":\"ghost\",\"refresh-returns-id-token\":true}").statusCode())
        .isEqualTo(400);
  }

  @Test
  void clientsCanBeRegisteredAtRuntimeWithConfigKeys() {
    HttpResponse<Buffer> r = admin(HttpMethod.POST, "/_hourglass/clients",
        "{\"client-id\":\"test-rp\",\"client-secret\":\"s\",\"redirect-uris\":[\"http://127.0.0.1:41234/cb\"],"
            + "\"tokens\":{\"access-ttl\":\"5m\"}}");
    assertThat(r.statusCode()).isEqualTo(201);
    HttpResponse<Buffer> a = client.authorize(params("client_id", "test-rp", "redirect_uri", "http://127.0.0.1:41234/cb",
        "response_type", "code", "scope", "openid", "login_hint", "alice"));
    String code = OpTestClient.query(a).get("code");
    JsonObject t = client.token("test-rp", "s", params("grant_type", "authorization_code", "code", code,
        "redirect_uri", "http://127.0.0.1:41234/cb")).bodyAsJsonObject();
    assertThat(t.getLong("expires_in")).isEqualTo(300);

    HttpResponse<Buffer> bad = admin(HttpMethod.POST, "/_hourglass/clients", "{\"client-id\":\"x\",\"redirect-urls\":[]}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getString("error_description")).contains("redirect-urls");
    HttpResponse<Buffer> badTtl = admin(HttpMethod.POST, "/_hourglass/clients", "{\"client-id\":\"x\",\"tokens\":{\"access-ttl\":\"later\"}}");
    assertThat(badTtl.bodyAsJsonObject().getString("error_description")).contains("tokens.access-ttl");
    assertThat(admin(HttpMethod.GET, "/_hourglass/clients", null).bodyAsJsonObject().getJsonArray("clients").size()).isEqualTo(3);
  }

  @Test
  void keysRotateOverHttp() {
    String before = client.get("/jwks").bodyAsJsonObject().getJsonArray("keys").getJsonObject(0).getString("kid");
    HttpResponse<Buffer> r = admin(HttpMethod.POST, "/_hourglass/keys/rotate", null);
    assertThat(r.statusCode()).isEqualTo(200);
    String kid = r.bodyAsJsonObject().getString("kid");
    JsonArray keys = client.get("/jwks").bodyAsJsonObject().getJsonArray("keys");
    assertThat(keys.stream().map(k -> ((JsonObject) k).getString("kid"))).containsExactly(kid, before);
    assertThat(ext.events().count("keys_rotated")).isEqualTo(1);
  }

  @Test
  void sessionsAreListed() {
    client.login("alice");
    JsonArray s = admin(HttpMethod.GET, "/_hourglass/sessions", null).bodyAsJsonObject().getJsonArray("sessions");
    assertThat(s).hasSize(1);
    assertThat(s.getJsonObject(0).getString("sub")).isEqualTo("alice");
    assertThat(s.getJsonObject(0).getBoolean("active")).isTrue();
  }

  @Test
  void opSideLogoutEndsTheUsersSessionsAndGrants() {
    JsonObject t = client.login("alice");
    HttpResponse<Buffer> r = admin(HttpMethod.POST, "/_hourglass/logout", "{\"sub\":\"alice\"}");
    assertThat(r.bodyAsJsonObject().getInteger("ended")).isEqualTo(1);
    assertThat(client.refresh(t.getString("refresh_token"), 400).getString("error")).isEqualTo("invalid_grant");
    HttpResponse<Buffer> sso = client.authorize(OpTestClient.params("client_id", "gateway", "redirect_uri", OpTestClient.REDIRECT,
        "response_type", "code", "scope", "openid", "prompt", "none"));
    assertThat(OpTestClient.query(sso)).containsEntry("error", "login_required");
    assertThat(ext.events().matching(e -> e.type().equals("logout")).get(0).field("via")).isEqualTo("admin");
    assertThat(admin(HttpMethod.POST, "/_hourglass/logout", "{}").statusCode()).isEqualTo(400);
    assertThat(admin(HttpMethod.POST, "/_hourglass/logout", "{\"sub\":\"nobody\"}").bodyAsJsonObject().getInteger("ended")).isZero();
  }

  @Test
  void revokingAUsersGrantsMakesTheNextRefreshFailButKeepsTheSession() {
    JsonObject t = client.login("alice");
    assertThat(admin(HttpMethod.POST, "/_hourglass/revoke", "{\"sub\":\"alice\"}").bodyAsJsonObject().getInteger("revoked"))
        .isEqualTo(1);
    assertThat(client.refresh(t.getString("refresh_token"), 400).getString("error")).isEqualTo("invalid_grant");
    assertThat(ext.op().revokeGrants("alice")).isZero();
    HttpResponse<Buffer> sso = client.authorize(OpTestClient.params("client_id", "gateway", "redirect_uri", OpTestClient.REDIRECT,
        "response_type", "code", "scope", "openid", "prompt", "none"));
    assertThat(OpTestClient.query(sso)).containsKey("code");
  }
}
