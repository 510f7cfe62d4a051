package dev.hourglass.op;

import static dev.hourglass.op.OpTestClient.REDIRECT;
import static dev.hourglass.op.OpTestClient.params;
import static dev.hourglass.op.OpTestClient.query;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.core.event.Event;
import dev.hourglass.op.OpTestClient.Pkce;
import dev.hourglass.op.junit.DevOpExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AuthorizationCodeFlowTest {
  @RegisterExtension
  DevOpExtension ext = DevOpExtension.builder()
      .configure(c -> c.withClient(OpConfig.Client.publicClient("spa", "http://127.0.0.1:5173/cb")))
      .build();

  OpTestClient client;
  ControllableClock clock;

  @BeforeEach
  void setUp() {
    client = new OpTestClient(ext.vertx(), ext.op());
    clock = ext.clock();
  }

  @Test
  void codeFlowIssuesTokensWithStateIssNonceAndSid() {
    HttpResponse<Buffer> r = client.authorize(OpTestClient.gatewayAuthorize("alice", null));
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.getHeader("Location")).startsWith(REDIRECT + "?");
    Map<String, String> q = query(r);
    assertThat(q).containsEntry("state", "st-alice").containsEntry("iss", ext.issuer()).containsKey("code");

    HttpResponse<Buffer> t = client.gatewayToken(params("grant_type", "authorization_code", "code", q.get("code"),
        "redirect_uri", REDIRECT));
    assertThat(t.statusCode()).isEqualTo(200);
    assertThat(t.getHeader("Cache-Control")).isEqualTo("no-store");
    JsonObject body = t.bodyAsJsonObject();
    assertThat(body.getString("token_type")).isEqualTo("Bearer");
    assertThat(body.getString("refresh_token")).isNotBlank();
    assertThat(body.getString("scope")).isEqualTo("openid profile email");

    JWTClaimsSet id = OpTestClient.claims(body.getString("id_token"));
    assertThat(id.getIssuer()).isEqualTo(ext.issuer());
    assertThat(id.getSubject()).isEqualTo("alice");
    assertThat(id.getAudience()).containsExactly("gateway");
    assertThat(id.getClaim("nonce")).isEqualTo("n-alice");
    assertThat(id.getClaim("azp")).isEqualTo("gateway");
    assertThat(id.getClaim("sid")).isNotNull();
    assertThat(id.getClaim("auth_time")).isEqualTo(clock.instant().getEpochSecond());
    assertThat(id.getClaim("email")).isEqualTo("alice@example.test");
    assertThat(id.getClaim("groups")).isEqualTo(java.util.List.of("admins"));
    assertThat(id.getClaim("at_hash")).isNotNull();

    var at = OpTestClient.parse(body.getString("access_token"));
    assertThat(at.getHeader().getType().toString()).isEqualTo("at+jwt");
    assertThat(at.getHeader().getKeyID()).isNotBlank();
    JWTClaimsSet ac = OpTestClient.claims(body.getString("access_token"));
    assertThat(ac.getClaim("client_id")).isEqualTo("gateway");
    assertThat(ac.getClaim("scope")).isEqualTo("openid profile email");
    assertThat(ac.getJWTID()).isNotBlank();
    assertThat(ac.getAudience()).containsExactly("gateway");

    assertThat(ext.events().count("code_issued")).isEqualTo(1);
    Event issued = ext.events().matching(e -> e.type().equals("token_issued")).get(0);
    assertThat(issued.field("grant_type")).isEqualTo("authorization_code");
    assertThat(issued.field("client_id")).isEqualTo("gateway");
    assertThat(issued.field("sub")).isEqualTo("alice");
    assertThat(issued.field("family")).isNotBlank();
  }

  @Test
  void expiresInEqualsExpMinusIatAlsoAfterTheClockWasAdvanced() {
    clock.advance(Duration.ofHours(5).plusMillis(750));
    JsonObject body = client.login("alice");
    JWTClaimsSet at = OpTestClient.claims(body.getString("access_token"));
    long iat = at.getIssueTime().toInstant().getEpochSecond();
    long exp = at.getExpirationTime().toInstant().getEpochSecond();
    assertThat(body.getLong("expires_in")).isEqualTo(exp - iat).isEqualTo(3600);
    assertThat(iat).isEqualTo(clock.instant().getEpochSecond());

    clock.advance(Duration.ofMinutes(30));
    JsonObject refreshed = client.refresh(body.getString("refresh_token"), 200);
    JWTClaimsSet at2 = OpTestClient.claims(refreshed.getString("access_token"));
    assertThat(refreshed.getLong("expires_in"))
        .isEqualTo(at2.getExpirationTime().toInstant().getEpochSecond() - at2.getIssueTime().toInstant().getEpochSecond());
    assertThat(at2.getIssueTime().toInstant().getEpochSecond()).isEqualTo(clock.instant().getEpochSecond());
  }

  @Test
  void perClientAccessTtlOverrideIsUsed() {
    ext.op().registerClient(OpConfig.Client.confidential("short", "s3cret", REDIRECT)
        .withTokens(new OpConfig.Tokens(null, Duration.ofMinutes(5), Duration.ofMinutes(2), null, null, null, null, null, null)));
    HttpResponse<Buffer> r = client.authorize(params("client_id", "short", "redirect_uri", REDIRECT, "response_type", "code",
        "scope", "openid", "login_hint", "bob"));
    JsonObject t = client.token("short", "s3cret", params("grant_type", "authorization_code", "code", query(r).get("code"),
        "redirect_uri", REDIRECT)).bodyAsJsonObject();
    assertThat(t.getLong("expires_in")).isEqualTo(300);
    JWTClaimsSet id = OpTestClient.claims(t.getString("id_token"));
    assertThat(id.getExpirationTime().getTime() - id.getIssueTime().getTime()).isEqualTo(120_000);
  }

  @Test
  void clientSecretPostWorksAndWrongSecretIs401WithWwwAuthenticate() {
    String code = client.code("bob", null);
    HttpResponse<Buffer> bad = OpTestClient.await(client.web.postAbs(client.url("/token")).sendForm(OpTestClient.multi(
        params("grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT, "client_id", "gateway",
            "client_secret", "wrong"))));
    assertThat(bad.statusCode()).isEqualTo(401);
    assertThat(bad.getHeader("WWW-Authenticate")).startsWith("Basic");
    assertThat(bad.bodyAsJsonObject().getString("error")).isEqualTo("invalid_client");

    HttpResponse<Buffer> ok = OpTestClient.await(client.web.postAbs(client.url("/token")).sendForm(OpTestClient.multi(
        params("grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT, "client_id", "gateway",
            "client_secret", "gateway-secret"))));
    assertThat(ok.statusCode()).isEqualTo(200);
  }

  @Test
  void publicClientWithPkceGetsTokensAndWithoutPkceGetsAnErrorRedirect() {
    Pkce pkce = Pkce.create();
    HttpResponse<Buffer> r = client.authorize(params("client_id", "spa", "redirect_uri", "http://127.0.0.1:5173/cb",
        "response_type", "code", "scope", "openid", "state", "s1", "login_hint", "carol",
        "code_challenge", pkce.challenge(), "code_challenge_method", "S256"));
    String code = query(r).get("code");
    HttpResponse<Buffer> t = client.token("spa", null, params("grant_type", "authorization_code", "code", code,
        "redirect_uri", "http://127.0.0.1:5173/cb", "code_verifier", pkce.verifier()));
    assertThat(t.statusCode()).isEqualTo(200);
    assertThat(t.bodyAsJsonObject().getString("id_token")).isNotNull();

    HttpResponse<Buffer> noPkce = client.authorize(params("client_id", "spa", "redirect_uri", "http://127.0.0.1:5173/cb",
        "response_type", "code", "scope", "openid", "state", "s2", "login_hint", "carol"));
    assertThat(noPkce.statusCode()).isEqualTo(302);
    assertThat(query(noPkce)).containsEntry("error", "invalid_request").containsEntry("state", "s2")
        .containsEntry("iss", ext.issuer());
    assertThat(query(noPkce).get("error_description")).contains("PKCE");

    HttpResponse<Buffer> plain = client.authorize(params("client_id", "spa", "redirect_uri", "http://127.0.0.1:5173/cb",
        "response_type", "code", "scope", "openid", "login_hint", "carol",
        "code_challenge", pkce.challenge(), "code_challenge_method", "plain"));
    assertThat(query(plain)).containsEntry("error", "invalid_request");
  }

  @Test
  void publicClientCannotAuthenticateWithASecretAndConfidentialClientCannotSkipIt() {
    HttpResponse<Buffer> r = client.token("spa", "guess", params("grant_type", "client_credentials"));
    assertThat(r.statusCode()).isEqualTo(401);
    HttpResponse<Buffer> r2 = client.token("gateway", null, params("grant_type", "client_credentials"));
    assertThat(r2.statusCode()).isEqualTo(401);
    assertThat(r2.bodyAsJsonObject().getString("error")).isEqualTo("invalid_client");
  }

  @Test
  void wrongPkceVerifierIsInvalidGrant() {
    Pkce pkce = Pkce.create();
    String code = client.code("alice", pkce);
    HttpResponse<Buffer> t = client.gatewayToken(params("grant_type", "authorization_code", "code", code,
        "redirect_uri", REDIRECT, "code_verifier", Pkce.create().verifier()));
    assertThat(t.statusCode()).isEqualTo(400);
    assertThat(t.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
    assertThat(t.bodyAsJsonObject().getString("error_description")).contains("PKCE");

    String code2 = client.code("alice", pkce);
    HttpResponse<Buffer> missing = client.gatewayToken(params("grant_type", "authorization_code", "code", code2,
        "redirect_uri", REDIRECT));
    assertThat(missing.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");

    String code3 = client.code("alice", pkce);
    HttpResponse<Buffer> ok = client.gatewayToken(params("grant_type", "authorization_code", "code", code3,
        "redirect_uri", REDIRECT, "code_verifier", pkce.verifier()));
    assertThat(ok.statusCode()).isEqualTo(200);
  }

  @Test
  void verifierWithoutChallengeIsRefusedAsDowngrade() {
    String code = client.code("alice", null);
    HttpResponse<Buffer> t = client.gatewayToken(params("grant_type", "authorization_code", "code", code,
        "redirect_uri", REDIRECT, "code_verifier", Pkce.create().verifier()));
    assertThat(t.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void wrongRedirectUriOrUnknownClientGetsAnErrorPageNeverARedirect() {
    HttpResponse<Buffer> r = client.authorize(params("client_id", "gateway", "redirect_uri", "https://evil.example/cb",
        "response_type", "code", "scope", "openid", "login_hint", "alice"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.getHeader("Location")).isNull();
    assertThat(r.getHeader("Content-Type")).startsWith("text/html");
    assertThat(r.bodyAsString()).contains("not registered").doesNotContain("<script");

    HttpResponse<Buffer> prefix = client.authorize(params("client_id", "gateway", "redirect_uri", REDIRECT + "/../x",
        "response_type", "code", "scope", "openid"));
    assertThat(prefix.statusCode()).isEqualTo(400);

    HttpResponse<Buffer> unknown = client.authorize(params("client_id", "<script>alert(1)</script>", "redirect_uri", REDIRECT,
        "response_type", "code"));
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.getHeader("Location")).isNull();
    assertThat(unknown.bodyAsString()).doesNotContain("<script>alert").contains("&lt;script&gt;");

    HttpResponse<Buffer> none = client.authorize(params("response_type", "code"));
    assertThat(none.statusCode()).isEqualTo(400);
  }

  @Test
  void redirectUriAtTheTokenEndpointMustMatch() {
    String code = client.code("alice", null);
    HttpResponse<Buffer> t = client.gatewayToken(params("grant_type", "authorization_code", "code", code,
        "redirect_uri", "http://127.0.0.1:8080/other"));
    assertThat(t.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void reusedCodeIsInvalidGrantAndRevokesWhatItIssued() {
    String code = client.code("alice", null);
    Map<String, String> form = params("grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT);
    JsonObject first = client.gatewayToken(form).bodyAsJsonObject();
    assertThat(client.introspect(first.getString("access_token")).getBoolean("active")).isTrue();

    HttpResponse<Buffer> second = client.gatewayToken(form);
    assertThat(second.statusCode()).isEqualTo(400);
    assertThat(second.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");

    assertThat(client.introspect(first.getString("access_token")).getBoolean("active")).isFalse();
    assertThat(client.introspect(first.getString("refresh_token")).getBoolean("active")).isFalse();
    assertThat(client.refresh(first.getString("refresh_token"), 400).getString("error")).isEqualTo("invalid_grant");
    assertThat(ext.events().count("family_revoked")).isEqualTo(1);
    assertThat(ext.events().count("token_issued")).isEqualTo(1);
  }

  @Test
  void codeExpiresAfterCodeTtlOnTheClock() {
    String code = client.code("alice", null);
    clock.advance(Duration.ofSeconds(60));
    HttpResponse<Buffer> t = client.gatewayToken(params("grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT));
    assertThat(t.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
    assertThat(t.bodyAsJsonObject().getString("error_description")).contains("expired");
  }

  @Test
  void codeOfAnotherClientIsInvalidGrant() {
    ext.op().registerClient(OpConfig.Client.confidential("other", "o", REDIRECT));
    String code = client.code("alice", null);
    HttpResponse<Buffer> t = client.token("other", "o", params("grant_type", "authorization_code", "code", code,
        "redirect_uri", REDIRECT));
    assertThat(t.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void promptNoneWithoutSessionIsLoginRequiredRedirect() {
    HttpResponse<Buffer> r = client.authorize(params("client_id", "gateway", "redirect_uri", REDIRECT,
        "response_type", "code", "scope", "openid", "prompt", "none", "state", "xyz"));
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(query(r)).containsEntry("error", "login_required").containsEntry("state", "xyz")
        .containsEntry("iss", ext.issuer()).doesNotContainKey("code");
  }

  @Test
  void sessionCookieGivesSsoWithPromptNoneUntilTheSessionExpires() {
    client.code("alice", null);
    HttpResponse<Buffer> sso = client.authorize(params("client_id", "gateway", "redirect_uri", REDIRECT,
        "response_type", "code", "scope", "openid", "prompt", "none"));
    assertThat(query(sso)).containsKey("code");

    clock.advance(Duration.ofHours(10));
    HttpResponse<Buffer> expired = client.authorize(params("client_id", "gateway", "redirect_uri", REDIRECT,
        "response_type", "code", "scope", "openid", "prompt", "none"));
    assertThat(query(expired)).containsEntry("error", "login_required");
  }

  @Test
  void maxAgeForcesANewLoginAndAuthTimeMoves() {
    ext.op().setAutoLogin(false);
    String tx = loginPageTx(params("client_id", "gateway", "redirect_uri", REDIRECT, "response_type", "code",
        "scope", "openid"));
    HttpResponse<Buffer> done = client.postForm("/login", params("tx", tx, "username", "alice"));
    assertThat(done.statusCode()).isEqualTo(302);
    long firstAuth = clock.instant().getEpochSecond();

    clock.advance(Duration.ofMinutes(10));
    HttpResponse<Buffer> within = client.authorize(params("client_id", "gateway", "redirect_uri", REDIRECT,
        "response_type", "code", "scope", "openid", "max_age", "3600"));
    assertThat(within.statusCode()).isEqualTo(302);
    JsonObject t1 = client.gatewayToken(params("grant_type", "authorization_code", "code", query(within).get("code"),
        "redirect_uri", REDIRECT)).bodyAsJsonObject();
    assertThat(OpTestClient.claims(t1.getString("id_token")).getClaim("auth_time")).isEqualTo(firstAuth);

    HttpResponse<Buffer> tooOld = client.authorize(params("client_id", "gateway", "redirect_uri", REDIRECT,
        "response_type", "code", "scope", "openid", "max_age", "60"));
    assertThat(tooOld.statusCode()).isEqualTo(200);
    assertThat(tooOld.bodyAsString()).contains("Sign in");

    HttpResponse<Buffer> tooOldNone = client.authorize(params("client_id", "gateway", "redirect_uri", REDIRECT,
        "response_type", "code", "scope", "openid", "max_age", "60", "prompt", "none"));
    assertThat(query(tooOldNone)).containsEntry("error", "login_required");

    String tx2 = OpTestClient.hidden(tooOld.bodyAsString(), "tx");
    HttpResponse<Buffer> again = client.postForm("/login", params("tx", tx2, "username", "alice"));
    JsonObject t2 = client.gatewayToken(params("grant_type", "authorization_code", "code", query(again).get("code"),
        "redirect_uri", REDIRECT)).bodyAsJsonObject();
    assertThat(OpTestClient.claims(t2.getString("id_token")).getClaim("auth_time")).isEqualTo(clock.instant().getEpochSecond());
  }

  @Test
  void promptLoginShowsTheLoginPageDespiteASession() {
    client.code("alice", null);
    ext.op().setAutoLogin(false);
    HttpResponse<Buffer> r = client.authorize(params("client_id", "gateway", "redirect_uri", REDIRECT,
        "response_type", "code", "scope", "openid", "prompt", "login"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsString()).contains("name=\"username\"");
  }

  @Test
  void loginPageListsUsersAcceptsAnyNameAndEscapesInput() {
    ext.op().setAutoLogin(false);
    HttpResponse<Buffer> page = client.authorize(params("client_id", "gateway", "redirect_uri", REDIRECT,
        "response_type", "code", "scope", "openid email profile", "login_hint", "\"><script>x</script>"));
    String html = page.bodyAsString();
    assertThat(html).contains("value=\"alice\"").contains("value=\"bob\"").contains("value=\"carol\"");
    assertThat(html).doesNotContain("<script>x").contains("&lt;script&gt;");
    assertThat(page.getHeader("Content-Security-Policy")).contains("default-src 'none'");

    String tx = OpTestClient.hidden(html, "tx");
    HttpResponse<Buffer> blank = client.postForm("/login", params("tx", tx, "username", "  "));
    assertThat(blank.statusCode()).isEqualTo(400);
    HttpResponse<Buffer> done = client.postForm("/login", params("tx", tx, "username", "dave"));
    assertThat(done.statusCode()).isEqualTo(302);
    JsonObject t = client.gatewayToken(params("grant_type", "authorization_code", "code", query(done).get("code"),
        "redirect_uri", REDIRECT)).bodyAsJsonObject();
    JWTClaimsSet id = OpTestClient.claims(t.getString("id_token"));
    assertThat(id.getSubject()).isEqualTo("dave");
    assertThat(id.getClaim("email")).isEqualTo("dave@example.test");
    assertThat(id.getClaim("name")).isEqualTo("dave");

    HttpResponse<Buffer> replay = client.postForm("/login", params("tx", tx, "username", "mallory"));
    assertThat(replay.statusCode()).isEqualTo(400);
    HttpResponse<Buffer> forged = client.postForm("/login", params("tx", "forged", "username", "mallory"));
    assertThat(forged.statusCode()).isEqualTo(400);
  }

  @Test
  void loginFormExpiresOnTheClock() {
    ext.op().setAutoLogin(false);
    String tx = loginPageTx(params("client_id", "gateway", "redirect_uri", REDIRECT, "response_type", "code", "scope", "openid"));
    clock.advance(Duration.ofMinutes(31));
    assertThat(client.postForm("/login", params("tx", tx, "username", "alice")).statusCode()).isEqualTo(400);
  }

  @Test
  void authorizeByPostWorks() {
    HttpResponse<Buffer> r = client.postForm("/authorize", OpTestClient.gatewayAuthorize("bob", null));
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(query(r)).containsKey("code");
  }

  @Test
  void unsupportedResponseTypeAndDuplicateParametersRedirectWithErrors() {
    HttpResponse<Buffer> r = client.authorize(params("client_id", "gateway", "redirect_uri", REDIRECT,
        "response_type", "token", "state", "a"));
    assertThat(query(r)).containsEntry("error", "unsupported_response_type").containsEntry("state", "a");

    HttpResponse<Buffer> dup = OpTestClient.await(client.browser.getAbs(client.url("/authorize?client_id=gateway&redirect_uri="
        + java.net.URLEncoder.encode(REDIRECT, java.nio.charset.StandardCharsets.UTF_8)
        + "&response_type=code&scope=openid&nonce=a&nonce=b")).send());
    assertThat(query(dup)).containsEntry("error", "invalid_request");

    HttpResponse<Buffer> badMaxAge = client.authorize(params("client_id", "gateway", "redirect_uri", REDIRECT,
        "response_type", "code", "max_age", "soon"));
    assertThat(query(badMaxAge)).containsEntry("error", "invalid_request");
  }

  private String loginPageTx(Map<String, String> p) {
    HttpResponse<Buffer> page = client.authorize(p);
    assertThat(page.statusCode()).isEqualTo(200);
    return OpTestClient.hidden(page.bodyAsString(), "tx");
  }

  @Test
  void malformedVerifierAndChallengeAreRefused() {
    Pkce pkce = Pkce.create();
    String code = client.code("alice", pkce);
    HttpResponse<Buffer> shortVerifier = client.gatewayToken(params("grant_type", "authorization_code", "code", code,
        "redirect_uri", REDIRECT, "code_verifier", "short"));
    assertThat(shortVerifier.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
    HttpResponse<Buffer> badChallenge = client.authorize(params("client_id", "gateway", "redirect_uri", REDIRECT,
        "response_type", "code", "login_hint", "alice", "code_challenge", "too-short", "code_challenge_method", "S256"));
    assertThat(query(badChallenge)).containsEntry("error", "invalid_request");
  }

  @Test
  void scopeWithoutOpenidGivesNoIdToken() {
    HttpResponse<Buffer> r = client.authorize(params("client_id", "gateway", "redirect_uri", REDIRECT,
        "response_type", "code", "scope", "api.read", "login_hint", "alice"));
    JsonObject t = client.gatewayToken(params("grant_type", "authorization_code", "code", query(r).get("code"),
        "redirect_uri", REDIRECT)).bodyAsJsonObject();
    assertThat(t.containsKey("id_token")).isFalse();
    assertThat(t.getString("scope")).isEqualTo("api.read");
  }

  @Test
  void requestObjectsAreRefused() {
    HttpResponse<Buffer> r = client.authorize(params("client_id", "gateway", "redirect_uri", REDIRECT,
        "response_type", "code", "request", "eyJ.x.y"));
    assertThat(query(r)).containsEntry("error", "request_not_supported");
  }
}
