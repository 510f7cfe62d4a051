package dev.hourglass.gateway.redirect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedirectValidatorTest {
  static final URI BASE = URI.create("http://127.0.0.1:8080/");
  static final String ALLOWED = "https://www.whitelisteddomain.tld";

  final RedirectValidator sameOrigin = new RedirectValidator();
  final RedirectValidator withAllowList = new RedirectValidator(List.of(ALLOWED, "http://127.0.0.1:3000"));

  // ---- the corpora -------------------------------------------------------------------------

  @Test
  void everyCorpusLineIsRefusedOrStaysOnTheGatewayOrigin() throws IOException {
    List<String> lines = corpus();
    assertThat(lines).hasSizeGreaterThan(1300);
    int accepted = 0;
    for (String line : lines) {
      // As given, and as a single extra encoding layer (an rd that arrived double-encoded).
      for (String target : List.of(line, line.replace("%", "%25"))) {
        RedirectValidator.Decision d = sameOrigin.check(target);
        assertThat(d.reason()).as(target).isNotNull();
        if (d.accepted()) {
          accepted++;
          assertStaysOn(d.target().get(), "127.0.0.1:8080", target);
        } else {
          assertThat(d.reason()).startsWith("REDIRECT_REFUSED:");
        }
        // With an allow-list, absolute targets may go to the allow-listed origin and nowhere else.
        Optional<String> t = withAllowList.safeTarget(target);
        t.ifPresent(location -> assertStaysOnOneOf(location, target, "127.0.0.1:8080", "www.whitelisteddomain.tld:443", "127.0.0.1:3000"));
      }
    }
    // The corpus is almost all attacks; a handful of harmless paths may pass.
    assertThat(accepted).isLessThan(lines.size() / 10);
  }

  @Test
  void theCorpusReallyAttacks_passingItThroughUncheckedWouldLeaveTheOrigin() throws IOException {
    long offOrigin = corpus().stream().filter(l -> !browserHostPort(l).equals("127.0.0.1:8080")).count();
    assertThat(offOrigin).as("lines a browser would take off-origin if sent as Location unchanged").isGreaterThan(500);
  }

  @Test
  void kanaRepeatMarksFromThePayloadListsAreRefusedAsLookalikes() {
    for (String t : List.of("/\u3031google.com", "/\u3035google.com", "/\u309Dgoogle.com", "/\u30FCgoogle.com", "/\uFF70google.com")) {
      assertThat(sameOrigin.check(t).reason()).as(t).isEqualTo("REDIRECT_REFUSED:lookalike");
    }
  }

  static List<String> corpus() throws IOException {
    Path dir = corpusDir();
    List<String> out = new ArrayList<>();
    for (String name : List.of("open-redirects.mod_auth_openidc.txt", "open-redirects.oauth2-proxy.txt")) {
      Path f = dir.resolve(name);
      if (!Files.isRegularFile(f)) {
        fail("redirect corpus missing: " + f + " (expected <repo>/../shared/corpus)");
      }
      // Lines split on \n only: a line may itself contain a raw tab or CR on purpose.
      String text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
      for (String line : text.split("\n", -1)) {
        out.add(line);
      }
    }
    return out;
  }

  /** {@code <repo>/../shared/corpus}, the repo root being the nearest ancestor with .git or the parent pom. */
  static Path corpusDir() throws IOException {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.exists(p.resolve(".git")) || isParentPom(p.resolve("pom.xml"))) {
        return p.resolve("../shared/corpus").normalize();
      }
    }
    fail("cannot find the repository root above " + dir);
    return null;
  }

  private static boolean isParentPom(Path pom) throws IOException {
    return Files.isRegularFile(pom) && Files.readString(pom).contains("<artifactId>hourglass-parent</artifactId>")
        && Files.readString(pom).contains("<modules>");
  }

  // ---- the oracle: how Java and a browser would resolve the Location ----------------------

  static void assertStaysOn(String location, String hostPort, String input) {
    assertStaysOnOneOf(location, input, hostPort);
  }

  static void assertStaysOnOneOf(String location, String input, String... hostPorts) {
    List<String> allowed = List.of(hostPorts);
    URI resolved;
    try {
      resolved = BASE.resolve(new URI(location));
    } catch (Exception e) {
      throw new AssertionError("accepted target is not a valid URI reference: " + location + " (input " + input + ")", e);
    }
    assertThat(hostPort(resolved)).as("java.net.URI of %s (input %s)", location, input).isIn(allowed);
    assertThat(browserHostPort(location)).as("browser reading of %s (input %s)", location, input).isIn(allowed);
  }

  private static String hostPort(URI u) {
    int port = u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    return String.valueOf(u.getHost()).toLowerCase(Locale.ROOT) + ":" + port;
  }

  /** A WHATWG-like reading: strip C0/space at the ends, drop tab/CR/LF, \ is /, then find the authority. */
  static String browserHostPort(String location) {
    String s = location.replaceAll("^[\\x00-\\x20]+|[\\x00-\\x20]+$", "").replaceAll("[\\t\\r\\n]", "").replace('\\', '/');
    String scheme = null;
    var m = java.util.regex.Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):").matcher(s);
    if (m.find()) {
      scheme = m.group(1).toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        return "scheme:" + scheme; // javascript:, data: … are never acceptable
      }
      s = s.substring(m.end());
      s = "//" + s.replaceAll("^/+", "");
    }
    if (!s.startsWith("//")) {
      return "127.0.0.1:8080"; // path-relative: same origin
    }
    String rest = s.replaceAll("^/+", "");
    int end = rest.length();
    for (int i = 0; i < rest.length(); i++) {
      if ("/?#".indexOf(rest.charAt(i)) >= 0) {
        end = i;
        break;
      }
    }
    String authority = rest.substring(0, end);
    authority = authority.substring(authority.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    if (!authority.contains(":") || authority.endsWith("]")) {
      authority = authority + ":" + ("https".equals(scheme) ? 443 : 80);
    }
    return authority;
  }

  @Test
  void theOracleItselfSeesTheClassicTricks() {
    assertThat(browserHostPort("/\\evil.com")).isEqualTo("evil.com:80");
    assertThat(browserHostPort("/\t/evil.com")).isEqualTo("evil.com:80");
    assertThat(browserHostPort("https:evil.com")).isEqualTo("evil.com:443");
    assertThat(browserHostPort("//a@evil.com/x")).isEqualTo("evil.com:80");
    assertThat(browserHostPort("/ok/path")).isEqualTo("127.0.0.1:8080");
  }

  // ---- valid targets -----------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"/", "/app?x=1#y", "/a/b%20c", "/app/page?next=https://example.com/x", "/a-b_c.d~e/f;g=h",
      "/search?q=a%2Fb", "/x?y=%C3%A9", "/?", "/#frag", "/a/b/"})
  void sameOriginPathsAreAcceptedUnchanged(String target) {
    RedirectValidator.Decision d = sameOrigin.check(target);
    assertThat(d.target()).contains(target);
    assertThat(d.reason()).isEqualTo("REDIRECT_OK");
  }

  @Test
  void harmlessCharactersABrowserWouldEncodeAreEncoded() {
    assertThat(sameOrigin.safeTarget("/a b")).contains("/a%20b");
    assertThat(sameOrigin.safeTarget("/café")).contains("/caf%C3%A9");
    assertThat(sameOrigin.safeTarget("/x?a={1}|<b>")).contains("/x?a=%7B1%7D%7C%3Cb%3E");
    assertThat(sameOrigin.safeTarget("/x#a#b")).contains("/x#a%23b");
  }

  @Test
  void allowListedAbsoluteOriginsAreAcceptedAndNormalised() {
    assertThat(withAllowList.safeTarget("https://www.whitelisteddomain.tld/after?x=1")).contains("https://www.whitelisteddomain.tld/after?x=1");
    assertThat(withAllowList.safeTarget("HTTPS://WWW.Whitelisteddomain.TLD:443")).contains("https://www.whitelisteddomain.tld/");
    assertThat(withAllowList.safeTarget("http://127.0.0.1:3000?x")).contains("http://127.0.0.1:3000/?x");
    assertThat(withAllowList.allowedOrigins()).containsExactlyInAnyOrder(ALLOWED, "http://127.0.0.1:3000");
  }

  @Test
  void ipv6AllowListedOriginWorksAndBracketsInPathsAreEncoded() {
    RedirectValidator v6 = new RedirectValidator(List.of("http://[::1]:3000"));
    assertThat(v6.safeTarget("http://[::1]:3000/x?a[]=1")).contains("http://[::1]:3000/x?a%5B%5D=1");
    assertThat(v6.check("http://[::2]:3000/").reason()).isEqualTo("REDIRECT_REFUSED:origin");
    assertThat(sameOrigin.safeTarget("/x?a[0]=1")).contains("/x?a%5B0%5D=1");
  }

  // ---- refusals with their reasons ---------------------------------------------------------

  @ParameterizedTest(name = "{0} -> {1}")
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
      "//evil.com|protocol_relative",
      "///evil.com|protocol_relative",
      "/%2f%2fevil.com|protocol_relative",
      "/%2F%2Fevil.com|protocol_relative",
      "/%252f%252fevil.com|protocol_relative",
      "/%25252f%25252fevil.com|protocol_relative",
      "/%2525252525252f|encoding",
      "/a//evil.com|double_slash",
      "/\\evil.com|backslash",
      "/%5cevil.com|backslash",
      "/%255cevil.com|backslash",
      "/%09/evil.com|control_char",
      "/%0d%0aSet-Cookie:x=1|control_char",
      "/%00|control_char",
      "/%7f|control_char",
      "/%c2%85|control_char",
      "https://evil.com|origin",
      "http://evil.com/|origin",
      "javascript:alert(1)|scheme",
      "JaVaScRiPt:alert(1)|scheme",
      "data:text/html,x|scheme",
      "http:evil.com|scheme",
      "/javascript:alert(1)|scheme",
      "/%6a%61%76%61%73%63%72%69%70%74%3aalert(1)|scheme",
      "/https://evil.com|double_slash",
      "/@evil.com|userinfo",
      "/x@evil.com/y|userinfo",
      "/../evil|dot_segment",
      "/a/%2e%2e/%2e%2e/b|dot_segment",
      "/a/./b|dot_segment",
      "evil.com|not_path",
      ".evil.com|not_path",
      "?x=1|not_path",
      "#x|not_path",
      "%2f%2fevil.com|not_path",
      "/%zz|encoding",
      "/%|encoding",
      "/%4|encoding",
      "/%c0%af%c0%afevil.com|lookalike",
      "/%EF%BC%8F%EF%BC%8Fevil.com|lookalike",
      "/%E2%88%95%E2%88%95evil.com|lookalike",
      "/%E3%80%82evil|lookalike",
  })
  void attacksAreRefusedWithAReason(String target, String reason) {
    RedirectValidator.Decision d = sameOrigin.check(target);
    assertThat(d.target()).as(target).isEmpty();
    assertThat(d.reason()).isEqualTo("REDIRECT_REFUSED:" + reason);
    assertThat(d.targetOr("/")).isEqualTo("/");
  }

  @Test
  void rawControlCharactersAndWhitespaceTricksAreRefused() {
    for (String t : List.of("/\t/evil.com", "/\n/evil.com", "/\r/evil.com", "\t//evil.com", "/\u0000", "/a\u007f",
        " //evil.com", "/\u0085", "/\u001b[31m")) {
      assertThat(sameOrigin.check(t).reason()).as(t).isIn("REDIRECT_REFUSED:control_char", "REDIRECT_REFUSED:not_path");
    }
  }

  @Test
  void unicodeLookalikesOfSlashesDotsAndAtAreRefused() {
    for (String t : List.of("/\u2215\u2215evil.com", "/\uFF0F\uFF0Fevil.com", "/\uFF3Cevil.com", "/evil\u3002com",
        "/evil\uFF0Ecom", "/evil\uFF61com", "/\u2044\u2044evil.com", "/x\uFF20evil.com", "/\uFE68evil", "/a\u200Bb",
        "/a\u202Eb", "/a\uFEFFb", "/a\u00ADb", "/a\u2028b", "/a\u3000b", "\uFF0F\uFF0Fevil.com", "/\u2024\u2024/x")) {
      RedirectValidator.Decision d = sameOrigin.check(t);
      assertThat(d.target()).as(t).isEmpty();
      assertThat(d.reason()).as(t).isIn("REDIRECT_REFUSED:lookalike", "REDIRECT_REFUSED:control_char");
    }
  }

  @Test
  void userinfoTricksOnAbsoluteUrlsAreRefusedEvenForTheAllowListedHost() {
    assertThat(withAllowList.check("https://www.whitelisteddomain.tld@evil.com/").reason()).isEqualTo("REDIRECT_REFUSED:userinfo");
    assertThat(withAllowList.check("https://evil.com@www.whitelisteddomain.tld/").reason()).isEqualTo("REDIRECT_REFUSED:userinfo");
    assertThat(withAllowList.check("https://www.whitelisteddomain.tld%40evil.com/").reason()).isEqualTo("REDIRECT_REFUSED:userinfo");
    assertThat(withAllowList.check("https://www.whitelisteddomain.tld.evil.com/").reason()).isEqualTo("REDIRECT_REFUSED:origin");
    assertThat(withAllowList.check("https://www.whitelisteddomain.tld./").reason()).isEqualTo("REDIRECT_REFUSED:origin");
    assertThat(withAllowList.check("http://www.whitelisteddomain.tld/").reason()).isEqualTo("REDIRECT_REFUSED:origin");
    assertThat(withAllowList.check("https://www.whitelisteddomain.tld:8443/").reason()).isEqualTo("REDIRECT_REFUSED:origin");
    assertThat(withAllowList.check("https://www.whitelisteddomain.tld\\@evil.com").reason()).isEqualTo("REDIRECT_REFUSED:backslash");
    assertThat(withAllowList.check("https:\\\\www.whitelisteddomain.tld").reason()).isEqualTo("REDIRECT_REFUSED:backslash");
    assertThat(withAllowList.check("https://www.whitelisteddomain.tld//evil.com").reason()).isEqualTo("REDIRECT_REFUSED:protocol_relative");
    assertThat(sameOrigin.check("https://www.whitelisteddomain.tld/").reason()).isEqualTo("REDIRECT_REFUSED:origin");
  }

  @Test
  void longTargetsAreRefusedAtTheCap() {
    String ok = "/" + "a".repeat(RedirectValidator.MAX_LENGTH - 1);
    assertThat(sameOrigin.safeTarget(ok)).contains(ok);
    assertThat(sameOrigin.check(ok + "a").reason()).isEqualTo("REDIRECT_REFUSED:too_long");
    assertThat(sameOrigin.check("/" + "%41".repeat(100_000)).reason()).isEqualTo("REDIRECT_REFUSED:too_long");
    // Encoding that grows past the cap is refused too.
    assertThat(sameOrigin.check("/" + "é".repeat(1000)).reason()).isEqualTo("REDIRECT_REFUSED:too_long");
  }

  @Test
  void emptyAndNullAreRefused() {
    assertThat(sameOrigin.check(null).reason()).isEqualTo("REDIRECT_REFUSED:empty");
    assertThat(sameOrigin.check("").reason()).isEqualTo("REDIRECT_REFUSED:empty");
  }

  @Test
  void badAllowListEntriesFailFastNamingTheKey() {
    for (String bad : List.of("evil.com", "ftp://x.com", "https://x.com/path", "https://u@x.com", "https://", "https://x.com:99999",
        "https://x.com?q", "https://x .com")) {
      assertThatThrownBy(() -> new RedirectValidator(List.of(bad))).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("allowed-redirect-origins:");
    }
  }

  // ---- property test -----------------------------------------------------------------------

  @Test
  void randomInputsNeverThrowAndNeverLeaveTheOrigin() {
    Random random = new Random(20261126L);
    String alphabet = "/\\%.:@?#&=;, \t\r\nabcABC019-_~!$'()*+\u0000\u007f\u2215\uFF0F\u3002\uFF0E\u00e9";
    String[] pieces = {"//", "/\\", "%2f", "%2F", "%5c", "%25", "%09", "%0a", "%00", "%2e", "..", "http:", "https://", "javascript:",
        "@", "evil.com", "127.0.0.1:8080", "www.whitelisteddomain.tld", "%E2%88%95", "%EF%BC%8F", "%c0%af", "\\\\"};
    int accepted = 0;
    for (int i = 0; i < 20_000; i++) {
      StringBuilder sb = new StringBuilder();
      if (random.nextBoolean()) {
        sb.append('/');
      }
      int n = random.nextInt(12);
      for (int j = 0; j < n; j++) {
        if (random.nextInt(3) == 0) {
          sb.append(pieces[random.nextInt(pieces.length)]);
        } else {
          sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      String input = sb.toString();
      RedirectValidator.Decision d = withAllowList.check(input);
      assertThat(d.reason()).isNotNull();
      if (d.accepted()) {
        accepted++;
        assertStaysOnOneOf(d.target().get(), input, "127.0.0.1:8080", "www.whitelisteddomain.tld:443", "127.0.0.1:3000");
        // Idempotent: a safe target stays safe and unchanged when checked again.
        assertThat(withAllowList.safeTarget(d.target().get())).as(input).contains(d.target().get());
      }
    }
    assertThat(accepted).as("the generator must also produce acceptable targets").isGreaterThan(100);
  }
}
