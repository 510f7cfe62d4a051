package dev.hourglass.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A forged cross-site sign-out logs nobody out; the confirmation page's own form (with this
 * session's CSRF token) does; same-origin requests log out at once.
 */
class SignOutCrossSiteTest {
  private static GatewayHarness h;

  @BeforeAll
  static void start() {
    h = new GatewayHarness().start();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  private static GatewayHarness.Browser loggedIn() {
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    return b;
  }

  private static boolean signedIn(GatewayHarness.Browser b) {
    return b.get("/oauth2/session").statusCode() == 200;
  }

  private static HttpResponse<String> post(GatewayHarness.Browser b, String form, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "Content-Type";
    all[1] = "application/x-www-form-urlencoded";
    System.arraycopy(headers, 0, all, 2, headers.length);
    return b.send(HttpRequest.newBuilder(URI.create(h.publicUrl + "/oauth2/sign_out"))
        .POST(HttpRequest.BodyPublishers.ofString(form)), all);
  }

  private static void assertConfirmationPage(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Location")).isEmpty();
    assertThat(r.body()).contains("<form method=\"post\" action=\"/oauth2/sign_out\"", "name=\"csrf\"");
    assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("frame-ancestors 'none'");
    assertThat(r.headers().firstValue("X-Frame-Options")).contains("DENY");
    assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
    assertThat(r.headers().allValues("Set-Cookie")).isEmpty();
  }

  private static String csrfOf(HttpResponse<String> page) {
    Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page.body());
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  @Test
  void crossSiteGetsOfEveryKindShowTheConfirmationPageAndKeepTheSession() {
    GatewayHarness.Browser b = loggedIn();
    h.gateway.events().clear();
    String[][] forged = {
        {"Origin", "https://evil.example"},
        {"Sec-Fetch-Site", "cross-site"},
        {"Sec-Fetch-Site", "same-site"},
        {"Sec-Fetch-Site", "cross-site", "Origin", h.publicUrl},
        {"Referer", "https://evil.example/page"},
        {"Referer", h.publicUrl + ".evil.example/"},
        {"Referer", "http://user@127.0.0.1:" + h.gatewayPort + "/"},
        {"Origin", "null"},
        {},
    };
    for (String[] headers : forged) {
      HttpResponse<String> r = b.get("/oauth2/sign_out?rd=/after", headers);
      assertConfirmationPage(r);
      assertThat(signedIn(b)).as(String.join(" ", headers)).isTrue();
    }
    assertThat(h.gatewayEvents("LOGOUT_LOCAL")).isEmpty();
    assertThat(h.gatewayEvents("LOGOUT_CONFIRM_REQUIRED:origin")).isNotEmpty();
    assertThat(h.gatewayEvents("LOGOUT_CONFIRM_REQUIRED:sec-fetch-site:cross-site")).isNotEmpty();
    assertThat(h.gatewayEvents("LOGOUT_CONFIRM_REQUIRED:no_origin_headers")).isNotEmpty();
  }

  @Test
  void crossSitePostsWithoutOrWithAWrongCsrfTokenLogNobodyOut() {
    GatewayHarness.Browser b = loggedIn();
    GatewayHarness.Browser other = loggedIn();
    h.gateway.events().clear();
    String othersToken = csrfOf(other.get("/oauth2/sign_out", "Sec-Fetch-Site", "cross-site"));

    assertConfirmationPage(post(b, "rd=%2F", "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"));
    assertThat(signedIn(b)).isTrue();
    for (String bad : new String[] {"", "x", othersToken, othersToken.substring(1) + "A", "%00"}) {
      HttpResponse<String> r = post(b, "csrf=" + bad + "&rd=%2F", "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site");
      assertThat(r.statusCode()).as(bad).isEqualTo(403);
      assertThat(signedIn(b)).as(bad).isTrue();
    }
    // A wrong token is refused even when the headers claim same-origin.
    assertThat(post(b, "csrf=" + othersToken, "Sec-Fetch-Site", "same-origin").statusCode()).isEqualTo(403);
    assertThat(signedIn(b)).isTrue();
    assertThat(signedIn(other)).isTrue();
    assertThat(h.gatewayEvents("LOGOUT_CSRF_REJECTED")).hasSizeGreaterThanOrEqualTo(6);
  }

  @Test
  void theConfirmationFormWithTheRightTokenLogsOut() {
    GatewayHarness.Browser b = loggedIn();
    HttpResponse<String> page = b.get("/oauth2/sign_out?rd=/after", "Origin", "https://evil.example");
    assertConfirmationPage(page);
    assertThat(page.body()).contains("name=\"rd\" value=\"/after\"");
    HttpResponse<String> r = post(b, "csrf=" + csrfOf(page) + "&rd=%2Fafter", "Origin", h.publicUrl);
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.headers().firstValue("Location").orElseThrow()).startsWith(h.op.issuer() + "/logout?");
    assertThat(signedIn(b)).isFalse();
  }

  @Test
  void sameOriginRequestsLogOutAtOnce() {
    String[][] sameOrigin = {
        {"Sec-Fetch-Site", "same-origin"},
        {"Sec-Fetch-Site", "none"},
        {"Origin", h.publicUrl},
        {"Referer", h.publicUrl + "/some/page?x=1"},
    };
    for (String[] headers : sameOrigin) {
      GatewayHarness.Browser b = loggedIn();
      HttpResponse<String> r = b.get("/oauth2/sign_out", headers);
      assertThat(r.statusCode()).as(String.join(" ", headers)).isEqualTo(302);
      assertThat(r.headers().firstValue("Location").orElseThrow()).startsWith(h.op.issuer() + "/logout?");
      assertThat(signedIn(b)).isFalse();
    }
    GatewayHarness.Browser b = loggedIn();
    HttpResponse<String> r = post(b, "", "Origin", h.publicUrl);
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(signedIn(b)).isFalse();
  }

  @Test
  void withoutASessionSignOutJustGoesToTheValidatedTarget() {
    GatewayHarness.Browser b = h.browser();
    assertThat(b.get("/oauth2/sign_out?rd=/bye%3Fx%3D1", "Origin", "https://evil.example").headers()
        .firstValue("Location")).contains("/bye?x=1");
    assertThat(b.get("/oauth2/sign_out?rd=https://evil.example/").headers().firstValue("Location")).contains("/");
    assertThat(b.get("/oauth2/sign_out?rd=//evil.example").headers().firstValue("Location")).contains("/");
    assertThat(b.get("/oauth2/sign_out").headers().firstValue("Location")).contains("/");
    // A stale cookie is cleared.
    HttpResponse<String> stale = b.get("/oauth2/sign_out", "Cookie", "_hourglass_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assertThat(stale.statusCode()).isEqualTo(302);
    assertThat(stale.headers().allValues("Set-Cookie")).anyMatch(c -> c.contains("Max-Age=0"));
  }

  /** Java's URI refuses malformed escapes, so such requests go over a raw socket. */
  private static int rawStatus(String request) {
    try (java.net.Socket sock = new java.net.Socket("127.0.0.1", h.gatewayPort)) {
      sock.setSoTimeout(10_000);
      sock.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      String line = new String(sock.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(line).startsWith("HTTP/1.");
      return Integer.parseInt(line.substring(9, 12));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void malformedOrOversizedFormsGetA400NeverA500() {
    GatewayHarness.Browser b = loggedIn();
    assertThat(post(b, "csrf=%zz", "Origin", h.publicUrl).statusCode()).isEqualTo(400);
    assertThat(post(b, "rd=" + "a".repeat(20_000), "Origin", h.publicUrl).statusCode()).isEqualTo(400);
    assertThat(b.send(HttpRequest.newBuilder(URI.create(h.publicUrl + "/oauth2/sign_out"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")), "Content-Type", "application/json", "Origin", h.publicUrl)
        .statusCode()).isEqualTo(400);
    for (String path : new String[] {"/oauth2/sign_out?rd=%zz", "/oauth2/sign_out?rd=%E0%A4%A",
        "/oauth2/frontchannel-logout?iss=%zz&sid=x"}) {
      assertThat(rawStatus("GET " + path + " HTTP/1.1\r\nHost: x\r\nOrigin: " + h.publicUrl + "\r\n\r\n")).as(path).isEqualTo(400);
    }
    assertThat(signedIn(b)).isTrue();
  }
}
