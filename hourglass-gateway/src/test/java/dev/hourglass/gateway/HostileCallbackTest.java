package dev.hourglass.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Wrong, missing and replayed state; replayed code; tampered and oversized cookies. */
class HostileCallbackTest {
  private static GatewayHarness h;

  @BeforeAll
  static void start() {
    h = new GatewayHarness().start();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  /** Starts a login and returns the OP's redirect back to the callback (not yet followed). */
  private static HttpResponse<String> opAnswer(GatewayHarness.Browser b) {
    HttpResponse<String> start = b.get("/oauth2/start?login_hint=alice&rd=/after");
    assertThat(start.statusCode()).isEqualTo(302);
    HttpResponse<String> op = b.get(start.headers().firstValue("Location").orElseThrow());
    assertThat(op.statusCode()).isEqualTo(302);
    String callback = op.headers().firstValue("Location").orElseThrow();
    assertThat(callback).startsWith(h.publicUrl + "/oauth2/callback?");
    return op;
  }

  private static String callbackUrl(HttpResponse<String> op) {
    return op.headers().firstValue("Location").orElseThrow();
  }

  private static Map<String, String> query(String url) {
    return java.util.Arrays.stream(URI.create(url).getRawQuery().split("&"))
        .map(p -> p.split("=", 2))
        .collect(Collectors.toMap(p -> p[0], p -> p.length > 1 ? java.net.URLDecoder.decode(p[1], java.nio.charset.StandardCharsets.UTF_8) : ""));
  }

  private static long tokenCalls() {
    return h.opEvents("token_issued", null, null) + h.opEvents("token_error", null, null);
  }

  @Test
  void startPassesLoginHintAndPromptAndRefusesBadValues() {
    GatewayHarness.Browser b = h.browser();
    String location = b.get("/oauth2/start?login_hint=alice%40example.test&prompt=login").headers().firstValue("Location").orElseThrow();
    assertThat(query(location)).containsEntry("login_hint", "alice@example.test").containsEntry("prompt", "login")
        .containsEntry("code_challenge_method", "S256").containsEntry("response_type", "code")
        .containsEntry("redirect_uri", h.publicUrl + "/oauth2/callback");
    assertThat(b.get("/oauth2/start?prompt=evil").statusCode()).isEqualTo(400);
    assertThat(b.get("/oauth2/start?login_hint=" + "a".repeat(300)).statusCode()).isEqualTo(400);
    assertThat(b.get("/oauth2/start?login_hint=a%0d%0aX-Evil:1").statusCode()).isEqualTo(400);
  }

  @Test
  void wrongStateIsRefusedBeforeAnyTokenCall() {
    GatewayHarness.Browser b = h.browser();
    String cb = callbackUrl(opAnswer(b));
    Map<String, String> q = query(cb);
    long calls = tokenCalls();
    HttpResponse<String> r = b.get(h.publicUrl + "/oauth2/callback?code=" + q.get("code") + "&state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        + (q.containsKey("iss") ? "&iss=" + q.get("iss") : ""));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(tokenCalls()).isEqualTo(calls);
    assertThat(h.gatewayEvents("STATE_MISMATCH")).isNotEmpty();
    assertThat(b.get("/oauth2/session").statusCode()).isEqualTo(401);
  }

  @Test
  void missingStateAndMissingTransactionAreRefusedBeforeAnyTokenCall() {
    GatewayHarness.Browser b = h.browser();
    String cb = callbackUrl(opAnswer(b));
    long calls = tokenCalls();
    assertThat(b.get(h.publicUrl + "/oauth2/callback?code=" + query(cb).get("code")).statusCode()).isEqualTo(400);
    assertThat(h.gatewayEvents("STATE_MISSING")).isNotEmpty();
    // Right state, but another browser (no transaction cookie): login CSRF.
    GatewayHarness.Browser other = h.browser();
    assertThat(other.get(cb).statusCode()).isEqualTo(400);
    assertThat(tokenCalls()).isEqualTo(calls);
  }

  @Test
  void replayedCallbackWithTheCopiedTransactionCookieIsRefused() {
    GatewayHarness.Browser b = h.browser();
    HttpResponse<String> start = b.get("/oauth2/start?login_hint=alice&rd=/after");
    String txCookie = start.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("_hourglass_tx_"))
        .findFirst().orElseThrow().split(";", 2)[0];
    HttpResponse<String> op = b.get(start.headers().firstValue("Location").orElseThrow());
    String cb = callbackUrl(op);
    HttpResponse<String> first = b.get(cb);
    assertThat(first.statusCode()).isEqualTo(302);
    assertThat(first.headers().firstValue("Location")).contains("/after");
    long calls = tokenCalls();
    // The attacker replays the same callback with the copied transaction cookie.
    HttpResponse<String> replay = h.browser().send(HttpRequest.newBuilder(URI.create(cb)).GET(), "Cookie", txCookie);
    assertThat(replay.statusCode()).isEqualTo(400);
    assertThat(tokenCalls()).isEqualTo(calls);
    assertThat(h.gatewayEvents("STATE_REPLAYED")).isNotEmpty();
  }

  @Test
  void replayedCodeWithAFreshTransactionGetsNoSession() {
    GatewayHarness.Browser victim = h.browser();
    String usedCallback = callbackUrl(opAnswer(victim));
    assertThat(victim.get(usedCallback).statusCode()).isEqualTo(302);
    String usedCode = query(usedCallback).get("code");
    // A fresh login in another browser, whose callback carries the stolen, already used code.
    GatewayHarness.Browser attacker = h.browser();
    Map<String, String> fresh = query(callbackUrl(opAnswer(attacker)));
    String forged = h.publicUrl + "/oauth2/callback?code=" + usedCode + "&state=" + fresh.get("state")
        + (fresh.containsKey("iss") ? "&iss=" + java.net.URLEncoder.encode(fresh.get("iss"), java.nio.charset.StandardCharsets.UTF_8) : "");
    HttpResponse<String> r = attacker.get(forged);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(h.gatewayEvents("TOKEN_ERROR:invalid_grant")).isNotEmpty();
    assertThat(attacker.get("/oauth2/session").statusCode()).isEqualTo(401);
  }

  @Test
  void opErrorIsShownEscapedAfterTheStateCheck() {
    GatewayHarness.Browser b = h.browser();
    HttpResponse<String> start = b.get("/oauth2/start?rd=/x");
    String state = query(start.headers().firstValue("Location").orElseThrow()).get("state");
    HttpResponse<String> r = b.get("/oauth2/callback?state=" + state + "&iss=" + java.net.URLEncoder.encode(h.op.issuer(), java.nio.charset.StandardCharsets.UTF_8)
        + "&error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("access_denied").contains("&lt;script&gt;").doesNotContain("<script>");
    assertThat(h.gatewayEvents("OP_ERROR:access_denied")).isNotEmpty();
  }

  @Test
  void wrongIssParameterIsRefused() {
    GatewayHarness.Browser b = h.browser();
    String cb = callbackUrl(opAnswer(b));
    Map<String, String> q = query(cb);
    long calls = tokenCalls();
    HttpResponse<String> r = b.get("/oauth2/callback?code=" + q.get("code") + "&state=" + q.get("state") + "&iss=https%3A%2F%2Fevil.example");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(h.gatewayEvents("ISS_MISMATCH")).isNotEmpty();
    assertThat(tokenCalls()).isEqualTo(calls);
  }

  @Test
  void tamperedSessionCookiesMeanLoginNeverA500() {
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    String good = b.jar.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("_hourglass_session"))
        .findFirst().orElseThrow().getValue();
    String flipped = good.substring(0, good.length() - 1) + (good.endsWith("A") ? "B" : "A");
    List<String> cookies = List.of(
        "_hourglass_session=" + flipped,
        "_hourglass_session=" + good.substring(0, 20),
        "_hourglass_session=" + good + "; _hourglass_session=" + flipped,
        "_hourglass_session=%00%0d%0a",
        "_hourglass_session=" + "A".repeat(5000),
        "_hourglass_tx_AAAAAAAAAAAAAAAA=garbage; _hourglass_session_chunks=99999999",
        "_hourglass_session_1=x; _hourglass_session_chunks=99999999");
    for (String c : cookies) {
      GatewayHarness.Browser fresh = h.browser();
      HttpResponse<String> api = fresh.send(HttpRequest.newBuilder(URI.create(h.publicUrl + "/api/x")).GET(),
          "Cookie", c, "Accept", "application/json");
      assertThat(api.statusCode()).as(c).isEqualTo(401);
      HttpResponse<String> nav = fresh.send(HttpRequest.newBuilder(URI.create(h.publicUrl + "/page")).GET(),
          "Cookie", c, "Accept", "text/html");
      assertThat(nav.statusCode()).as(c).isEqualTo(302);
      HttpResponse<String> cb = fresh.send(HttpRequest.newBuilder(URI.create(h.publicUrl + "/oauth2/callback?state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&code=x")).GET(),
          "Cookie", c);
      assertThat(cb.statusCode()).as(c).isEqualTo(400);
    }
    // The genuine cookie still works.
    assertThat(b.get("/oauth2/session").statusCode()).isEqualTo(200);
  }

  @Test
  void oversizedAndManyCookiesGetA4xx() {
    GatewayHarness.Browser b = h.browser();
    HttpResponse<String> big = b.send(HttpRequest.newBuilder(URI.create(h.publicUrl + "/page")).GET(),
        "Cookie", "_hourglass_session=" + "A".repeat(64 * 1024));
    assertThat(big.statusCode()).as(big.body()).isBetween(400, 499);
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 500; i++) many.append("c").append(i).append("=v; ");
    HttpResponse<String> lots = b.send(HttpRequest.newBuilder(URI.create(h.publicUrl + "/page")).GET(),
        "Cookie", many.toString(), "Accept", "application/json");
    assertThat(lots.statusCode()).isBetween(400, 499);
    assertThat(b.get("/ping").statusCode()).isEqualTo(200);
  }

  @Test
  void tamperedTransactionCookieIsRefused() {
    GatewayHarness.Browser b = h.browser();
    HttpResponse<String> start = b.get("/oauth2/start?login_hint=alice&rd=/after");
    String set = start.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("_hourglass_tx_")).findFirst().orElseThrow();
    String nameValue = set.split(";", 2)[0];
    String tampered = nameValue.substring(0, nameValue.length() - 2) + (nameValue.endsWith("AA") ? "BB" : "AA");
    HttpResponse<String> op = b.get(start.headers().firstValue("Location").orElseThrow());
    String cb = callbackUrl(op);
    long calls = tokenCalls();
    HttpResponse<String> r = h.browser().send(HttpRequest.newBuilder(URI.create(cb)).GET(), "Cookie", tampered);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(tokenCalls()).isEqualTo(calls);
  }
}
