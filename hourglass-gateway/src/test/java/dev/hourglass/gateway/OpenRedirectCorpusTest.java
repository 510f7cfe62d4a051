package dev.hourglass.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.event.Event;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every line of ../shared/corpus/open-redirects.*.txt as {@code rd}: the login start never sends
 * the browser anywhere but the OP, the return target it stores is a same-origin path, and a
 * completed login returns to the gateway's own origin.
 */
class OpenRedirectCorpusTest {
  /**
   * Every line's stored return target is checked (the LOGIN_STARTED event carries exactly what the
   * transaction holds); a full login through the OP is completed for every 15th line (all of them:
   * set 1, about 40 s).
   */
  static final int ALL_OR_SAMPLE = 15;

  private static GatewayHarness h;

  @BeforeAll
  static void start() {
    h = new GatewayHarness().start();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  static List<String> corpus() throws IOException {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("hourglass-core"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("repository root (a directory holding hourglass-core)").isNotNull();
    Path corpus = dir.resolveSibling("shared").resolve("corpus");
    List<String> lines = new ArrayList<>();
    for (String name : List.of("open-redirects.mod_auth_openidc.txt", "open-redirects.oauth2-proxy.txt")) {
      Path f = corpus.resolve(name);
      assertThat(f).as("corpus file " + f + " is required").exists();
      lines.addAll(Files.readAllLines(f, StandardCharsets.ISO_8859_1));
    }
    assertThat(lines).hasSizeGreaterThan(1000);
    return lines;
  }

  private static boolean sameOrigin(String location) {
    URI base = URI.create(h.publicUrl + "/");
    URI resolved = base.resolve(location);
    return "http".equals(resolved.getScheme()) && "127.0.0.1".equals(resolved.getHost())
        && resolved.getPort() == h.gatewayPort && resolved.getRawUserInfo() == null;
  }

  @Test
  void noCorpusLineAsRdLeadsOffOrigin() throws IOException {
    List<String> lines = corpus();
    GatewayHarness.Browser b = h.browser();
    String authorize = h.gateway.services().provider().metadata().authorizationEndpoint();
    int i = 0;
    for (String line : lines) {
      b.jar.getCookieStore().removeAll();
      HttpResponse<String> r = b.get("/oauth2/start?rd=" + URLEncoder.encode(line, StandardCharsets.UTF_8));
      assertThat(r.statusCode()).as(line).isEqualTo(302);
      assertThat(r.headers().firstValue("Location").orElseThrow()).as(line).startsWith(authorize + "?");
      List<Event> started = h.gatewayEvents("LOGIN_STARTED");
      String returnTo = started.get(started.size() - 1).field("return_to");
      assertThat(returnTo).as(line).startsWith("/").doesNotStartWith("//").doesNotStartWith("/\\");
      assertThat(sameOrigin(returnTo)).as(line + " → " + returnTo).isTrue();
      // Complete the login for a sample: the callback's Location must be on the gateway's origin.
      if (i++ % ALL_OR_SAMPLE == 0) {
        HttpResponse<String> op = b.get(r.headers().firstValue("Location").orElseThrow() + "&login_hint=alice");
        HttpResponse<String> cb = b.get(op.headers().firstValue("Location").orElseThrow());
        assertThat(cb.statusCode()).as(line).isEqualTo(302);
        String loc = cb.headers().firstValue("Location").orElseThrow();
        assertThat(sameOrigin(loc)).as(line + " → " + loc).isTrue();
        assertThat(loc).as(line).startsWith("/").doesNotStartWith("//").doesNotStartWith("/\\");
      }
      h.gateway.events().clear();
    }
  }
}
