package dev.hourglass.gateway.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.gateway.crypto.SecretKeys;
import dev.hourglass.gateway.session.LoginTransaction;
import dev.hourglass.gateway.session.TransactionCookie;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 6, hostile clients end to end: smuggled identity headers in every spelling, forged
 * X-Forwarded-*, crafted cookies (CVE-2024-24814 style), session fixation, cross-site sign-out,
 * huge headers, slow clients and oversized bodies.
 */
class HostileClientTest {
  static final String SPOOF = "spoofed-by-client";
  private static HostileHarness h;

  @BeforeAll
  static void start() {
    h = new HostileHarness().startOp();
    h.extraYaml = """
        identity:
          headers: { X-Claim-Name: name, X-Claim-Sub: sub }
          pass-access-token: true
          pass-id-token: true
          set-xauthrequest: true
        """;
    h.startGateway();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @BeforeEach
  void reset() {
    h.upstreamRequests.clear();
    h.gateway.events().clear();
  }

  /** Every identity header the gateway sets, in upper, lower and mixed case, and with '_' for '-'. */
  static List<String> spoofedHeaderNames() {
    List<String> base = List.of("X-Forwarded-User", "X-Forwarded-Email", "X-Forwarded-Groups",
        "X-Forwarded-Preferred-Username", "X-Claim-Name", "X-Claim-Sub", "Authorization", "X-Forwarded-Id-Token",
        "X-Forwarded-Access-Token", "X-Auth-Request-User", "X-Auth-Request-Email", "Remote-User");
    List<String> out = new ArrayList<>();
    for (String n : base) {
      out.add(n);
      out.add(n.toLowerCase(java.util.Locale.ROOT));
      out.add(n.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
      out.add(n.replace('-', '_'));
    }
    return out;
  }

  private static void assertNoSpoofArrived() {
    assertThat(h.upstreamRequests).isNotEmpty();
    for (List<String[]> req : h.upstreamRequests) {
      for (String[] hv : req) {
        assertThat(hv[1]).as(hv[0]).doesNotContain(SPOOF);
        assertThat(hv[0].toLowerCase(java.util.Locale.ROOT)).as("underscore variant reached the upstream")
            .doesNotContain("_");
      }
    }
  }

  @Test
  void spoofedIdentityHeadersInAnySpellingNeverReachTheUpstream() {
    HostileHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(302);
    for (String name : spoofedHeaderNames()) {
      HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(h.publicUrl + "/app")).GET()
          .header(name, name.equalsIgnoreCase("authorization") ? "Bearer " + SPOOF : SPOOF);
      assertThat(b.send(req).statusCode()).as(name).isEqualTo(200);
    }
    assertNoSpoofArrived();
    // The genuine ones did arrive.
    List<String[]> last = new ArrayList<>(h.upstreamRequests).get(h.upstreamRequests.size() - 1);
    assertThat(last).anyMatch(hv -> hv[0].equalsIgnoreCase("X-Forwarded-User") && hv[1].equals("alice"));
    assertThat(last).anyMatch(hv -> hv[0].equalsIgnoreCase("Authorization") && hv[1].startsWith("Bearer ey"));
  }

  @Test
  void allSpoofedHeadersAtOnceAndWithoutASessionNeverReachTheUpstream() {
    // A public-path-less gateway sends an anonymous browser to login: nothing reaches the upstream.
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(h.publicUrl + "/app")).GET().header("Accept", "text/html");
    for (String name : spoofedHeaderNames()) {
      if (!name.equalsIgnoreCase("authorization")) req.header(name, SPOOF);
    }
    HttpResponse<String> r = h.browser().send(req);
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(h.upstreamRequests).isEmpty();
  }

  @Test
  void forwardedForFromAnUntrustedClientIsReplacedNotAppended() {
    HostileHarness.Browser b = h.browser();
    b.login("alice", "/");
    b.send(HttpRequest.newBuilder(URI.create(h.publicUrl + "/app")).GET()
        .header("X-Forwarded-For", "6.6.6.6").header("X-Forwarded-Proto", "gopher").header("X-Forwarded-Host", "evil.example")
        .header("X-Forwarded_Host", "evil.example").header("Forwarded", "for=6.6.6.6;host=evil.example"));
    List<String[]> last = new ArrayList<>(h.upstreamRequests).get(h.upstreamRequests.size() - 1);
    assertThat(last).noneMatch(hv -> hv[1].contains("6.6.6.6") || hv[1].contains("evil.example") || hv[1].contains("gopher"));
    assertThat(last).anyMatch(hv -> hv[0].equalsIgnoreCase("X-Forwarded-For") && hv[1].equals("127.0.0.1"));
  }

  // ---- cookies -----------------------------------------------------------------------------------

  private static int status(HostileHarness.Browser b, String cookieHeader) {
    // java.net.http refuses to let us set Cookie with a cookie handler; use a fresh client without one.
    HttpResponse<String> r = HostileHarness.send(java.net.http.HttpClient.newHttpClient(),
        HttpRequest.newBuilder(URI.create(h.publicUrl + "/app")).GET().header("Accept", "text/html").header("Cookie", cookieHeader));
    return r.statusCode();
  }

  @Test
  void craftedCookiesGet400OrAFreshLoginNeverA500() {
    HostileHarness.Browser b = h.browser();
    b.login("alice", "/");
    String id = b.sessionCookie().orElseThrow();
    String name = HostileHarness.SESSION_COOKIE;
    List<String> hostile = new ArrayList<>();
    hostile.add(name + "=" + id.substring(0, id.length() / 2)); // truncated
    hostile.add(name + "=" + (id.charAt(0) == 'A' ? 'B' : 'A') + id.substring(1)); // tampered
    hostile.add(name + "=" + id + id); // doubled
    hostile.add(name + "=" + "%00%0d%0a" + id);
    hostile.add(name + "=x".repeat(4000));
    hostile.add(name + "=garbage; " + name + "=" + id + "; " + name + "=more"); // duplicated names
    hostile.add(name + "_chunks=2147483647; " + name + "_0=" + id); // CVE-2024-24814-style chunk count
    hostile.add(name + "_chunks=-1; " + name + "_1=x");
    hostile.add(name + "_chunks=99999999999999999999999");
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 500; i++) many.append("c").append(i).append("=v; ");
    hostile.add(many.toString());
    hostile.add("=".repeat(8000));
    hostile.add(";".repeat(8000));
    hostile.add(TransactionCookie.PREFIX + "abc=" + "A".repeat(3000));
    for (String c : hostile) {
      int s = status(b, c);
      assertThat(s).as(c.length() > 80 ? c.substring(0, 80) : c).isIn(200, 302, 400, 431);
    }
    assertThat(h.gatewayEventTypes()).noneMatch(t -> t.startsWith("INTERNAL_ERROR"));
  }

  @Test
  void aSixtyFourKilobyteCookieGets431() {
    assertThat(status(h.browser(), "a=" + "x".repeat(64 * 1024))).isEqualTo(431);
    assertThat(h.browser().get("/ping").statusCode()).isEqualTo(200);
  }

  @Test
  void transactionCookiesTamperedTruncatedOrUnderAnotherKeyAreRefusedBeforeAnyTokenCall() {
    HostileHarness.Browser b = h.browser();
    HttpResponse<String> start = b.get("/oauth2/start?login_hint=alice&rd=/");
    String callback = b.get(start.headers().firstValue("Location").orElseThrow()).headers().firstValue("Location").orElseThrow();
    String state = URI.create(callback).getRawQuery().replaceAll(".*state=([^&]+).*", "$1");
    String txName = TransactionCookie.cookieName(state);
    String real = b.jar.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(txName)).findFirst().orElseThrow().getValue();
    TransactionCookie otherKey = new TransactionCookie(SecretKeys.fromSecret("another-secret-0123456789abcdef-0123456789").transactionAead(),
        h.clock, false);
    String forged = otherKey.setCookie(LoginTransaction.start(h.op.issuer(), "/", h.clock.instant()));
    forged = forged.substring(forged.indexOf('=') + 1, forged.indexOf(';'));
    long tokenCalls = h.opEvents("token_issued");
    for (String value : List.of(real.substring(0, real.length() / 2), real.substring(1), forged, "", "A".repeat(3800))) {
      HttpResponse<String> r = HostileHarness.send(java.net.http.HttpClient.newHttpClient(),
          HttpRequest.newBuilder(URI.create(callback)).GET().header("Cookie", txName + "=" + value));
      assertThat(r.statusCode()).as(value).isEqualTo(400);
    }
    assertThat(h.opEvents("token_issued")).isEqualTo(tokenCalls);
  }

  @Test
  void sessionFixationAPlantedCookieIsNeverAdopted() {
    HostileHarness.Browser attacker = h.browser();
    attacker.login("mallory", "/");
    String planted = attacker.sessionCookie().orElseThrow();
    HostileHarness.Browser victim = h.browser();
    java.net.HttpCookie c = new java.net.HttpCookie(HostileHarness.SESSION_COOKIE, planted);
    c.setPath("/");
    c.setVersion(0);
    victim.jar.getCookieStore().add(URI.create(h.publicUrl), c);
    HttpResponse<String> cb = victim.login("alice", "/");
    assertThat(cb.statusCode()).isEqualTo(302);
    String after = issuedSessionId(cb);
    assertThat(after).isNotEqualTo(planted);
    // The planted (attacker's) session ended with the victim's login: it cannot be ridden.
    assertThat(attacker.signedIn()).isFalse();
    // A made-up value is not adopted either.
    HostileHarness.Browser v2 = h.browser();
    java.net.HttpCookie made = new java.net.HttpCookie(HostileHarness.SESSION_COOKIE, "attacker-chosen-session-id-value");
    made.setPath("/");
    made.setVersion(0);
    v2.jar.getCookieStore().add(URI.create(h.publicUrl), made);
    assertThat(issuedSessionId(v2.login("alice", "/"))).isNotEqualTo("attacker-chosen-session-id-value");
  }

  private static String issuedSessionId(HttpResponse<String> callback) {
    String set = callback.headers().allValues("Set-Cookie").stream()
        .filter(c -> c.startsWith(HostileHarness.SESSION_COOKIE + "=") && !c.startsWith(HostileHarness.SESSION_COOKIE + "=;"))
        .findFirst().orElseThrow();
    return set.substring(set.indexOf('=') + 1, set.indexOf(';'));
  }

  @Test
  void aCrossSiteSignOutLogsNobodyOut() {
    HostileHarness.Browser b = h.browser();
    b.login("alice", "/");
    HttpResponse<String> get = b.get("/oauth2/sign_out?rd=/", "Sec-Fetch-Site", "cross-site", "Referer", "https://evil.example/");
    assertThat(get.statusCode()).isEqualTo(200); // a confirmation page
    HttpResponse<String> post = b.send(HttpRequest.newBuilder(URI.create(h.publicUrl + "/oauth2/sign_out"))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", "https://evil.example")
        .header("Sec-Fetch-Site", "cross-site").POST(HttpRequest.BodyPublishers.ofString("rd=/")));
    assertThat(post.statusCode()).isLessThan(300);
    HttpResponse<String> forgedCsrf = b.send(HttpRequest.newBuilder(URI.create(h.publicUrl + "/oauth2/sign_out"))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", "https://evil.example")
        .header("Sec-Fetch-Site", "cross-site").POST(HttpRequest.BodyPublishers.ofString("rd=/&csrf=forged")));
    assertThat(forgedCsrf.statusCode()).isBetween(200, 499);
    assertThat(b.signedIn()).isTrue();
  }

  // ---- request abuse ------------------------------------------------------------------------------

  @Test
  void aHugeHeaderGets431AndTheGatewayStaysUp() {
    HttpResponse<String> r = HostileHarness.send(java.net.http.HttpClient.newHttpClient(),
        HttpRequest.newBuilder(URI.create(h.publicUrl + "/app")).GET().header("X-Big", "y".repeat(100_000)));
    assertThat(r.statusCode()).isEqualTo(431);
    assertThat(h.browser().get("/ping").statusCode()).isEqualTo(200);
  }

  @Test
  void slowClientsHoldingHalfSentHeadersDoNotStarveOthers() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 100; i++) {
        Socket s = new Socket("127.0.0.1", h.gatewayPort);
        OutputStream out = s.getOutputStream();
        out.write("GET /app HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        slow.add(s);
      }
      long t0 = System.nanoTime();
      assertThat(h.browser().get("/ping").statusCode()).isEqualTo(200);
      assertThat((System.nanoTime() - t0) / 1_000_000).as("ms for /ping beside 100 slow clients").isLessThan(2000);
    } finally {
      for (Socket s : slow) s.close();
    }
  }

  @Test
  void oversizedBodiesAreRefusedWithAClear4xx() throws Exception {
    HttpResponse<String> r = HostileHarness.send(java.net.http.HttpClient.newHttpClient(),
        HttpRequest.newBuilder(URI.create(h.publicUrl + "/oauth2/backchannel-logout"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("logout_token=" + "a".repeat(2 * 1024 * 1024))));
    // Back-Channel Logout 1.0 §2.8: any failure there is a 400 (with no-store), oversized bodies included.
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
    HttpResponse<String> signOut = HostileHarness.send(java.net.http.HttpClient.newHttpClient(),
        HttpRequest.newBuilder(URI.create(h.publicUrl + "/oauth2/sign_out"))
            .header("Content-Type", "application/x-www-form-urlencoded").header("Sec-Fetch-Site", "same-origin")
            .POST(HttpRequest.BodyPublishers.ofString("rd=" + "a".repeat(2 * 1024 * 1024))));
    assertThat(signOut.statusCode()).isIn(400, 413);
    assertThat(h.browser().get("/ping").statusCode()).isEqualTo(200);
  }

  @Test
  void aGarbageRequestLineGetsA4xx() throws Exception {
    try (Socket s = new Socket("127.0.0.1", h.gatewayPort)) {
      s.setSoTimeout(5000);
      s.getOutputStream().write(("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      assertThat(status).matches("HTTP/1\\.[01] 4\\d\\d");
    }
  }
}
