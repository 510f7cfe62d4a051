package dev.hourglass.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.gateway.session.Session;
import dev.hourglass.gateway.session.SessionIds;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every line of ../shared/corpus/open-redirects.*.txt as {@code rd} on {@code /oauth2/sign_out}:
 * without a session the Location is on the gateway's origin; with one it is the OP's
 * end_session_endpoint whose post_logout_redirect_uri is the gateway's own; the confirmation
 * page only ever carries a same-origin target.
 */
class SignOutOpenRedirectCorpusTest {
  private static GatewayHarness h;
  private static Session template;

  @BeforeAll
  static void start() {
    h = new GatewayHarness().start();
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    String id = b.jar.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("_hourglass_session"))
        .findFirst().orElseThrow().getValue();
    template = GatewayHarness.await(h.gateway.store().load(id)).orElseThrow();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  private static boolean sameOrigin(String location) {
    URI resolved = URI.create(h.publicUrl + "/").resolve(location);
    return "http".equals(resolved.getScheme()) && "127.0.0.1".equals(resolved.getHost())
        && resolved.getPort() == h.gatewayPort && resolved.getRawUserInfo() == null;
  }

  /** A fresh copy of the logged-in session under a new id (cheap: no OP round trip per line). */
  private static String newSession() {
    String id = SessionIds.newId();
    Session s = new Session(id, template.createdAt(), template.lastSeenAt(), template.subject(), template.opSessionId(),
        template.issuer(), template.tokens(), template.idTokenClaims(), template.userinfo(), 0);
    GatewayHarness.await(h.gateway.services().updates().create(s));
    return id;
  }

  @Test
  void noCorpusLineAsRdOnSignOutLeadsOffOrigin() throws IOException {
    List<String> lines = OpenRedirectCorpusTest.corpus();
    String endSession = h.gateway.services().provider().metadata().endSessionEndpoint().orElseThrow();
    Pattern hiddenRd = Pattern.compile("name=\"rd\" value=\"([^\"]*)\"");
    GatewayHarness.Browser b = h.browser();
    for (String line : lines) {
      String rd = "/oauth2/sign_out?rd=" + URLEncoder.encode(line, StandardCharsets.UTF_8);

      HttpResponse<String> none = b.get(rd, "Sec-Fetch-Site", "same-origin");
      assertThat(none.statusCode()).as(line).isEqualTo(302);
      String loc = none.headers().firstValue("Location").orElseThrow();
      assertThat(sameOrigin(loc)).as(line + " → " + loc).isTrue();
      assertThat(loc).as(line).startsWith("/").doesNotStartWith("//").doesNotStartWith("/\\");

      HttpResponse<String> page = b.get(rd, "Cookie", "_hourglass_session=" + newSession(), "Origin", "https://evil.example");
      assertThat(page.statusCode()).as(line).isEqualTo(200);
      Matcher m = hiddenRd.matcher(page.body());
      assertThat(m.find()).as(line).isTrue();
      String carried = m.group(1).replace("&amp;", "&").replace("&quot;", "\"").replace("&#39;", "'")
          .replace("&lt;", "<").replace("&gt;", ">");
      assertThat(carried).as(line).startsWith("/").doesNotStartWith("//").doesNotStartWith("/\\");
      assertThat(sameOrigin(carried)).as(line + " → " + carried).isTrue();

      HttpResponse<String> out = b.get(rd, "Cookie", "_hourglass_session=" + newSession(), "Sec-Fetch-Site", "same-origin");
      assertThat(out.statusCode()).as(line).isEqualTo(302);
      String op = out.headers().firstValue("Location").orElseThrow();
      assertThat(op).as(line).startsWith(endSession + "?");
      Map<String, String> q = LogoutEndToEndTest.query(URI.create(op));
      assertThat(q.get("post_logout_redirect_uri")).as(line).isEqualTo(h.publicUrl + "/");
      assertThat(sameOrigin(q.get("post_logout_redirect_uri"))).isTrue();
      h.gateway.events().clear();
    }
  }
}
