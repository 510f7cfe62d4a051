package dev.hourglass.op;

import static dev.hourglass.op.OpTestClient.params;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.op.junit.DevOpExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** client_credentials, /userinfo, /introspect and /revoke. */
class ResourceEndpointsTest {
  @RegisterExtension
  DevOpExtension ext = new DevOpExtension();

  OpTestClient client;
  ControllableClock clock;

  @BeforeEach
  void setUp() {
    client = new OpTestClient(ext.vertx(), ext.op());
    clock = ext.clock();
  }

  private HttpResponse<Buffer> userinfo(String token) {
    var r = client.web.getAbs(client.url("/userinfo"));
    if (token != null) r.bearerTokenAuthentication(token);
    return OpTestClient.await(r.send());
  }

  @Test
  void clientCredentialsIssuesAnAccessTokenOnly() {
    HttpResponse<Buffer> r = client.gatewayToken(params("grant_type", "client_credentials", "scope", "api.read"));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject t = r.bodyAsJsonObject();
    assertThat(t.containsKey("refresh_token")).isFalse();
    assertThat(t.containsKey("id_token")).isFalse();
    assertThat(t.getString("scope")).isEqualTo("api.read");
    JWTClaimsSet c = OpTestClient.claims(t.getString("access_token"));
    assertThat(c.getSubject()).isEqualTo("gateway");
    assertThat(c.getClaim("client_id")).isEqualTo("gateway");
    assertThat(t.getLong("expires_in")).isEqualTo(c.getExpirationTime().getTime() / 1000 - c.getIssueTime().getTime() / 1000);
    assertThat(ext.events().matching(e -> e.type().equals("token_issued")).get(0).field("grant_type"))
        .isEqualTo("client_credentials");
  }

  @Test
  void publicClientCannotUseClientCredentials() {
    HttpResponse<Buffer> r = client.token("demo-spa", null, params("grant_type", "client_credentials"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("unauthorized_client");
  }

  @Test
  void introspectionActiveFlipsExactlyAtExpOnTheClock() {
    JsonObject t = client.login("alice");
    JsonObject active = client.introspect(t.getString("access_token"));
    assertThat(active.getBoolean("active")).isTrue();
    assertThat(active.getString("client_id")).isEqualTo("gateway");
    assertThat(active.getString("sub")).isEqualTo("alice");
    assertThat(active.getString("scope")).isEqualTo("openid profile email");
    JWTClaimsSet c = OpTestClient.claims(t.getString("access_token"));
    assertThat(active.getLong("exp")).isEqualTo(c.getExpirationTime().getTime() / 1000);
    assertThat(active.getLong("iat")).isEqualTo(c.getIssueTime().getTime() / 1000);

    java.time.Instant exp = c.getExpirationTime().toInstant();
    clock.set(exp.minusMillis(1));
    assertThat(client.introspect(t.getString("access_token")).getBoolean("active")).isTrue();
    clock.set(exp);
    assertThat(client.introspect(t.getString("access_token"))).isEqualTo(new JsonObject().put("active", false));
  }

  @Test
  void introspectionOfRefreshTokensAndGarbage() {
    JsonObject t = client.login("alice");
    JsonObject rt = client.introspect(t.getString("refresh_token"));
    assertThat(rt.getBoolean("active")).isTrue();
    assertThat(rt.getString("token_type")).isEqualTo("refresh_token");
    assertThat(client.introspect("garbage").getBoolean("active")).isFalse();
    assertThat(client.introspect("a.b.c").getBoolean("active")).isFalse();
  }

  @Test
  void introspectionNeedsAnAuthenticatedConfidentialClient() {
    JsonObject t = client.login("alice");
    HttpResponse<Buffer> anon = OpTestClient.await(client.web.postAbs(client.url("/introspect"))
        .sendForm(OpTestClient.multi(params("token", t.getString("access_token")))));
    assertThat(anon.statusCode()).isEqualTo(401);
    assertThat(anon.getHeader("WWW-Authenticate")).isNotNull();
    HttpResponse<Buffer> pub = OpTestClient.await(client.web.postAbs(client.url("/introspect"))
        .sendForm(OpTestClient.multi(params("token", t.getString("access_token"), "client_id", "demo-spa"))));
    assertThat(pub.statusCode()).isEqualTo(401);
  }

  @Test
  void userinfoReturnsClaimsByScopeAndRejectsExpiredTokens() {
    JsonObject t = client.login("alice");
    HttpResponse<Buffer> ok = userinfo(t.getString("access_token"));
    assertThat(ok.statusCode()).isEqualTo(200);
    JsonObject u = ok.bodyAsJsonObject();
    assertThat(u.getString("sub")).isEqualTo("alice");
    assertThat(u.getString("email")).isEqualTo("alice@example.test");
    assertThat(u.getString("name")).isEqualTo("Alice Liddell");

    clock.advance(Duration.ofHours(1));
    HttpResponse<Buffer> expired = userinfo(t.getString("access_token"));
    assertThat(expired.statusCode()).isEqualTo(401);
    assertThat(expired.getHeader("WWW-Authenticate")).contains("error=\"invalid_token\"");
    assertThat(expired.bodyAsJsonObject().getString("error")).isEqualTo("invalid_token");
  }

  @Test
  void userinfoWithoutTokenOrWithGarbageIs401NeverA500() {
    HttpResponse<Buffer> none = userinfo(null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.getHeader("WWW-Authenticate")).startsWith("Bearer");
    assertThat(userinfo("garbage").statusCode()).isEqualTo(401);
    assertThat(userinfo("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.").statusCode()).isEqualTo(401);
  }

  @Test
  void userinfoOnlyReleasesEmailWithTheEmailScope() {
    HttpResponse<Buffer> r = client.authorize(params("client_id", "gateway", "redirect_uri", OpTestClient.REDIRECT,
        "response_type", "code", "scope", "openid", "login_hint", "bob"));
    JsonObject t = client.gatewayToken(params("grant_type", "authorization_code", "code", OpTestClient.query(r).get("code"),
        "redirect_uri", OpTestClient.REDIRECT)).bodyAsJsonObject();
    JsonObject u = userinfo(t.getString("access_token")).bodyAsJsonObject();
    assertThat(u.fieldNames()).containsExactly("sub");
  }

  @Test
  void revokingARefreshTokenRevokesItsGrantAndUnknownTokensStillGet200() {
    JsonObject t = client.login("alice");
    HttpResponse<Buffer> r = OpTestClient.await(client.web.postAbs(client.url("/revoke"))
        .basicAuthentication("gateway", "gateway-secret")
        .sendForm(OpTestClient.multi(params("token", t.getString("refresh_token"), "token_type_hint", "refresh_token"))));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(client.introspect(t.getString("access_token")).getBoolean("active")).isFalse();
    assertThat(client.refresh(t.getString("refresh_token"), 400).getString("error")).isEqualTo("invalid_grant");

    HttpResponse<Buffer> unknown = OpTestClient.await(client.web.postAbs(client.url("/revoke"))
        .basicAuthentication("gateway", "gateway-secret").sendForm(OpTestClient.multi(params("token", "nope"))));
    assertThat(unknown.statusCode()).isEqualTo(200);
  }

  @Test
  void revokingAnAccessTokenMakesItInactive() {
    JsonObject t = client.login("alice");
    OpTestClient.await(client.web.postAbs(client.url("/revoke")).basicAuthentication("gateway", "gateway-secret")
        .sendForm(OpTestClient.multi(params("token", t.getString("access_token")))));
    assertThat(client.introspect(t.getString("access_token")).getBoolean("active")).isFalse();
    assertThat(userinfo(t.getString("access_token")).statusCode()).isEqualTo(401);
    // the refresh token survives
    client.refresh(t.getString("refresh_token"), 200);
  }

  @Test
  void anotherClientCannotRevokeSomeoneElsesToken() {
    ext.op().registerClient(OpConfig.Client.confidential("other", "o", OpTestClient.REDIRECT));
    JsonObject t = client.login("alice");
    OpTestClient.await(client.web.postAbs(client.url("/revoke")).basicAuthentication("other", "o")
        .sendForm(OpTestClient.multi(params("token", t.getString("refresh_token")))));
    client.refresh(t.getString("refresh_token"), 200);
  }

  @Test
  void browserClientsGetCorsOnTheTokenEndpoint() {
    HttpResponse<Buffer> pre = OpTestClient.await(client.web.requestAbs(io.vertx.core.http.HttpMethod.OPTIONS, client.url("/token"))
        .putHeader("Origin", "http://127.0.0.1:5173").putHeader("Access-Control-Request-Method", "POST").send());
    assertThat(pre.statusCode()).isEqualTo(204);
    assertThat(pre.getHeader("Access-Control-Allow-Origin")).isEqualTo("*");
    assertThat(client.gatewayToken(params("grant_type", "client_credentials")).getHeader("Access-Control-Allow-Origin")).isEqualTo("*");
  }

  @Test
  void sessionTtlPerClientBoundsSso() {
    ext.op().registerClient(ext.op().client("gateway").orElseThrow()
        .withTokens(new OpConfig.Tokens(null, null, null, null, null, Duration.ofMinutes(15), null, null, null)));
    client.login("alice");
    clock.advance(Duration.ofMinutes(14));
    HttpResponse<Buffer> ok = client.authorize(params("client_id", "gateway", "redirect_uri", OpTestClient.REDIRECT,
        "response_type", "code", "scope", "openid", "prompt", "none"));
    assertThat(OpTestClient.query(ok)).containsKey("code");
    clock.advance(Duration.ofMinutes(1));
    HttpResponse<Buffer> gone = client.authorize(params("client_id", "gateway", "redirect_uri", OpTestClient.REDIRECT,
        "response_type", "code", "scope", "openid", "prompt", "none"));
    assertThat(OpTestClient.query(gone)).containsEntry("error", "login_required");
  }
}
