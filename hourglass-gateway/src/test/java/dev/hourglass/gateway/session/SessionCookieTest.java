package dev.hourglass.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SessionCookieTest {
  final SessionCookie cookie = new SessionCookie(SessionCookie.DEFAULT_NAME, true);
  final String id = SessionIds.newId();

  @Test
  void setCookieHasTheStrictAttributes() {
    assertThat(cookie.setCookie(id, Duration.ofHours(8)))
        .isEqualTo("_hourglass_session=" + id + "; Path=/; Max-Age=28800; HttpOnly; SameSite=Lax; Secure");
    assertThat(cookie.setCookie(id, null)).isEqualTo("_hourglass_session=" + id + "; Path=/; HttpOnly; SameSite=Lax; Secure");
    assertThat(cookie.clearCookie())
        .isEqualTo("_hourglass_session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax; Secure");
    assertThat(new SessionCookie("hg", false).setCookie(id, Duration.ofMinutes(1))).isEqualTo("hg=" + id + "; Path=/; Max-Age=60; HttpOnly; SameSite=Lax");
  }

  @Test
  void setCookieRefusesAnythingButASessionId() {
    assertThatThrownBy(() -> cookie.setCookie("x; Domain=evil.com", null)).hasMessage("id: not a session id");
    assertThatThrownBy(() -> cookie.setCookie(id, Duration.ofSeconds(-1))).hasMessageStartingWith("maxAge:");
    assertThatThrownBy(() -> new SessionCookie("bad name", true)).hasMessageStartingWith("cookie-name:");
    assertThatThrownBy(() -> new SessionCookie("a=b", true)).hasMessageStartingWith("cookie-name:");
    assertThatThrownBy(() -> new SessionCookie("", true)).hasMessageStartingWith("cookie-name:");
    assertThatThrownBy(() -> new SessionCookie("__Host-hg", false)).hasMessageStartingWith("cookie-name:");
    assertThat(new SessionCookie("__Host-hg", true).setCookie(id, null)).isEqualTo("__Host-hg=" + id + "; Path=/; HttpOnly; SameSite=Lax; Secure");
  }

  @Test
  void secureUnlessPlainHttpOnLoopback() {
    assertThat(SessionCookie.secureFor(URI.create("https://gw.example.com"))).isTrue();
    assertThat(SessionCookie.secureFor(URI.create("https://127.0.0.1:8443"))).isTrue();
    assertThat(SessionCookie.secureFor(URI.create("http://gw.example.com"))).isTrue();
    assertThat(SessionCookie.secureFor(URI.create("http://10.0.0.1:8080"))).isTrue();
    assertThat(SessionCookie.secureFor(URI.create("http://127.0.0.1.nip.io:8080"))).isTrue();
    assertThat(SessionCookie.secureFor(URI.create("http://localhost.evil.com"))).isTrue();
    assertThat(SessionCookie.secureFor(URI.create("http://128.0.0.1"))).isTrue();
    assertThat(SessionCookie.secureFor(URI.create("http://127.0.0.256"))).isTrue();
    assertThat(SessionCookie.secureFor(null)).isTrue();
    assertThat(SessionCookie.secureFor(URI.create("http://127.0.0.1:8080"))).isFalse();
    assertThat(SessionCookie.secureFor(URI.create("http://127.10.20.30"))).isFalse();
    assertThat(SessionCookie.secureFor(URI.create("HTTP://LOCALHOST:8080"))).isFalse();
    assertThat(SessionCookie.secureFor(URI.create("http://[::1]:8080"))).isFalse();
    assertThat(SessionCookie.forPublicUrl(URI.create("http://localhost:8080")).secure()).isFalse();
    assertThat(SessionCookie.forPublicUrl(URI.create("http://localhost:8080")).name()).isEqualTo("_hourglass_session");
  }

  @Test
  void findsTheSessionIdAmongOtherCookies() {
    assertThat(cookie.sessionId("_hourglass_session=" + id)).contains(id);
    assertThat(cookie.sessionId("a=1; _hourglass_session=" + id + "; b=2")).contains(id);
    assertThat(cookie.sessionId("a=1;_hourglass_session = \"" + id + "\" ;b=2")).contains(id);
    assertThat(cookie.sessionId(List.of("a=1", "_hourglass_session=" + id))).contains(id);
    // The same value twice (e.g. HTTP/2 split headers) is not ambiguous.
    assertThat(cookie.sessionId("_hourglass_session=" + id + "; _hourglass_session=" + id)).contains(id);
  }

  @Test
  void absentMalformedAndAmbiguousMeanNoSession() {
    assertThat(cookie.sessionId((String) null)).isEmpty();
    assertThat(cookie.sessionId("")).isEmpty();
    assertThat(cookie.sessionId(";;;==;")).isEmpty();
    assertThat(cookie.sessionId("_hourglass_session=")).isEmpty();
    assertThat(cookie.sessionId("_hourglass_session=short")).isEmpty();
    assertThat(cookie.sessionId("_hourglass_session=" + id + "x")).isEmpty();
    assertThat(cookie.sessionId("_HOURGLASS_SESSION=" + id)).isEmpty();
    assertThat(cookie.sessionId("x_hourglass_session=" + id)).isEmpty();
    assertThat(cookie.sessionId("_hourglass_session" + id)).isEmpty();
    String other = SessionIds.newId();
    assertThat(cookie.sessionId("_hourglass_session=" + id + "; _hourglass_session=" + other)).isEmpty();
    assertThat(cookie.lookup(List.of("_hourglass_session=" + id, "_hourglass_session=" + other)).lookup())
        .isEqualTo(CookieHeader.Lookup.AMBIGUOUS);
    assertThat(cookie.sessionId("_hourglass_session=" + id + "; _hourglass_session=garbage")).isEmpty();
  }

  @Test
  void chunkCountTricksHaveNothingToHit() {
    // mod_auth_openidc CVE-2024-24814: a huge chunk count made it loop/allocate. We do not chunk.
    assertThat(cookie.sessionId("_hourglass_session_chunks=99999999")).isEmpty();
    assertThat(cookie.sessionId("_hourglass_session_chunks=99999999; _hourglass_session=" + id)).contains(id);
    assertThat(cookie.sessionId("_hourglass_session=" + id.substring(0, 20) + "; _hourglass_session_1=" + id.substring(20))).isEmpty();
  }

  @Test
  void hugeAndManyCookiesAreHandledQuickly() {
    String big = "junk=" + "x".repeat(64 * 1024);
    assertThat(cookie.sessionId(big + "; _hourglass_session=" + id)).contains(id);
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 500; i++) {
      many.append("c").append(i).append("=").append("v".repeat(100)).append("; ");
    }
    assertThat(cookie.sessionId(many + "_hourglass_session=" + id)).contains(id);
    StringBuilder manyDup = new StringBuilder();
    for (int i = 0; i < 500; i++) {
      manyDup.append("_hourglass_session=").append(SessionIds.newId()).append("; ");
    }
    assertThat(cookie.sessionId(manyDup.toString())).isEmpty();
    String enormous = "a=" + "x".repeat(CookieHeader.MAX_SCANNED_CHARS) + "; _hourglass_session=" + id;
    long start = System.nanoTime();
    assertThat(cookie.sessionId(enormous)).isEmpty();
    assertThat(cookie.lookup(List.of(enormous)).lookup()).isEqualTo(CookieHeader.Lookup.TOO_LARGE);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void pathologicalHeadersStayLinear() {
    for (String unit : List.of("a;", ";", "a", "=", "a=;", " ;", "_hourglass_session;")) {
      String header = unit.repeat(CookieHeader.MAX_SCANNED_CHARS / unit.length());
      long start = System.nanoTime();
      for (int i = 0; i < 5; i++) {
        assertThat(cookie.sessionId(header)).isEmpty();
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as(unit).isLessThan(Duration.ofSeconds(2));
    }
  }

  @Test
  void randomHeadersNeverThrowAndOnlyYieldWellFormedIds() {
    Random random = new Random(7);
    String alphabet = "_hourglass_session=;\" \t,=xA0-\u0000\u00ff\u2028";
    for (int i = 0; i < 5000; i++) {
      StringBuilder sb = new StringBuilder();
      int n = random.nextInt(80);
      for (int j = 0; j < n; j++) {
        int pick = random.nextInt(10);
        if (pick == 0) {
          sb.append("_hourglass_session=");
        } else if (pick == 1) {
          sb.append(id);
        } else {
          sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      String header = sb.toString();
      cookie.sessionId(header).ifPresent(found -> assertThat(SessionIds.isWellFormed(found)).as(header).isTrue());
      cookie.sessionId(header).ifPresent(found -> assertThat(found).isEqualTo(id));
    }
  }
}
