package dev.hourglass.gateway.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 6, redirect targets end to end: every line of both corpus files (and our own tricks) as
 * {@code rd} on {@code /oauth2/start}, on {@code /oauth2/sign_out}, and as the return target of a
 * real, completed login. No answer may carry a Location off the gateway's origin (the OP's
 * authorization and end-session endpoints are the only other allowed destinations).
 */
class HostileRedirectTest {
  private static HostileHarness h;
  private static List<String> targets;

  /** Our own: control characters, Unicode look-alikes, backslashes, userinfo tricks. */
  static final List<String> OWN = List.of(
      "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "\u0000//evil.example", "/%09/evil.example",
      "/%0d%0a/evil.example", " //evil.example", "\u000b//evil.example", "/\u0085/evil.example",
      "\uff0f\uff0fevil.example", "/\uff0fevil.example", "\u2215\u2215evil.example", "\u2044\u2044evil.example",
      "/\u3002evil.example", "\uFE68evil.example", "//evil\u3002example", "\u2024\u2024/evil.example",
      "\\\\evil.example", "/\\evil.example", "\\/evil.example", "/\\/evil.example", "%5c%5cevil.example",
      "/%5cevil.example", "/%2f/evil.example", "%2f%2fevil.example",
      "//127.0.0.1@evil.example", "http://127.0.0.1@evil.example/", "//user:pass@evil.example",
      "/@evil.example", "@evil.example", "//@evil.example", "http:evil.example", "https:/\\evil.example",
      "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
      "/..//evil.example", "/.//evil.example", "/./\\evil.example", "///evil.example", "////evil.example");

  @BeforeAll
  static void start() throws Exception {
    h = new HostileHarness().startOp().startGateway();
    targets = new ArrayList<>(HostileHarness.corpus());
    targets.addAll(OWN);
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  private static boolean onGatewayOrigin(String location) {
    URI resolved = URI.create(h.publicUrl + "/").resolve(location);
    return "http".equals(resolved.getScheme()) && "127.0.0.1".equals(resolved.getHost())
        && resolved.getPort() == h.gatewayPort && resolved.getRawUserInfo() == null;
  }

  private static void assertSafe(String rd, String location) {
    assertThat(location).as(rd).startsWith("/").doesNotStartWith("//").doesNotStartWith("/\\");
    assertThat(location.chars().noneMatch(c -> c < 0x20 || c == 0x7f || c == '\\')).as(rd + " → " + location).isTrue();
    assertThat(onGatewayOrigin(location)).as(rd + " → " + location).isTrue();
  }

  @Test
  void everyTargetAsRdOnStartGoesOnlyToTheOp() {
    String authorize = h.gateway.services().provider().metadata().authorizationEndpoint();
    HostileHarness.Browser b = h.browser();
    for (String rd : targets) {
      b.jar.getCookieStore().removeAll();
      HttpResponse<String> r = b.get("/oauth2/start?rd=" + HostileHarness.enc(rd));
      assertThat(r.statusCode()).as(rd).isEqualTo(302);
      assertThat(r.headers().firstValue("Location").orElseThrow()).as(rd).startsWith(authorize + "?");
    }
  }

  @Test
  void everyTargetAsTheReturnOfACompletedLoginStaysOnTheGateway() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> done = new ArrayList<>();
    for (String rd : targets) {
      done.add(pool.submit(() -> {
        HttpResponse<String> cb = h.browser().login("alice", rd);
        assertThat(cb.statusCode()).as(rd).isEqualTo(302);
        assertSafe(rd, cb.headers().firstValue("Location").orElseThrow());
      }));
    }
    for (Future<?> f : done) {
      f.get(120, TimeUnit.SECONDS);
    }
    pool.shutdown();
  }

  @Test
  void everyTargetAsRdOnSignOutWithoutASessionStaysOnTheGateway() {
    HostileHarness.Browser b = h.browser();
    for (String rd : targets) {
      HttpResponse<String> r = b.get("/oauth2/sign_out?rd=" + HostileHarness.enc(rd), "Sec-Fetch-Site", "same-origin");
      assertThat(r.statusCode()).as(rd).isLessThan(500);
      r.headers().firstValue("Location").ifPresent(loc -> assertSafe(rd, loc));
    }
  }

  @Test
  void everyTargetAsRdOnSignOutWithASessionGoesOnlyToTheOpsEndSessionAndBack() throws Exception {
    String endSession = h.gateway.services().provider().metadata().endSessionEndpoint().orElseThrow();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> done = new ArrayList<>();
    for (String rd : targets) {
      done.add(pool.submit(() -> {
        HostileHarness.Browser b = h.browser();
        assertThat(b.login("alice", "/").statusCode()).isEqualTo(302);
        HttpResponse<String> r = b.get("/oauth2/sign_out?rd=" + HostileHarness.enc(rd), "Sec-Fetch-Site", "same-origin");
        assertThat(r.statusCode()).as(rd).isEqualTo(302);
        String loc = r.headers().firstValue("Location").orElseThrow();
        if (!loc.startsWith(endSession + "?")) {
          assertSafe(rd, loc);
        } else {
          String q = URI.create(loc).getRawQuery();
          assertThat(java.net.URLDecoder.decode(q, java.nio.charset.StandardCharsets.UTF_8)).as(rd)
              .contains("post_logout_redirect_uri=" + h.publicUrl + "/");
        }
        assertThat(b.signedIn()).isFalse();
      }));
    }
    for (Future<?> f : done) {
      f.get(180, TimeUnit.SECONDS);
    }
    pool.shutdown();
  }
}
