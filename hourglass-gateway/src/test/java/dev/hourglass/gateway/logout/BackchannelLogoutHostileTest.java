package dev.hourglass.gateway.logout;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every hostile logout-token case of issue 6 gets 400 with {@code Cache-Control: no-store} and the
 * precise {@code BACKCHANNEL_REJECTED:<why>}; the sessions survive. A valid token ends exactly the
 * matching sessions; a valid token for an unknown session gets 200.
 */
class BackchannelLogoutHostileTest {
  private static FakeOp op;
  private String alice;

  @BeforeAll
  static void start() {
    op = new FakeOp(true, true, "");
  }

  @AfterAll
  static void stop() {
    op.close();
  }

  @BeforeEach
  void aliceSession() {
    op.gateway.events().clear();
    alice = op.session("alice", "sid-alice", null, null, null);
  }

  private static HttpResponse<String> post(String token) {
    return op.backchannel("logout_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8), "application/x-www-form-urlencoded");
  }

  private void assertRejected(HttpResponse<String> r, String why) {
    assertThat(r.statusCode()).as(why + ": " + r.body()).isEqualTo(400);
    assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("error")).isEqualTo("invalid_request");
    assertThat(body.getString("error_description")).isNotBlank();
    assertThat(op.events("BACKCHANNEL_REJECTED:" + why)).as(op.gateway.events().snapshot().toString()).isEqualTo(1);
    assertThat(op.exists(alice)).as("the session survives a rejected token").isTrue();
  }

  private String signed(JWTClaimsSet c) {
    return op.sign(c);
  }

  @Test
  void validTokenEndsTheSessionsWithThatSid() {
    String carol = op.session("carol", "sid-carol", null, null, null);
    String other = op.session("carol", "sid-other", null, null, null);
    HttpResponse<String> r = post(signed(op.logoutClaims("carol", "sid-carol").build()));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
    assertThat(op.exists(carol)).isFalse();
    assertThat(op.exists(alice)).isTrue();
    assertThat(op.exists(other)).isTrue();
    assertThat(op.gateway.events().snapshot().stream().filter(e -> e.type().equals("BACKCHANNEL_LOGOUT"))
        .findFirst().orElseThrow().field("sessions_ended")).isEqualTo("1");
  }

  @Test
  void tokenWithOnlySubEndsEverySessionOfThatSubject() {
    String second = op.session("alice", "sid-2", null, null, null);
    String bob = op.session("bob", "sid-bob", null, null, null);
    HttpResponse<String> r = post(signed(op.logoutClaims("alice", null).build()));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(op.exists(alice)).isFalse();
    assertThat(op.exists(second)).isFalse();
    assertThat(op.exists(bob)).isTrue();
  }

  @Test
  void sidOfAnotherSubjectEndsNothing() {
    assertThat(post(signed(op.logoutClaims("mallory", "sid-alice").build())).statusCode()).isEqualTo(200);
    assertThat(op.exists(alice)).isTrue();
  }

  @Test
  void validTokenForAnUnknownSessionGets200() {
    HttpResponse<String> r = post(signed(op.logoutClaims("nobody", "sid-unknown").build()));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
    assertThat(op.exists(alice)).isTrue();
  }

  @Test
  void aClientThatExpects100ContinueGetsItsAnswer() {
    String body = "logout_token=" + signed(op.logoutClaims("nobody", "sid-unknown").build());
    HttpResponse<String> r = op.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(op.publicUrl + "/oauth2/backchannel-logout"))
        .expectContinue(true).version(java.net.http.HttpClient.Version.HTTP_1_1)
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/x-www-form-urlencoded"));
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void replayedJtiIsRefused() {
    String token = signed(op.logoutClaims("nobody", "sid-unknown").build());
    assertThat(post(token).statusCode()).isEqualTo(200);
    assertRejected(post(token), "replay");
    // A new jti with the same content is fine.
    assertThat(post(signed(op.logoutClaims("nobody", "sid-unknown").build())).statusCode()).isEqualTo(200);
  }

  @Test
  void algNoneIsRefused() {
    assertRejected(post(new PlainJWT(op.logoutClaims("alice", "sid-alice").build()).serialize()), "alg");
  }

  @Test
  void aGenuineKeyWithAnotherAlgIsRefused() {
    String t = FakeOp.sign(new JWSHeader.Builder(JWSAlgorithm.RS384).keyID(op.key.getKeyID()).build(),
        op.logoutClaims("alice", "sid-alice").build(), op.key);
    assertRejected(post(t), "alg");
  }

  @Test
  void hs256SignedWithTheRsaPublicKeyAsSecretIsRefused() throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(op.key.getKeyID()).build(),
        op.logoutClaims("alice", "sid-alice").build());
    jwt.sign(new MACSigner(op.key.toRSAPublicKey().getEncoded()));
    assertRejected(post(jwt.serialize()), "alg");
  }

  @Test
  void missingEventsIsRefused() {
    assertRejected(post(signed(new JWTClaimsSet.Builder(op.logoutClaims("alice", "sid-alice").build())
        .claim("events", null).build())), "events");
  }

  @Test
  void wrongEventIsRefused() {
    assertRejected(post(signed(new JWTClaimsSet.Builder(op.logoutClaims("alice", "sid-alice").build())
        .claim("events", Map.of("http://schemas.openid.net/event/other", Map.of())).build())), "events");
  }

  @Test
  void eventsThatAreNotObjectsAreRefused() {
    assertRejected(post(signed(new JWTClaimsSet.Builder(op.logoutClaims("alice", "sid-alice").build())
        .claim("events", Map.of(LogoutTokenVerifier.BACKCHANNEL_EVENT, "yes")).build())), "events");
    op.gateway.events().clear();
    assertRejected(post(signed(new JWTClaimsSet.Builder(op.logoutClaims("alice", "sid-alice").build())
        .claim("events", List.of(LogoutTokenVerifier.BACKCHANNEL_EVENT)).build())), "events");
  }

  @Test
  void aNonceIsRefused() {
    assertRejected(post(signed(op.logoutClaims("alice", "sid-alice").claim("nonce", "n-1").build())), "nonce");
  }

  @Test
  void wrongIssuerIsRefused() {
    assertRejected(post(signed(op.logoutClaims("alice", "sid-alice").issuer(op.issuer + "/").build())), "iss");
  }

  @Test
  void wrongAudienceIsRefused() {
    assertRejected(post(signed(op.logoutClaims("alice", "sid-alice").audience("someone-else").build())), "aud");
  }

  @Test
  void expiredBeyondTheSkewIsRefusedAndInsideTheSkewAccepted() {
    var now = op.clock.instant();
    assertRejected(post(signed(op.logoutClaims("alice", "sid-alice").issueTime(Date.from(now.minusSeconds(300)))
        .expirationTime(Date.from(now.minusSeconds(60))).build())), "exp");
    assertThat(post(signed(op.logoutClaims("alice", "sid-alice").issueTime(Date.from(now.minusSeconds(300)))
        .expirationTime(Date.from(now.minusSeconds(59))).build())).statusCode()).isEqualTo(200);
  }

  @Test
  void missingExpIsRefused() {
    assertRejected(post(signed(op.logoutClaims("alice", "sid-alice").expirationTime(null).build())), "exp");
  }

  @Test
  void iatInTheFutureIsRefused() {
    var now = op.clock.instant();
    assertRejected(post(signed(op.logoutClaims("alice", "sid-alice").issueTime(Date.from(now.plusSeconds(61)))
        .expirationTime(Date.from(now.plusSeconds(300))).build())), "iat");
  }

  @Test
  void iatAtTheSkewBoundaryIsAccepted() {
    var now = op.clock.instant();
    assertThat(post(signed(op.logoutClaims("nobody", "sid-unknown").issueTime(Date.from(now.plusSeconds(60)))
        .expirationTime(Date.from(now.plusSeconds(300))).build())).statusCode()).isEqualTo(200);
  }

  @Test
  void aReplayAfterTheTokensLifeIsRefusedAsExpired() {
    String token = signed(op.logoutClaims("nobody", "sid-unknown").build());
    assertThat(post(token).statusCode()).isEqualTo(200);
    op.clock.advance(Duration.ofMinutes(3)); // exp (2m) + skew (60s) has passed: the jti may be forgotten
    assertRejected(post(token), "exp");
  }

  @Test
  void neitherSubNorSidIsRefused() {
    assertRejected(post(signed(op.logoutClaims(null, null).build())), "sub_sid");
  }

  @Test
  void missingJtiIsRefused() {
    assertRejected(post(signed(op.logoutClaims("alice", "sid-alice").jwtID(null).build())), "jti");
  }

  @Test
  void anIdTokenSentAsALogoutTokenIsRefused() {
    var now = op.clock.instant();
    JWTClaimsSet idToken = new JWTClaimsSet.Builder().issuer(op.issuer).audience(FakeOp.CLIENT_ID).subject("alice")
        .claim("sid", "sid-alice").claim("nonce", "n-1").issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(Duration.ofHours(1)))).jwtID("id-1").build();
    // As the OP issues it (typ JWT): refused by type.
    assertRejected(post(FakeOp.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(op.key.getKeyID())
        .type(JOSEObjectType.JWT).build(), idToken, op.key)), "typ");
    // Without typ: it has no events claim.
    op.gateway.events().clear();
    assertRejected(post(FakeOp.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(op.key.getKeyID()).build(),
        idToken, op.key)), "events");
    // Even with an events claim added, the nonce gives it away.
    op.gateway.events().clear();
    assertRejected(post(FakeOp.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(op.key.getKeyID()).build(),
        new JWTClaimsSet.Builder(idToken).claim("events", Map.of(LogoutTokenVerifier.BACKCHANNEL_EVENT, Map.of())).build(),
        op.key)), "nonce");
  }

  @Test
  void theMediaTypeSpellingOfTheTypIsAccepted() {
    assertThat(post(FakeOp.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(op.key.getKeyID())
        .type(new JOSEObjectType("application/logout+jwt")).build(), op.logoutClaims("nobody", "sid-unknown").build(), op.key))
        .statusCode()).isEqualTo(200);
  }

  @Test
  void anotherTypIsRefused() {
    assertRejected(post(FakeOp.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(op.key.getKeyID())
        .type(new JOSEObjectType("at+jwt")).build(), op.logoutClaims("alice", "sid-alice").build(), op.key)), "typ");
  }

  @Test
  void unknownCriticalHeaderIsRefused() {
    assertRejected(post(FakeOp.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(op.key.getKeyID())
        .criticalParams(Set.of("exp")).customParam("exp", 1).build(), op.logoutClaims("alice", "sid-alice").build(), op.key)), "crit");
  }

  @Test
  void aFlippedSignatureBitIsRefused() {
    String t = signed(op.logoutClaims("alice", "sid-alice").build());
    int i = t.lastIndexOf('.') + 5;
    char c = t.charAt(i) == 'A' ? 'B' : 'A';
    assertRejected(post(t.substring(0, i) + c + t.substring(i + 1)), "sig");
  }

  @Test
  void aKeyTheOpNeverPublishedIsRefused() {
    RSAKey stranger = FakeOp.newKey();
    assertRejected(post(FakeOp.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(op.key.getKeyID()).build(),
        op.logoutClaims("alice", "sid-alice").build(), stranger)), "sig");
    op.gateway.events().clear();
    assertRejected(post(FakeOp.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(stranger.getKeyID()).build(),
        op.logoutClaims("alice", "sid-alice").build(), stranger)), "kid");
  }

  @Test
  void aRotatedKeyIsFoundByOneRefetch() {
    RSAKey next = FakeOp.newKey();
    op.published.add(next.toPublicJWK());
    op.clock.advance(Duration.ofMinutes(1)); // past the JWKS refetch cooldown
    long fetches = op.gateway.services().provider().jwks().fetchCount();
    HttpResponse<String> r = post(FakeOp.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(next.getKeyID()).build(),
        op.logoutClaims("alice", "sid-alice").build(), next));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(op.exists(alice)).isFalse();
    assertThat(op.gateway.services().provider().jwks().fetchCount()).isEqualTo(fetches + 1);
  }

  @Test
  void garbageIsRefused() {
    for (String junk : new String[] {"garbage", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30", "..", "%%%"}) {
      op.gateway.events().clear();
      assertRejected(post(junk), "malformed");
    }
  }

  @Test
  void oversizedBodiesAndTokensAreRefused() {
    assertRejected(op.backchannel("logout_token=" + "a".repeat(100_000), "application/x-www-form-urlencoded"), "too_large");
    op.gateway.events().clear();
    assertRejected(post("a".repeat(LogoutTokenVerifier.MAX_TOKEN_CHARS + 1)), "malformed");
  }

  @Test
  void malformedRequestsAreRefused() {
    assertRejected(op.backchannel("", "application/x-www-form-urlencoded"), "malformed");
    op.gateway.events().clear();
    String t = signed(op.logoutClaims("alice", "sid-alice").build());
    assertRejected(op.backchannel("logout_token=" + t + "&logout_token=" + t, "application/x-www-form-urlencoded"), "malformed");
    op.gateway.events().clear();
    assertRejected(op.backchannel("{\"logout_token\":\"" + t + "\"}", "application/json"), "malformed");
    op.gateway.events().clear();
    assertRejected(op.backchannel("logout_token=%zz", "application/x-www-form-urlencoded"), "malformed");
  }
}
