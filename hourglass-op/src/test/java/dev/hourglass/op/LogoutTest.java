package dev.hourglass.op;

import static dev.hourglass.op.OpTestClient.REDIRECT;
import static dev.hourglass.op.OpTestClient.params;
import static dev.hourglass.op.OpTestClient.query;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.core.event.Event;
import dev.hourglass.op.junit.DevOpExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LogoutTest {
  @RegisterExtension
  DevOpExtension ext = new DevOpExtension();

  OpTestClient client;
  ControllableClock clock;
  HttpServer receiver;
  final List<String> logoutTokens = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    client = new OpTestClient(ext.vertx(), ext.op());
    clock = ext.clock();
    Router r = Router.router(ext.vertx());
    r.post("/bc").handler(BodyHandler.create()).handler(ctx -> {
      logoutTokens.add(ctx.request().getFormAttribute("logout_token"));
      ctx.response().setStatusCode(200).end();
    });
    receiver = OpTestClient.await(ext.vertx().createHttpServer().requestHandler(r).listen(0, "127.0.0.1"));
    OpConfig.Client gw = ext.op().client("gateway").orElseThrow()
        .withBackchannelLogoutUri("http://127.0.0.1:" + receiver.actualPort() + "/bc");
    ext.op().registerClient(gw);
  }

  @AfterEach
  void tearDown() {
    OpTestClient.await(receiver.close());
  }

  private HttpResponse<Buffer> logout(Map<String, String> p) {
    io.vertx.ext.web.client.HttpRequest<Buffer> r = client.browser.getAbs(client.url("/logout"));
    p.forEach((k, v) -> {
      if (v != null) r.addQueryParam(k, v);
    });
    return OpTestClient.await(r.send());
  }

  private boolean ssoStillWorks() {
    HttpResponse<Buffer> r = client.authorize(params("client_id", "gateway", "redirect_uri", REDIRECT,
        "response_type", "code", "scope", "openid", "prompt", "none"));
    return query(r).containsKey("code");
  }

  @Test
  void validHintEndsTheSessionRedirectsWithStateAndSendsABackchannelToken() throws Exception {
    JsonObject t = client.login("alice");
    String sid = (String) OpTestClient.claims(t.getString("id_token")).getClaim("sid");
    HttpResponse<Buffer> r = logout(params("id_token_hint", t.getString("id_token"),
        "post_logout_redirect_uri", "http://127.0.0.1:8080/", "state", "bye"));
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.getHeader("Location")).isEqualTo("http://127.0.0.1:8080/?state=bye");
    assertThat(ssoStillWorks()).isFalse();

    assertThat(logoutTokens).hasSize(1);
    SignedJWT lt = SignedJWT.parse(logoutTokens.get(0));
    assertThat(lt.getHeader().getType()).isEqualTo(new JOSEObjectType("logout+jwt"));
    JWKSet jwks = JWKSet.parse(client.get("/jwks").bodyAsString());
    assertThat(lt.verify(new RSASSAVerifier((RSAKey) jwks.getKeyByKeyId(lt.getHeader().getKeyID())))).isTrue();
    JWTClaimsSet c = lt.getJWTClaimsSet();
    assertThat(c.getIssuer()).isEqualTo(ext.issuer());
    assertThat(c.getAudience()).containsExactly("gateway");
    assertThat(c.getSubject()).isEqualTo("alice");
    assertThat(c.getClaim("sid")).isEqualTo(sid);
    assertThat(c.getIssueTime()).isNotNull();
    assertThat(c.getExpirationTime()).isAfter(c.getIssueTime());
    assertThat(c.getJWTID()).isNotBlank();
    assertThat(c.getClaim("nonce")).isNull();
    assertThat(c.getJSONObjectClaim("events")).containsOnlyKeys("http://schemas.openid.net/event/backchannel-logout");

    Event sent = ext.events().matching(e -> e.type().equals("backchannel_sent")).get(0);
    assertThat(sent.field("status")).isEqualTo("200");
    assertThat(sent.field("client_id")).isEqualTo("gateway");
    Event logoutEvent = ext.events().matching(e -> e.type().equals("logout")).get(0);
    assertThat(logoutEvent.field("sid")).isEqualTo(sid);
    assertThat(logoutEvent.field("sub")).isEqualTo("alice");
    // the grant of the ended session is revoked
    assertThat(client.refresh(t.getString("refresh_token"), 400).getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void afterLogoutANewLoginShowsTheLoginPageUnlessAutoLoginWithHint() {
    JsonObject t = client.login("alice");
    logout(params("id_token_hint", t.getString("id_token")));
    ext.op().setAutoLogin(false);
    HttpResponse<Buffer> page = client.authorize(params("client_id", "gateway", "redirect_uri", REDIRECT,
        "response_type", "code", "scope", "openid"));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.bodyAsString()).contains("Sign in");
    ext.op().setAutoLogin(true);
    assertThat(query(client.authorize(OpTestClient.gatewayAuthorize("alice", null)))).containsKey("code");
  }

  @Test
  void unregisteredPostLogoutRedirectUriMeansNoRedirect() {
    JsonObject t = client.login("alice");
    HttpResponse<Buffer> r = logout(params("id_token_hint", t.getString("id_token"),
        "post_logout_redirect_uri", "https://evil.example/", "state", "x"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("Location")).isNull();
    assertThat(r.bodyAsString()).contains("not registered").doesNotContain("https://evil.example/?");
    assertThat(ssoStillWorks()).isFalse();
  }

  @Test
  void expiredHintUnderAcceptEndsTheSession() {
    ext.op().setExpiredHintPolicy(ExpiredHintPolicy.ACCEPT);
    JsonObject t = client.login("alice");
    clock.advance(Duration.ofHours(2)); // ID token (1h) expired, session (10h) alive
    assertThat(ssoStillWorks()).isTrue();
    HttpResponse<Buffer> r = logout(params("id_token_hint", t.getString("id_token"),
        "post_logout_redirect_uri", "http://127.0.0.1:8080/"));
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(ssoStillWorks()).isFalse();
    assertThat(ext.events().count("logout")).isEqualTo(1);
    assertThat(ext.events().matching(e -> e.type().equals("logout")).get(0).field("via")).isEqualTo("expired_id_token_hint");
    assertThat(logoutTokens).hasSize(1);
  }

  @Test
  void expiredHintWhoseSessionExpiredRecentlyIsStillAcceptedAndNotifiesTheRp() {
    JsonObject t = client.login("alice");
    clock.advance(Duration.ofHours(12)); // OP session (10h) expired 2h ago: still "recent"
    HttpResponse<Buffer> r = logout(params("id_token_hint", t.getString("id_token"),
        "post_logout_redirect_uri", "http://127.0.0.1:8080/"));
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(logoutTokens).hasSize(1);
  }

  @Test
  void expiredHintWhoseSessionIsLongGoneFallsBackToTheConfirmationPage() {
    JsonObject t = client.login("alice");
    clock.advance(Duration.ofHours(10 + 25));
    HttpResponse<Buffer> r = logout(params("id_token_hint", t.getString("id_token"),
        "post_logout_redirect_uri", "http://127.0.0.1:8080/"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsString()).contains("name=\"xsrf\"");
  }

  @Test
  void expiredHintUnderRejectShowsAnErrorPageAndKeepsTheSession() {
    ext.op().setExpiredHintPolicy(ExpiredHintPolicy.REJECT);
    JsonObject t = client.login("alice");
    clock.advance(Duration.ofMinutes(61));
    HttpResponse<Buffer> r = logout(params("id_token_hint", t.getString("id_token"),
        "post_logout_redirect_uri", "http://127.0.0.1:8080/"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.getHeader("Location")).isNull();
    assertThat(r.bodyAsString()).contains("expired").contains("still signed in");
    assertThat(ssoStillWorks()).isTrue();
    assertThat(ext.events().count("logout")).isZero();
    Event rejected = ext.events().matching(e -> e.type().equals("logout_rejected")).get(0);
    assertThat(rejected.field("reason")).isEqualTo("expired_id_token_hint");
    assertThat(rejected.field("sub")).isEqualTo("alice");
    assertThat(logoutTokens).isEmpty();
  }

  @Test
  void unexpiredHintWorksUnderRejectToo() {
    ext.op().setExpiredHintPolicy(ExpiredHintPolicy.REJECT);
    JsonObject t = client.login("alice");
    clock.advance(Duration.ofMinutes(59));
    assertThat(logout(params("id_token_hint", t.getString("id_token"))).statusCode()).isEqualTo(200);
    assertThat(ssoStillWorks()).isFalse();
  }

  @Test
  void forgedOrForeignHintIsRejectedWithAnErrorPage() throws Exception {
    JsonObject t = client.login("alice");
    String[] parts = t.getString("id_token").split("\\.");
    String tampered = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        "{\"iss\":\"x\",\"sub\":\"bob\",\"aud\":\"gateway\"}".getBytes()) + "." + parts[2];
    HttpResponse<Buffer> r = logout(params("id_token_hint", tampered));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(logout(params("id_token_hint", "garbage")).statusCode()).isEqualTo(400);
    assertThat(ssoStillWorks()).isTrue();
    assertThat(ext.events().matching(e -> e.type().equals("logout_rejected")))
        .extracting(e -> e.field("reason")).containsOnly("invalid_id_token_hint");

    HttpResponse<Buffer> mismatch = logout(params("id_token_hint", t.getString("id_token"), "client_id", "demo-spa"));
    assertThat(mismatch.statusCode()).isEqualTo(400);
    assertThat(ssoStillWorks()).isTrue();
  }

  @Test
  void withoutHintTheUserConfirmsWithAFormCarryingACsrfToken() {
    client.login("alice");
    HttpResponse<Buffer> page = logout(params("client_id", "gateway", "post_logout_redirect_uri", "http://127.0.0.1:8080/",
        "state", "s"));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(ssoStillWorks()).isTrue();
    String xsrf = OpTestClient.hidden(page.bodyAsString(), "xsrf");

    HttpResponse<Buffer> forged = client.postForm("/logout/confirm", params("xsrf", "forged", "logout", "yes"));
    assertThat(forged.statusCode()).isEqualTo(400);
    assertThat(ssoStillWorks()).isTrue();

    HttpResponse<Buffer> done = client.postForm("/logout/confirm", params("xsrf", xsrf, "logout", "yes"));
    assertThat(done.statusCode()).isEqualTo(302);
    assertThat(done.getHeader("Location")).isEqualTo("http://127.0.0.1:8080/?state=s");
    assertThat(ssoStillWorks()).isFalse();
    assertThat(logoutTokens).hasSize(1);

    HttpResponse<Buffer> replay = client.postForm("/logout/confirm", params("xsrf", xsrf, "logout", "yes"));
    assertThat(replay.statusCode()).isEqualTo(400);
  }

  @Test
  void confirmationCanBeDeclined() {
    client.login("alice");
    String xsrf = OpTestClient.hidden(logout(params()).bodyAsString(), "xsrf");
    HttpResponse<Buffer> no = client.postForm("/logout/confirm", params("xsrf", xsrf, "logout", "no"));
    assertThat(no.statusCode()).isEqualTo(200);
    assertThat(ssoStillWorks()).isTrue();
  }

  @Test
  void scriptWithoutCookieCanLogOutByLogoutHint() {
    client.login("alice");
    OpTestClient script = client.newBrowser(ext.vertx());
    HttpResponse<Buffer> page = OpTestClient.await(script.browser.getAbs(client.url("/logout?logout_hint=alice")).send());
    String xsrf = OpTestClient.hidden(page.bodyAsString(), "xsrf");
    HttpResponse<Buffer> done = script.postForm("/logout/confirm", params("xsrf", xsrf));
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(ssoStillWorks()).isFalse();
  }

  @Test
  void frontchannelLogoutRendersIframesWithIssAndSid() {
    ext.op().registerClient(ext.op().client("gateway").orElseThrow().withBackchannelLogoutUri(null)
        .withFrontchannelLogoutUri("http://127.0.0.1:8080/oauth2/frontchannel-logout"));
    JsonObject t = client.login("alice");
    String sid = (String) OpTestClient.claims(t.getString("id_token")).getClaim("sid");
    HttpResponse<Buffer> r = logout(params("id_token_hint", t.getString("id_token"),
        "post_logout_redirect_uri", "http://127.0.0.1:8080/"));
    assertThat(r.statusCode()).isEqualTo(200);
    String html = r.bodyAsString();
    assertThat(html).contains("<iframe class=\"frontchannel\" src=\"http://127.0.0.1:8080/oauth2/frontchannel-logout?iss="
        + java.net.URLEncoder.encode(ext.issuer(), java.nio.charset.StandardCharsets.UTF_8) + "&amp;sid=" + sid + "\"");
    assertThat(html).contains("id=\"continue\"");
    assertThat(r.getHeader("Content-Security-Policy")).contains("frame-src");
  }

  @Test
  void backchannelReceiverFailureIsRecordedWithItsStatus() {
    ext.op().registerClient(ext.op().client("gateway").orElseThrow()
        .withBackchannelLogoutUri("http://127.0.0.1:" + receiver.actualPort() + "/missing"));
    JsonObject t = client.login("alice");
    logout(params("id_token_hint", t.getString("id_token")));
    Event sent = ext.events().matching(e -> e.type().equals("backchannel_sent")).get(0);
    assertThat(sent.field("status")).isEqualTo("404");
  }

  @Test
  void logoutIsAcceptedByPostToo() {
    JsonObject t = client.login("alice");
    HttpResponse<Buffer> r = client.postForm("/logout", params("id_token_hint", t.getString("id_token"),
        "post_logout_redirect_uri", "http://127.0.0.1:8080/"));
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(ssoStillWorks()).isFalse();
  }

  @Test
  void hintSignedWithAKeyPastItsRotationGraceIsRejected() {
    JsonObject t = client.login("alice");
    ext.op().rotateKeys();
    clock.advance(Duration.ofMinutes(30));
    HttpResponse<Buffer> r = logout(params("id_token_hint", t.getString("id_token")));
    assertThat(r.statusCode()).as("within the grace period the old key still verifies").isEqualTo(200);
    JsonObject t2 = client.login("bob");
    ext.op().rotateKeys();
    clock.advance(Duration.ofHours(1));
    HttpResponse<Buffer> late = logout(params("id_token_hint", t2.getString("id_token")));
    assertThat(late.statusCode()).isEqualTo(400);
    assertThat(ext.events().matching(e -> e.type().equals("logout_rejected")).get(0).field("reason"))
        .isEqualTo("invalid_id_token_hint");
  }

  @Test
  void logoutRevokesTheSessionsAccessTokens() {
    JsonObject t = client.login("alice");
    assertThat(client.introspect(t.getString("access_token")).getBoolean("active")).isTrue();
    logout(params("id_token_hint", t.getString("id_token")));
    assertThat(client.introspect(t.getString("access_token")).getBoolean("active")).isFalse();
    assertThat(ext.events().matching(e -> e.type().equals("family_revoked")).get(0).field("reason")).isEqualTo("logout");
  }

  @Test
  void unknownClientIdAtLogoutIsAnErrorPageAndNoRedirect() {
    client.login("alice");
    HttpResponse<Buffer> r = logout(params("client_id", "ghost", "post_logout_redirect_uri", "http://127.0.0.1:8080/"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.getHeader("Location")).isNull();
    assertThat(ssoStillWorks()).isTrue();
  }

  @Test
  void postLogoutRedirectUriWithoutHintOrClientIdIsNotFollowed() {
    client.login("alice");
    HttpResponse<Buffer> page = logout(params("post_logout_redirect_uri", "http://127.0.0.1:8080/"));
    String xsrf = OpTestClient.hidden(page.bodyAsString(), "xsrf");
    HttpResponse<Buffer> done = client.postForm("/logout/confirm", params("xsrf", xsrf, "logout", "yes"));
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(done.getHeader("Location")).isNull();
    assertThat(ssoStillWorks()).isFalse();
  }

  @Test
  void confirmationFormExpiresOnTheClock() {
    client.login("alice");
    String xsrf = OpTestClient.hidden(logout(params()).bodyAsString(), "xsrf");
    clock.advance(Duration.ofMinutes(31));
    assertThat(client.postForm("/logout/confirm", params("xsrf", xsrf, "logout", "yes")).statusCode()).isEqualTo(400);
  }
}
