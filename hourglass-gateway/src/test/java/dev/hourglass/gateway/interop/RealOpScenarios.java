package dev.hourglass.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the gateway must do with ANY real OpenID Provider, run against one (a subclass starts the
 * peer and the gateway in {@code @BeforeAll}): log in through the OP's own login page, send the
 * identity to the upstream and never a client's spoofed one, refresh before the access token
 * expires, end the OP session on RP-initiated logout, and end its own session on the OP's
 * back-channel logout. Everything runs on real time (the OP's); waits are bounded by short token
 * lifetimes ({@link #ACCESS_TTL_S} at the OP, {@link #REFRESH_LEAD_S} ahead at the gateway).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RealOpScenarios {
  /** Access (and ID) token lifetime configured at the OP. */
  static final int ACCESS_TTL_S = 20;
  /** The gateway's refresh-before-expiry: it refreshes ACCESS_TTL_S - REFRESH_LEAD_S after issue. */
  static final int REFRESH_LEAD_S = 15;
  static final String SESSION_YAML = """
      idle-timeout: 30m
      max-lifetime: 8h
      refresh-before-expiry: %ds
      expose-tokens: true
      """.formatted(REFRESH_LEAD_S);

  GatewayUnderTest gw;
  /** The OP's issuer URL and its end_session_endpoint (from discovery, read through the OP itself). */
  String issuer;
  String endSessionEndpoint;
  String revocationEndpoint;

  /** The OP's test user and password. */
  abstract String user();

  abstract String password();

  /** "oidc-provider" or "keycloak" (peer.sh's name). */
  abstract String peer();

  /** Checks the {@code sub} the OP gives the test user. */
  abstract void assertSubject(String sub);

  /** Whether the OP rotates the refresh token on every refresh (then a second refresh proves the rotated one was stored). */
  abstract boolean rotatesRefreshTokens();

  /** Starts the gateway against the running peer. */
  void startGateway(String issuer) {
    this.issuer = issuer;
    gw.start(issuer, SESSION_YAML, "");
    HeadlessBrowser b = new HeadlessBrowser();
    HttpResponse<String> d = b.get(issuer + "/.well-known/openid-configuration", "Accept", "application/json");
    assertThat(d.statusCode()).isEqualTo(200);
    endSessionEndpoint = new JsonObject(d.body()).getString("end_session_endpoint");
    revocationEndpoint = new JsonObject(d.body()).getString("revocation_endpoint");
    assertThat(endSessionEndpoint).as("the OP advertises end_session_endpoint").isNotNull();
  }

  @AfterAll
  void stopAll() {
    try {
      if (gw != null) gw.close();
    } finally {
      if (!Peers.keep()) Peers.stop(peer());
    }
  }

  // ---- scenarios -------------------------------------------------------------------------------

  @Test
  void loginThroughTheOpPageProxiesTheIdentityAndRefreshesBeforeExpiry() throws Exception {
    HeadlessBrowser b = new HeadlessBrowser();
    long loginsBefore = gw.count("LOGIN_OK");
    Login login = login(b, "/hello?x=1");
    assertThat(login.loginFormsFilled).as("the OP's own login page was filled in").isEqualTo(1);
    assertThat(login.landing.statusCode()).as(b.describe(login.landing)).isEqualTo(200);
    assertThat(login.landing.uri().toString()).isEqualTo(gw.url("/hello?x=1"));
    assertThat(new JsonObject(login.landing.body()).getString("path")).isEqualTo("/hello?x=1");
    assertThat(gw.count("LOGIN_OK")).isEqualTo(loginsBefore + 1);

    JsonObject session = sessionJson(b);
    JsonObject idToken = session.getJsonObject("id_token");
    assertThat(idToken.getString("iss")).isEqualTo(issuer);
    assertThat(idToken.getValue("aud").toString()).contains("gateway");
    String sub = idToken.getString("sub");
    assertSubject(sub);
    assertThat(session.getString("remote_user")).isEqualTo(sub);

    // The identity comes from the session; spoofed client headers (any case, '_' or '-') never arrive.
    HttpResponse<String> api = b.get(gw.url("/api/me"), "Accept", "application/json",
        "X-Forwarded-User", "mallory", "x_forwarded_user", "mallory", "X-FORWARDED-EMAIL", "evil@example.test",
        "X-Forwarded-Groups", "root", "X-Forwarded-Preferred-Username", "mallory", "X-Auth-Request-User", "mallory",
        "Remote-User", "mallory");
    assertThat(api.statusCode()).as(b.describe(api)).isEqualTo(200);
    JsonObject headers = lower(new JsonObject(api.body()).getJsonObject("headers"));
    assertThat(headers.getString("x-forwarded-user")).isEqualTo(sub);
    assertThat(headers.getString("x-forwarded-email")).isEqualTo("alice@example.test");
    assertThat(headers.getString("x-forwarded-preferred-username")).isEqualTo("alice");
    assertThat(headers.fieldNames()).doesNotContain("x_forwarded_user", "x-auth-request-user", "remote-user", "x-forwarded-groups");
    assertThat(api.body()).doesNotContain("mallory", "evil@example.test", "root");

    // Refresh: the access token lives ACCESS_TTL_S at the OP; the gateway refreshes REFRESH_LEAD_S
    // ahead, i.e. on the first request after next_refresh_at. Wait (real time) until then.
    // (Read after the requests above, so a slow machine that already crossed the window there
    // still sees exactly one refresh below.)
    JsonObject beforeRefresh = sessionJson(b);
    long expires1 = beforeRefresh.getLong("access_token_expires");
    long nextRefresh = beforeRefresh.getJsonObject("timeline").getLong("next_refresh_at");
    assertThat(nextRefresh).isEqualTo(expires1 - REFRESH_LEAD_S);
    assertThat(expires1 - gw.clock.instant().getEpochSecond()).as("the OP's access token lifetime")
        .isBetween(1L, (long) ACCESS_TTL_S + 1);
    long refreshes = gw.count("REFRESH_OK");
    sleepUntilEpochSecond(nextRefresh + 1);
    HttpResponse<String> afterWindow = b.get(gw.url("/hello"), "Accept", "application/json");
    assertThat(afterWindow.statusCode()).as(b.describe(afterWindow)).isEqualTo(200);
    assertThat(gw.count("REFRESH_OK")).as("events: %s", gw.eventTypes()).isEqualTo(refreshes + 1);
    JsonObject refreshed = sessionJson(b);
    long expires2 = refreshed.getLong("access_token_expires");
    assertThat(expires2).as("new access_token_expires after REFRESH_OK").isGreaterThan(expires1);
    assertThat(refreshed.getJsonObject("timeline").getLong("refreshed_at")).isNotNull();
    assertThat(refreshed.getJsonObject("id_token").getString("sub")).isEqualTo(sub);
    // Right after a refresh the token is fresh again: no second grant.
    assertThat(b.get(gw.url("/hello"), "Accept", "application/json").statusCode()).isEqualTo(200);
    assertThat(gw.count("REFRESH_OK")).isEqualTo(refreshes + 1);

    if (rotatesRefreshTokens()) {
      // The OP rotated the refresh token: a second refresh only works if the gateway stored the new one.
      sleepUntilEpochSecond(refreshed.getJsonObject("timeline").getLong("next_refresh_at") + 1);
      assertThat(b.get(gw.url("/hello"), "Accept", "application/json").statusCode()).isEqualTo(200);
      assertThat(gw.count("REFRESH_OK")).as("events: %s", gw.eventTypes()).isEqualTo(refreshes + 2);
      assertThat(sessionJson(b).getLong("access_token_expires")).isGreaterThan(expires2);
    }
    assertThat(gw.eventTypes()).noneMatch(t -> t.startsWith("ID_TOKEN_REJECTED") || t.startsWith("REFRESH_FAILED")
        || t.startsWith("USERINFO_SUB_MISMATCH"));
  }

  @Test
  void rpInitiatedLogoutEndsTheOpSessionSoTheNextLoginAsksForCredentials() throws Exception {
    HeadlessBrowser b = new HeadlessBrowser();
    assertThat(login(b, "/").loginFormsFilled).isEqualTo(1);
    // Control: while the OP session lives, a second login goes straight through (SSO, no form):
    // so the check after logout below can tell the difference.
    Login sso = login(b, "/again");
    assertThat(sso.loginFormsFilled).as("SSO while the OP session lives").isZero();
    assertThat(sso.landing.uri().toString()).isEqualTo(gw.url("/again"));

    // The ID token lives ACCESS_TTL_S (20 s), less than the clock-skew (60 s): it is never "fresh"
    // enough to send as it is, so the gateway refreshes first and sends the renewed ID token (issue 4,
    // step 2). The session's logout plan says so before, and the event after.
    JsonObject before = sessionJson(b);
    assertThat(before.getJsonObject("logout").getString("would_send")).isEqualTo("id_token_hint_after_refresh");
    assertThat(before.getJsonObject("logout").getString("light")).isEqualTo("amber");
    long loginIdTokenIat = before.getJsonObject("id_token").getLong("iat");
    long hintsBefore = gw.count("LOGOUT_HINT_REFRESHED");
    sleepUntilEpochSecond(loginIdTokenIat + 1); // so a renewed ID token has a later iat
    HttpResponse<String> out = b.get(gw.url("/oauth2/sign_out"), "Sec-Fetch-Site", "same-origin");
    assertThat(HeadlessBrowser.isRedirect(out)).as(b.describe(out)).isTrue();
    URI toOp = HeadlessBrowser.location(out);
    assertThat(toOp.toString()).startsWith(endSessionEndpoint);
    assertThat(toOp.getRawQuery()).contains("id_token_hint=", "post_logout_redirect_uri=", "state=");
    assertThat(gw.count("LOGOUT_HINT_REFRESHED")).as("events %s", gw.eventTypes()).isEqualTo(hintsBefore + 1);
    JsonObject hint = jwtPayload(queryParam(toOp, "id_token_hint"));
    assertThat(hint.getString("iss")).isEqualTo(issuer);
    assertThat(hint.getString("sub")).isEqualTo(before.getJsonObject("id_token").getString("sub"));
    assertThat(hint.getLong("iat")).as("the hint is the renewed ID token").isGreaterThan(loginIdTokenIat);
    assertThat(hint.getLong("exp")).isGreaterThan(gw.clock.instant().getEpochSecond());
    // The local session is gone at once, whatever the OP does next.
    assertThat(b.get(gw.url("/oauth2/session"), "Accept", "application/json").statusCode()).isEqualTo(401);

    // At the OP: confirm if it asks, until it sends the browser back to the gateway.
    HttpResponse<String> back = walkOpLogout(b, b.get(toOp.toString()));
    URI landing = HeadlessBrowser.location(back);
    assertThat(landing.toString()).as(b.describe(back)).startsWith(gw.url("/"));
    assertThat(landing.getPath()).isEqualTo("/");

    // The OP session ended too: the next login through the gateway shows the OP's login form.
    HttpResponse<String> again = drive(b, b.get(landing.toString()), false).landing;
    assertThat(loginForm(again)).as("the OP asks for credentials again: %s", b.describe(again)).isPresent();
  }

  @Test
  void logoutAtTheOpEndsTheGatewaySessionThroughBackChannelLogout() throws Exception {
    HeadlessBrowser b = new HeadlessBrowser();
    assertThat(login(b, "/").loginFormsFilled).isEqualTo(1);
    assertThat(b.get(gw.url("/oauth2/session"), "Accept", "application/json").statusCode()).isEqualTo(200);
    // The same user in another browser: another OP session (another sid) that must survive.
    HeadlessBrowser other = new HeadlessBrowser();
    assertThat(login(other, "/").loginFormsFilled).isEqualTo(1);
    String sidHere = sessionJson(b).getJsonObject("id_token").getString("sid");
    String sidOther = sessionJson(other).getJsonObject("id_token").getString("sid");
    assertThat(sidHere).isNotBlank().isNotEqualTo(sidOther);
    int sent = gw.backchannelBodies.size();
    long logouts = gw.count("BACKCHANNEL_LOGOUT");

    // The user logs out at the OP itself (another tab, another app): no id_token_hint, confirm form.
    HttpResponse<String> done = walkOpLogout(b, b.get(endSessionEndpoint));
    assertThat(done.statusCode()).as(b.describe(done)).isEqualTo(200);

    // The OP POSTs a logout_token to the gateway (through the recorder); the session ends.
    long deadline = gw.clock.millis() + 10_000;
    while (gw.backchannelStatuses.size() <= sent && gw.clock.millis() < deadline) {
      Thread.sleep(100);
    }
    assertThat(gw.backchannelBodies).as("the OP sent a back-channel logout; OP log:\n%s", Peers.logTail(peer(), 20))
        .hasSizeGreaterThan(sent);
    String body = gw.backchannelBodies.get(sent);
    assertThat(body).startsWith("logout_token=");
    String token = java.net.URLDecoder.decode(body.substring("logout_token=".length()).split("&")[0], java.nio.charset.StandardCharsets.UTF_8);
    JsonObject claims = jwtPayload(token); // what the real OP sent (Back-Channel Logout 1.0 §2.4)
    assertThat(claims.getString("iss")).isEqualTo(issuer);
    assertThat(claims.getValue("aud").toString()).contains("gateway");
    assertThat(claims.getJsonObject("events").containsKey("http://schemas.openid.net/event/backchannel-logout")).isTrue();
    assertThat(claims.getString("sid")).isEqualTo(sidHere);
    assertThat(gw.backchannelStatuses.get(sent)).as("gateway's answer to the OP; events %s", gw.eventTypes()).isEqualTo(200);
    assertThat(gw.count("BACKCHANNEL_LOGOUT")).isEqualTo(logouts + 1);
    HttpResponse<String> api = b.get(gw.url("/oauth2/session"), "Accept", "application/json");
    assertThat(api.statusCode()).as("session after back-channel logout: %s", api.body()).isEqualTo(401);
    HttpResponse<String> nav = b.get(gw.url("/"));
    assertThat(HeadlessBrowser.isRedirect(nav)).isTrue();
    assertThat(loginForm(drive(b, nav, false).landing)).as("the OP session is gone too").isPresent();
    // Only the session of that OP session (sid) ended, not every session of the user (sub).
    assertThat(other.get(gw.url("/oauth2/session"), "Accept", "application/json").statusCode()).isEqualTo(200);

    // Hostile: the OP's very logout token, replayed, is refused (jti replay cache); so is a forged one.
    HttpResponse<String> replay = b.post(URI.create(gw.url("/oauth2/backchannel-logout")), body);
    assertThat(replay.statusCode()).as(replay.body()).isEqualTo(400);
    assertThat(replay.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
    String forged = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
    assertThat(b.post(URI.create(gw.url("/oauth2/backchannel-logout")), "logout_token=" + HeadlessBrowser.enc(forged)).statusCode())
        .isEqualTo(400);
  }

  @Test
  void aRefreshTokenRevokedAtTheOpEndsTheSessionAtTheNextRefresh() throws Exception {
    HeadlessBrowser b = new HeadlessBrowser();
    HeadlessBrowser api = new HeadlessBrowser();
    assertThat(login(b, "/").loginFormsFilled).isEqualTo(1);
    JsonObject session = sessionJson(b);
    String refreshToken = session.getJsonObject("tokens").getString("refresh_token");
    assertThat(refreshToken).isNotBlank();
    // The refresh token is revoked at the OP (RFC 7009), as an admin or another party could.
    HttpResponse<String> revoked = api.send(java.net.http.HttpRequest.newBuilder(URI.create(revocationEndpoint))
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("token=" + HeadlessBrowser.enc(refreshToken)
                + "&token_type_hint=refresh_token")),
        "Content-Type", "application/x-www-form-urlencoded", "Accept", "application/json",
        "Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("gateway:gateway-secret".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(revoked.statusCode()).as(api.describe(revoked)).isEqualTo(200);
    long failed = gw.count("REFRESH_FAILED:invalid_grant");

    // Still served until the refresh window: the access token itself is valid (checked when this
    // machine got here well before the window, as it normally does: about 1 s after login).
    long nextRefresh = session.getJsonObject("timeline").getLong("next_refresh_at");
    if (gw.clock.instant().getEpochSecond() < nextRefresh - 1) {
      assertThat(b.get(gw.url("/before"), "Accept", "application/json").statusCode()).isEqualTo(200);
    }
    sleepUntilEpochSecond(nextRefresh + 1);
    // At the refresh, the real OP's invalid_grant ends the session: an API call gets 401 JSON ...
    HttpResponse<String> xhr = b.get(gw.url("/api/data"), "Accept", "application/json");
    assertThat(xhr.statusCode()).as(b.describe(xhr)).isEqualTo(401);
    assertThat(xhr.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
    assertThat(new JsonObject(xhr.body()).getString("reason")).isEqualTo("REFRESH_FAILED:invalid_grant");
    assertThat(gw.count("REFRESH_FAILED:invalid_grant")).as("events %s", gw.eventTypes()).isEqualTo(failed + 1);
    // ... and a navigation goes back to the OP to log in again.
    HttpResponse<String> nav = b.get(gw.url("/page"));
    assertThat(HeadlessBrowser.isRedirect(nav)).as(b.describe(nav)).isTrue();
    assertThat(HeadlessBrowser.location(nav).toString()).startsWith(opOrigin());
  }

  @Test
  void aReplayedOrStolenCallbackUrlLogsNobodyIn() {
    HeadlessBrowser b = new HeadlessBrowser();
    assertThat(login(b, "/").loginFormsFilled).isEqualTo(1);
    URI callback = b.visited.stream().filter(u -> u.getPath().equals("/oauth2/callback")).reduce((x, y) -> y).orElseThrow();
    assertThat(callback.getRawQuery()).contains("code=", "state=");
    long logins = gw.count("LOGIN_OK");

    // The same browser again: its one-time login transaction is spent.
    HttpResponse<String> again = b.get(callback.toString());
    assertThat(again.statusCode()).as(b.describe(again)).isBetween(400, 499);
    // Another browser with the stolen URL (real code, real state, no transaction cookie).
    HeadlessBrowser thief = new HeadlessBrowser();
    HttpResponse<String> stolen = thief.get(callback.toString());
    assertThat(stolen.statusCode()).as(thief.describe(stolen)).isBetween(400, 499);
    assertThat(thief.get(gw.url("/oauth2/session"), "Accept", "application/json").statusCode()).isEqualTo(401);
    assertThat(gw.count("LOGIN_OK")).isEqualTo(logins);
    assertThat(gw.eventTypes()).doesNotContain("INTERNAL_ERROR");
    // The victim's own session is untouched.
    assertThat(b.get(gw.url("/oauth2/session"), "Accept", "application/json").statusCode()).isEqualTo(200);
  }

  // ---- the headless browser's walk through gateway and OP ---------------------------------------

  record Login(HttpResponse<String> landing, int loginFormsFilled) {}

  /** /oauth2/start?rd=… through the OP (filling its login form) back to the page {@code rd}. */
  Login login(HeadlessBrowser b, String rd) {
    Login l = drive(b, b.get(gw.url("/oauth2/start?rd=" + HeadlessBrowser.enc(rd))), true);
    assertThat(l.landing.statusCode()).as(b.describe(l.landing)).isEqualTo(200);
    assertThat(l.landing.uri().toString()).as(b.describe(l.landing)).startsWith(gw.publicUrl);
    return l;
  }

  /**
   * Follows redirects across gateway and OP. On an OP page with a login form: fills it in when
   * {@code fillLogin}, else stops there. A consent form is accepted. Stops at any other page.
   */
  Login drive(HeadlessBrowser b, HttpResponse<String> r, boolean fillLogin) {
    int filled = 0;
    for (int step = 0; step < 25; step++) {
      if (HeadlessBrowser.isRedirect(r)) {
        r = b.get(HeadlessBrowser.location(r).toString());
        continue;
      }
      if (r.statusCode() != 200 || !r.uri().toString().startsWith(opOrigin())) {
        return new Login(r, filled);
      }
      Optional<HtmlForm> login = loginForm(r);
      if (login.isPresent()) {
        if (!fillLogin) return new Login(r, filled);
        if (filled > 0) fail("the OP showed its login form again (wrong credentials?): " + b.describe(r));
        HtmlForm f = login.get().with("password", password());
        f = f.fields().containsKey("username") ? f.with("username", user()) : f.with("login", user());
        r = b.submit(f);
        filled++;
        continue;
      }
      Optional<HtmlForm> consent = HtmlForm.all(r.uri(), r.body()).stream()
          .filter(f -> "consent".equals(f.fields().get("prompt"))).findFirst();
      if (consent.isPresent()) {
        r = b.submit(consent.get());
        continue;
      }
      return new Login(r, filled);
    }
    throw new AssertionError("too many steps: " + b.describe(r));
  }

  /** A form with a password field on an OP page: the OP asks for credentials. */
  Optional<HtmlForm> loginForm(HttpResponse<String> r) {
    if (r.statusCode() != 200 || !r.uri().toString().startsWith(opOrigin()) || r.body() == null) return Optional.empty();
    return HtmlForm.withField(r.uri(), r.body(), "password");
  }

  /**
   * The OP's logout pages: follows redirects and confirms (oidc-provider: {@code xsrf} +
   * {@code logout=yes}; Keycloak: {@code session_code} + {@code confirmLogout}). Returns the redirect
   * that leaves the OP, or the OP's final page.
   */
  HttpResponse<String> walkOpLogout(HeadlessBrowser b, HttpResponse<String> r) {
    int confirms = 0;
    for (int step = 0; step < 15; step++) {
      if (HeadlessBrowser.isRedirect(r)) {
        URI next = HeadlessBrowser.location(r);
        if (!next.toString().startsWith(opOrigin())) return r;
        r = b.get(next.toString());
        continue;
      }
      assertThat(r.statusCode()).as(b.describe(r)).isEqualTo(200);
      Optional<HtmlForm> xsrf = HtmlForm.withField(r.uri(), r.body(), "xsrf");
      Optional<HtmlForm> kc = HtmlForm.withField(r.uri(), r.body(), "session_code");
      if (confirms < 3 && xsrf.isPresent()) {
        r = b.submit(xsrf.get().with("logout", "yes"));
      } else if (confirms < 3 && kc.isPresent()) {
        r = b.submit(kc.get().with("confirmLogout", "Logout"));
      } else {
        return r;
      }
      confirms++;
    }
    throw new AssertionError("too many steps at the OP's logout: " + b.describe(r));
  }

  String opOrigin() {
    URI u = URI.create(issuer);
    return u.getScheme() + "://" + u.getRawAuthority() + "/";
  }

  JsonObject sessionJson(HeadlessBrowser b) {
    HttpResponse<String> r = b.get(gw.url("/oauth2/session"), "Accept", "application/json");
    assertThat(r.statusCode()).as(b.describe(r)).isEqualTo(200);
    return new JsonObject(r.body());
  }

  void sleepUntilEpochSecond(long epochSecond) throws InterruptedException {
    long ms = epochSecond * 1000 - gw.clock.millis();
    assertThat(ms).as("bounded real-time wait").isLessThanOrEqualTo(Duration.ofSeconds(ACCESS_TTL_S).toMillis());
    if (ms > 0) Thread.sleep(ms);
  }

  static String queryParam(URI u, String name) {
    for (String pair : u.getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    throw new AssertionError("no " + name + " in " + u);
  }

  static JsonObject jwtPayload(String jwt) {
    return new JsonObject(new String(java.util.Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), java.nio.charset.StandardCharsets.UTF_8));
  }

  static JsonObject lower(JsonObject headers) {
    JsonObject out = new JsonObject();
    headers.forEach(e -> out.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
    return out;
  }
}
