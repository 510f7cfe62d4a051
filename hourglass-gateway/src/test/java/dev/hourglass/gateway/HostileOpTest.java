package dev.hourglass.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A small hostile OP in the test (the dev OP's tamper mode comes with the hostile issue): each
 * broken answer must refuse the login with a precise reason and create no session.
 */
class HostileOpTest {
  private GatewayHarness h;
  private HttpServer op;
  private String issuer;
  private RSAKey key;
  private final Map<String, String> nonces = new ConcurrentHashMap<>();
  private volatile Consumer<JWTClaimsSet.Builder> loginTamper = b -> { };
  private volatile Consumer<JWTClaimsSet.Builder> refreshTamper = b -> { };
  private volatile boolean unsigned;
  private volatile String userinfoSub = "alice";
  private volatile int tokenCalls;

  @BeforeEach
  void start() throws Exception {
    h = new GatewayHarness(dev.hourglass.core.clock.ControllableClock.startingAt(Instant.parse("2030-01-01T00:00:00Z")));
    key = new RSAKeyGenerator(2048).keyID("hk").generate();
    Router r = Router.router(h.vertx);
    r.get("/.well-known/openid-configuration").handler(ctx -> ctx.json(new JsonObject()
        .put("issuer", issuer).put("authorization_endpoint", issuer + "/authorize").put("token_endpoint", issuer + "/token")
        .put("userinfo_endpoint", issuer + "/userinfo").put("jwks_uri", issuer + "/jwks")
        .put("authorization_response_iss_parameter_supported", true)));
    r.get("/jwks").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json").end(new JWKSet(key).toPublicJWKSet().toString()));
    r.get("/authorize").handler(ctx -> {
      String code = "code-" + nonces.size();
      nonces.put(code, ctx.request().getParam("nonce"));
      ctx.redirect(ctx.request().getParam("redirect_uri") + "?code=" + code + "&state=" + ctx.request().getParam("state")
          + "&iss=" + URLEncoder.encode(issuer, StandardCharsets.UTF_8));
    });
    r.post("/token").handler(BodyHandler.create()).handler(ctx -> {
      tokenCalls++;
      MultiMap form = ctx.request().formAttributes();
      Instant now = h.clock.instant();
      JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().issuer(issuer).subject("alice").audience(GatewayHarness.CLIENT_ID)
          .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofHours(1)))).claim("email", "alice@example.test");
      if (form.get("grant_type").equals("authorization_code")) {
        b.claim("nonce", nonces.get(form.get("code")));
        loginTamper.accept(b);
      } else {
        refreshTamper.accept(b);
      }
      ctx.json(new JsonObject().put("access_token", "at-" + tokenCalls).put("token_type", "Bearer").put("expires_in", 3600)
          .put("refresh_token", "rt-" + tokenCalls).put("id_token", sign(b.build())));
    });
    r.get("/userinfo").handler(ctx -> ctx.json(new JsonObject().put("sub", userinfoSub).put("email", "alice@example.test")));
    op = GatewayHarness.await(h.vertx.createHttpServer().requestHandler(r).listen(0, "127.0.0.1"));
    issuer = "http://127.0.0.1:" + op.actualPort();
    h.startWithIssuer(issuer, GatewayHarness.CLIENT_ID, GatewayHarness.CLIENT_SECRET, "[openid, email]", "idle-timeout: 2h\n");
  }

  private String sign(JWTClaimsSet c) {
    try {
      if (unsigned) return new PlainJWT(c).serialize();
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("hk").build(), c);
      jwt.sign(new RSASSASigner(key));
      return jwt.serialize();
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private void refused(String reason) {
    GatewayHarness.Browser b = h.browser();
    HttpResponse<String> r = b.login("alice", "/");
    assertThat(r.statusCode()).as(reason).isEqualTo(401);
    assertThat(r.body()).contains("No session was created");
    assertThat(h.gatewayEvents(reason)).as(reason).hasSize(1);
    assertThat(b.get("/oauth2/session").statusCode()).isEqualTo(401);
    assertThat(h.gatewayEvents("LOGIN_OK")).isEmpty();
    h.gateway.events().clear();
  }

  @Test
  void theHonestOpLogsIn() {
    assertThat(h.browser().login("alice", "/").statusCode()).isEqualTo(200);
  }

  @Test
  void brokenIdTokensAreRefusedWithPreciseReasons() {
    loginTamper = b -> b.audience("someone-else");
    refused("ID_TOKEN_REJECTED:aud");
    loginTamper = b -> b.audience(java.util.List.of(GatewayHarness.CLIENT_ID, "evil")).claim("azp", GatewayHarness.CLIENT_ID);
    refused("ID_TOKEN_REJECTED:aud");
    loginTamper = b -> b.issuer(issuer + "/");
    refused("ID_TOKEN_REJECTED:iss");
    loginTamper = b -> b.claim("nonce", "forged");
    refused("ID_TOKEN_REJECTED:nonce");
    loginTamper = b -> b.expirationTime(Date.from(h.clock.instant().minus(Duration.ofMinutes(2))));
    refused("ID_TOKEN_REJECTED:exp");
    loginTamper = b -> b.subject(null);
    refused("ID_TOKEN_REJECTED:sub");
    loginTamper = b -> { };
    unsigned = true;
    refused("ID_TOKEN_REJECTED:alg");
  }

  @Test
  void userinfoAboutSomeoneElseIsRefused() {
    userinfoSub = "mallory";
    refused("USERINFO_SUB_MISMATCH");
  }

  @Test
  void aRefreshedIdTokenForAnotherSubjectEndsTheSession() {
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    refreshTamper = x -> x.subject("mallory");
    h.clock.advance(Duration.ofMinutes(59).plusSeconds(30));
    HttpResponse<String> r = b.get("/x", "Accept", "application/json");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(h.gatewayEvents("ID_TOKEN_REJECTED:sub")).as(h.gateway.events().snapshot().toString()).hasSize(1);
    assertThat(b.get("/oauth2/session").statusCode()).isEqualTo(401);
  }
}
