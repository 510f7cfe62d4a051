package dev.hourglass.op;

import static dev.hourglass.op.OpTestClient.await;
import static dev.hourglass.op.OpTestClient.params;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.op.junit.DevOpExtension;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The OP serves on several event loops (one HTTP server per loop on one port) and signs outside
 * the family lock: every loop issues valid tokens, and concurrent refresh grants keep rotation and
 * reuse detection exact (no lost or double-issued family state).
 */
class ConcurrentGrantsTest {

  private static <T> T with(OpConfig config, Scenario<T> body) throws Exception {
    DevOpExtension ext = DevOpExtension.builder().config(config).build();
    ext.beforeEach(null);
    try {
      return body.run(ext, new OpTestClient(ext.vertx(), ext.op()), ext.clock());
    } finally {
      ext.afterEach(null);
    }
  }

  interface Scenario<T> {
    T run(DevOpExtension ext, OpTestClient client, ControllableClock clock) throws Exception;
  }

  /** {@code n} refresh grants sent at once, each on its own new connection. */
  private static List<HttpResponse<Buffer>> refreshAtOnce(DevOpExtension ext, List<String> refreshTokens) {
    WebClient fresh = WebClient.create(ext.vertx(), new WebClientOptions().setKeepAlive(false),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64));
    try {
      List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
      for (String rt : refreshTokens) {
        sent.add(fresh.postAbs(ext.op().issuer() + "/token").basicAuthentication("gateway", "gateway-secret")
            .sendForm(OpTestClient.multi(params("grant_type", "refresh_token", "refresh_token", rt))));
      }
      await(Future.all(sent));
      return sent.stream().map(Future::result).toList();
    } finally {
      fresh.close();
    }
  }

  private static void assertSignedByTheOp(String jwt, JWKSet jwks) throws Exception {
    SignedJWT parsed = SignedJWT.parse(jwt);
    RSAKey key = (RSAKey) jwks.getKeyByKeyId(parsed.getHeader().getKeyID());
    assertThat(key).as("kid %s published", parsed.getHeader().getKeyID()).isNotNull();
    assertThat(parsed.verify(new RSASSAVerifier(key))).as("signature of %s", jwt).isTrue();
  }

  private static String atHash(String accessToken) throws Exception {
    byte[] h = MessageDigest.getInstance("SHA-256").digest(accessToken.getBytes(StandardCharsets.US_ASCII));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(h, 16));
  }

  @Test
  void twoEventLoopsBothServeAndEveryAnswerCarriesValidSignedTokens() throws Exception {
    with(OpConfig.demo().withEventLoops(2).withRefreshRotation(false), (ext, client, clock) -> {
      JsonObject login = client.login("alice");
      String rt = login.getString("refresh_token");
      List<HttpResponse<Buffer>> answers = refreshAtOnce(ext, java.util.Collections.nCopies(16, rt));
      JWKSet jwks = JWKSet.parse(client.get("/jwks").bodyAsString());
      Set<String> jtis = new HashSet<>();
      for (HttpResponse<Buffer> r : answers) {
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        JsonObject body = r.bodyAsJsonObject();
        String at = body.getString("access_token");
        assertSignedByTheOp(at, jwks);
        assertSignedByTheOp(body.getString("id_token"), jwks);
        assertThat(OpTestClient.claims(body.getString("id_token")).getStringClaim("at_hash")).isEqualTo(atHash(at));
        assertThat(client.introspect(at).getBoolean("active")).isTrue();
        jtis.add(OpTestClient.claims(at).getJWTID());
      }
      assertThat(jtis).as("every grant its own access token").hasSize(16);
      // Vert.x hands new connections to the servers in turn: both loops accepted some.
      assertThat(ext.op().servingThreads()).hasSize(2).allMatch(t -> t.startsWith("vert.x-eventloop-thread-"));
      assertThat(ext.events().count("token_issued")).isEqualTo(17);
      return null;
    });
  }

  @Test
  void aFixedPortIsSharedByTheLoopsAndFreedOnClose() throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      int port;
      try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = probe.getLocalPort();
      }
      OpConfig config = OpConfig.demo().withPort(port).withEventLoops(3).withRefreshRotation(false);
      DevOp first = await(DevOp.start(vertx, ControllableClock.startingNow(), config));
      assertThat(first.port()).isEqualTo(port);
      OpTestClient client = new OpTestClient(vertx, first);
      String rt = client.login("alice").getString("refresh_token");
      WebClient fresh = WebClient.create(vertx, new WebClientOptions().setKeepAlive(false));
      for (int i = 0; i < 9; i++) {
        HttpResponse<Buffer> r = await(fresh.postAbs(first.issuer() + "/token").basicAuthentication("gateway", "gateway-secret")
            .sendForm(OpTestClient.multi(params("grant_type", "refresh_token", "refresh_token", rt))));
        assertThat(r.statusCode()).isEqualTo(200);
      }
      assertThat(first.servingThreads()).hasSize(3);
      await(first.close());
      // Every loop's server let go of the port: a new OP binds it, and no connection reaches the
      // old OP's loops any more (the old refresh token is unknown to the new OP on every loop).
      DevOp second = await(DevOp.start(vertx, ControllableClock.startingNow(), config));
      assertThat(second.port()).isEqualTo(port);
      for (int i = 0; i < 6; i++) {
        HttpResponse<Buffer> r = await(fresh.postAbs(second.issuer() + "/token").basicAuthentication("gateway", "gateway-secret")
            .sendForm(OpTestClient.multi(params("grant_type", "refresh_token", "refresh_token", rt))));
        assertThat(r.statusCode()).as("request %d", i).isEqualTo(400);
      }
      fresh.close();
      await(second.close());
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void oneEventLoopWhenConfiguredSo() throws Exception {
    with(OpConfig.demo().withEventLoops(1).withRefreshRotation(false), (ext, client, clock) -> {
      String rt = client.login("alice").getString("refresh_token");
      assertThat(refreshAtOnce(ext, java.util.Collections.nCopies(6, rt))).allMatch(r -> r.statusCode() == 200);
      assertThat(ext.op().servingThreads()).hasSize(1);
      return null;
    });
  }

  @Test
  void concurrentUseOfOneRotatingRefreshTokenUnderInvalidGrantHasExactlyOneWinnerEachRound() throws Exception {
    with(OpConfig.demo().withEventLoops(2).withReuseDetection(ReuseDetection.INVALID_GRANT), (ext, client, clock) -> {
      String rt = client.login("alice").getString("refresh_token");
      for (int round = 0; round < 5; round++) {
        List<HttpResponse<Buffer>> answers = refreshAtOnce(ext, java.util.Collections.nCopies(8, rt));
        List<HttpResponse<Buffer>> won = answers.stream().filter(r -> r.statusCode() == 200).toList();
        assertThat(won).as("round %d", round).hasSize(1);
        assertThat(answers).filteredOn(r -> r.statusCode() != 200)
            .allMatch(r -> r.statusCode() == 400 && "invalid_grant".equals(r.bodyAsJsonObject().getString("error")));
        JsonObject winner = won.get(0).bodyAsJsonObject();
        assertThat(winner.getString("refresh_token")).isNotEqualTo(rt);
        assertThat(client.introspect(winner.getString("access_token")).getBoolean("active")).isTrue();
        rt = winner.getString("refresh_token");
      }
      assertThat(ext.events().matching(e -> e.type().equals("token_issued")
          && "refresh_token".equals(e.field("grant_type")))).hasSize(5);
      assertThat(ext.events().count("refresh_reuse_detected")).isEqualTo(5 * 7);
      assertThat(ext.events().count("family_revoked")).isZero();
      // The newest token still works: the family's state survived the races.
      client.refresh(rt, 200);
      return null;
    });
  }

  @Test
  void concurrentUseOfOneRotatingRefreshTokenUnderRevokeFamilyRevokesEvenTheWinnersTokens() throws Exception {
    with(OpConfig.demo().withEventLoops(2).withReuseDetection(ReuseDetection.REVOKE_FAMILY), (ext, client, clock) -> {
      JsonObject login = client.login("alice");
      List<HttpResponse<Buffer>> answers = refreshAtOnce(ext, java.util.Collections.nCopies(8, login.getString("refresh_token")));
      List<HttpResponse<Buffer>> won = answers.stream().filter(r -> r.statusCode() == 200).toList();
      assertThat(won).hasSize(1);
      JsonObject winner = won.get(0).bodyAsJsonObject();
      // The winner registered its access token before any loser revoked the family: it is revoked too.
      assertThat(client.introspect(winner.getString("access_token")).getBoolean("active")).isFalse();
      assertThat(client.introspect(login.getString("access_token")).getBoolean("active")).isFalse();
      assertThat(client.refresh(winner.getString("refresh_token"), 400).getString("error")).isEqualTo("invalid_grant");
      assertThat(ext.events().count("family_revoked")).isEqualTo(1);
      return null;
    });
  }

  @Test
  void manyFamiliesRefreshingInParallelEachKeepTheirOwnChain() throws Exception {
    with(OpConfig.demo().withEventLoops(2), (ext, client, clock) -> {
      List<String> current = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        current.add(client.login("user" + i).getString("refresh_token"));
      }
      Set<String> seenRefresh = new HashSet<>(current);
      for (int round = 0; round < 4; round++) {
        List<HttpResponse<Buffer>> answers = refreshAtOnce(ext, current);
        List<String> next = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
          HttpResponse<Buffer> r = answers.get(i);
          assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
          JsonObject body = r.bodyAsJsonObject();
          assertThat(OpTestClient.claims(body.getString("access_token")).getSubject()).isEqualTo("user" + i);
          assertThat(seenRefresh.add(body.getString("refresh_token"))).as("a new refresh token").isTrue();
          next.add(body.getString("refresh_token"));
        }
        current = next;
      }
      assertThat(ext.events().count("refresh_reuse_detected")).isZero();
      assertThat(ext.events().matching(e -> e.type().equals("token_issued")
          && "refresh_token".equals(e.field("grant_type")))).hasSize(6 * 4);
      return null;
    });
  }

  @Test
  void opaqueAccessTokensWorkAtUserinfoIntrospectionAndRevocationAndDieWithTheirFamily() throws Exception {
    OpConfig config = OpConfig.demo().withEventLoops(2).withReuseDetection(ReuseDetection.REVOKE_FAMILY)
        .withTokens(new OpConfig.Tokens(null, null, null, null, null, null, null, null, null, "opaque"));
    with(config, (ext, client, clock) -> {
      JsonObject login = client.login("alice");
      String at = login.getString("access_token");
      assertThat(at).doesNotContain(".").hasSizeGreaterThanOrEqualTo(43);
      assertThat(login.getLong("expires_in")).isEqualTo(3600L);
      // The ID token stays a signed JWT; at_hash covers the opaque value (Core 3.1.3.8).
      assertThat(OpTestClient.claims(login.getString("id_token")).getStringClaim("at_hash")).isEqualTo(atHash(at));
      JsonObject intro = client.introspect(at);
      assertThat(intro.getBoolean("active")).isTrue();
      assertThat(intro.getString("sub")).isEqualTo("alice");
      assertThat(intro.getString("client_id")).isEqualTo("gateway");
      HttpResponse<Buffer> userinfo = await(client.web.getAbs(client.url("/userinfo")).bearerTokenAuthentication(at).send());
      assertThat(userinfo.statusCode()).isEqualTo(200);
      assertThat(userinfo.bodyAsJsonObject().getString("sub")).isEqualTo("alice");

      JsonObject r1 = client.refresh(login.getString("refresh_token"), 200);
      String at2 = r1.getString("access_token");
      assertThat(at2).doesNotContain(".").isNotEqualTo(at);
      assertThat(client.introspect(at2).getBoolean("active")).isTrue();

      // Hostile: an unknown handle, a handle with a changed character, and a JWT are all inactive.
      assertThat(client.introspect("x" + at2.substring(1)).getBoolean("active")).isFalse();
      assertThat(client.introspect(OpTestClient.REDIRECT).getBoolean("active")).isFalse();

      // Revocation of one opaque token (RFC 7009).
      HttpResponse<Buffer> revoked = await(client.web.postAbs(client.url("/revoke")).basicAuthentication("gateway", "gateway-secret")
          .sendForm(OpTestClient.multi(Map.of("token", at))));
      assertThat(revoked.statusCode()).isEqualTo(200);
      assertThat(client.introspect(at).getBoolean("active")).isFalse();

      // Reuse of the rotated refresh token revokes the family, its opaque access tokens included.
      client.refresh(login.getString("refresh_token"), 400);
      assertThat(client.introspect(at2).getBoolean("active")).isFalse();
      assertThat(await(client.web.getAbs(client.url("/userinfo")).bearerTokenAuthentication(at2).send()).statusCode()).isEqualTo(401);
      return null;
    });
  }

  @Test
  void opaqueIsPerClient() throws Exception {
    OpConfig config = OpConfig.demo().withClient(OpConfig.demo().client("gateway").orElseThrow()
        .withTokens(new OpConfig.Tokens(null, null, null, null, null, null, null, null, null, "opaque")));
    with(config, (ext, client, clock) -> {
      assertThat(client.login("alice").getString("access_token")).doesNotContain(".");
      // client_credentials of the same client: opaque as well.
      HttpResponse<Buffer> cc = client.gatewayToken(params("grant_type", "client_credentials"));
      assertThat(cc.bodyAsJsonObject().getString("access_token")).doesNotContain(".");
      assertThat(client.introspect(cc.bodyAsJsonObject().getString("access_token")).getString("sub")).isEqualTo("gateway");
      return null;
    });
  }
}
