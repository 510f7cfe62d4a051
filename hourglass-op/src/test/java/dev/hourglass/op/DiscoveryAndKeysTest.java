package dev.hourglass.op;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.op.junit.DevOpExtension;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DiscoveryAndKeysTest {
  private static void with(OpConfig config, Body body) throws Exception {
    DevOpExtension ext = DevOpExtension.builder().config(config).build();
    ext.beforeEach(null);
    try {
      body.run(ext, new OpTestClient(ext.vertx(), ext.op()), ext.clock());
    } finally {
      ext.afterEach(null);
    }
  }

  interface Body {
    void run(DevOpExtension ext, OpTestClient client, ControllableClock clock) throws Exception;
  }

  @Test
  void discoveryAdvertisesEndpointsAndLogoutAndPkceSupport() throws Exception {
    with(OpConfig.demo(), (ext, client, clock) -> {
      JsonObject m = client.get("/.well-known/openid-configuration").bodyAsJsonObject();
      String iss = ext.issuer();
      assertThat(iss).matches("http://127\\.0\\.0\\.1:\\d+");
      assertThat(m.getString("issuer")).isEqualTo(iss);
      assertThat(m.getString("authorization_endpoint")).isEqualTo(iss + "/authorize");
      assertThat(m.getString("token_endpoint")).isEqualTo(iss + "/token");
      assertThat(m.getString("userinfo_endpoint")).isEqualTo(iss + "/userinfo");
      assertThat(m.getString("jwks_uri")).isEqualTo(iss + "/jwks");
      assertThat(m.getString("end_session_endpoint")).isEqualTo(iss + "/logout");
      assertThat(m.getString("introspection_endpoint")).isEqualTo(iss + "/introspect");
      assertThat(m.getString("revocation_endpoint")).isEqualTo(iss + "/revoke");
      assertThat(m.getBoolean("backchannel_logout_supported")).isTrue();
      assertThat(m.getBoolean("backchannel_logout_session_supported")).isTrue();
      assertThat(m.getBoolean("frontchannel_logout_supported")).isTrue();
      assertThat(m.getBoolean("authorization_response_iss_parameter_supported")).isTrue();
      assertThat(m.getJsonArray("code_challenge_methods_supported")).isEqualTo(new JsonArray().add("S256"));
      assertThat(m.getJsonArray("grant_types_supported").getList())
          .contains("authorization_code", "refresh_token", "client_credentials");
      assertThat(m.getJsonArray("token_endpoint_auth_methods_supported").getList())
          .contains("client_secret_basic", "client_secret_post", "none");
      assertThat(m.getJsonArray("id_token_signing_alg_values_supported").getList()).containsExactly("RS256");
      assertThat(client.get("/.well-known/oauth-authorization-server").bodyAsJsonObject()).isEqualTo(m);
    });
  }

  @Test
  void jwksPublishesKidAndNoPrivateParts() throws Exception {
    with(OpConfig.demo(), (ext, client, clock) -> {
      JsonObject jwks = client.get("/jwks").bodyAsJsonObject();
      JsonObject key = jwks.getJsonArray("keys").getJsonObject(0);
      assertThat(key.getString("kid")).isNotBlank();
      assertThat(key.getString("kty")).isEqualTo("RSA");
      assertThat(key.getString("use")).isEqualTo("sig");
      assertThat(key.getString("alg")).isEqualTo("RS256");
      assertThat(key.containsKey("d")).isFalse();
      assertThat(key.containsKey("p")).isFalse();
    });
  }

  @Test
  void rotationKeepsThePreviousKeyForTheGracePeriodThenDropsIt() throws Exception {
    with(OpConfig.demo().withKeyRotationGrace(Duration.ofMinutes(30)), (ext, client, clock) -> {
      JsonObject tokens = client.login("alice");
      String oldKid = SignedJWT.parse(tokens.getString("id_token")).getHeader().getKeyID();
      String newKid = ext.op().rotateKeys();
      assertThat(kids(client)).containsExactly(newKid, oldKid);
      // a token signed with the old key still verifies at the OP during the grace period
      assertThat(client.introspect(tokens.getString("access_token")).getBoolean("active")).isTrue();
      JsonObject fresh = client.refresh(tokens.getString("refresh_token"), 200);
      assertThat(SignedJWT.parse(fresh.getString("access_token")).getHeader().getKeyID()).isEqualTo(newKid);

      clock.advance(Duration.ofMinutes(30).minusSeconds(1));
      assertThat(kids(client)).containsExactly(newKid, oldKid);
      clock.advance(Duration.ofSeconds(1));
      assertThat(kids(client)).containsExactly(newKid);
      assertThat(ext.events().matching(e -> e.type().equals("keys_rotated")).get(0).field("previous_kid")).isEqualTo(oldKid);
    });
  }

  @Test
  void es256SignsEverythingWithAnEcKey() throws Exception {
    with(OpConfig.demo().withSigningAlg("ES256"), (ext, client, clock) -> {
      JsonObject t = client.login("alice");
      SignedJWT id = SignedJWT.parse(t.getString("id_token"));
      assertThat(id.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
      JWKSet set = JWKSet.parse(client.get("/jwks").bodyAsString());
      ECKey key = (ECKey) set.getKeyByKeyId(id.getHeader().getKeyID());
      assertThat(id.verify(new ECDSAVerifier(key))).isTrue();
      assertThat(client.get("/.well-known/openid-configuration").bodyAsJsonObject()
          .getJsonArray("id_token_signing_alg_values_supported").getList()).containsExactly("ES256");
    });
  }

  @Test
  void issuerWithAPathServesEverythingUnderIt() throws Exception {
    DevOpExtension probe = new DevOpExtension();
    probe.beforeEach(null);
    int port = probe.op().port();
    probe.afterEach(null);
    // a fixed free-ish port is needed for a configured issuer; reuse the one just released
    OpConfig cfg = OpConfig.demo().withIssuer("http://127.0.0.1:" + port + "/realms/dev");
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      DevOp op = OpTestClient.await(DevOp.start(vertx, ControllableClock.startingNow(), cfg.withPort(port)));
      OpTestClient client = new OpTestClient(vertx, op);
      JsonObject m = client.get("/.well-known/openid-configuration").bodyAsJsonObject();
      assertThat(m.getString("issuer")).isEqualTo("http://127.0.0.1:" + port + "/realms/dev");
      assertThat(m.getString("token_endpoint")).isEqualTo("http://127.0.0.1:" + port + "/realms/dev/token");
      JsonObject t = client.login("alice");
      assertThat(OpTestClient.claims(t.getString("id_token")).getIssuer()).isEqualTo(op.issuer());
      // the admin API also answers at the root
      assertThat(OpTestClient.await(client.web.getAbs("http://127.0.0.1:" + port + "/_hourglass/clock").send()).statusCode())
          .isEqualTo(200);
      OpTestClient.await(op.close());
    } finally {
      OpTestClient.await(vertx.close());
    }
  }

  @Test
  void adminTokenIsRequiredWhenConfigured() throws Exception {
    with(OpConfig.demo().withAdminToken("s3cret"), (ext, client, clock) -> {
      assertThat(client.admin(HttpMethod.GET, "/_hourglass/events", null).statusCode()).isEqualTo(401);
      var ok = OpTestClient.await(client.web.getAbs(client.url("/_hourglass/events"))
          .bearerTokenAuthentication("s3cret").send());
      assertThat(ok.statusCode()).isEqualTo(200);
      var wrong = OpTestClient.await(client.web.postAbs(client.url("/_hourglass/keys/rotate"))
          .bearerTokenAuthentication("guess").send());
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(ext.events().count("keys_rotated")).isZero();
    });
  }

  private static java.util.List<String> kids(OpTestClient client) {
    return client.get("/jwks").bodyAsJsonObject().getJsonArray("keys").stream()
        .map(k -> ((JsonObject) k).getString("kid")).toList();
  }
}
