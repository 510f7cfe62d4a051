package dev.hourglass.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpConfigTest {
  @TempDir
  Path dir;

  static final String ISSUE_EXAMPLE = """
      issuer: http://127.0.0.1:9090
      port: 9090
      clock: virtual                      # virtual | system
      auto-login: true
      signing-alg: RS256                  # RS256 | ES256
      tokens:
        code-ttl: 1m
        access-ttl: 1h
        id-ttl: 1h
        refresh-ttl: 8h                   # absolute lifetime of a refresh-token family
        session-ttl: 10h                  # OP login session
        refresh-rotation: true
        reuse-detection: revoke-family    # off | invalid-grant | revoke-family
        refresh-returns-id-token: true
      logout:
        expired-hint: accept              # accept | reject
      clients:
        - client-id: gateway
          client-secret: gateway-secret   # omit for a public client (PKCE required)
          redirect-uris: [http://127.0.0.1:8080/oauth2/callback]
          post-logout-redirect-uris: [http://127.0.0.1:8080/]
          backchannel-logout-uri: http://127.0.0.1:8080/oauth2/backchannel-logout
          tokens: { access-ttl: 5m }      # per-client overrides of any tokens.* key
      users:
        - username: alice
          claims: { sub: alice, name: Alice, email: alice@example.test, groups: [admins] }
      """;

  private Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void theIssueExampleLoads() throws Exception {
    OpConfig c = OpConfig.load(write("op.yaml", ISSUE_EXAMPLE), Map.of());
    assertThat(c.issuer()).isEqualTo("http://127.0.0.1:9090");
    assertThat(c.port()).isEqualTo(9090);
    assertThat(c.autoLogin()).isTrue();
    assertThat(c.tokens().codeTtl()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.tokens().refreshTtl()).isEqualTo(Duration.ofHours(8));
    assertThat(c.tokens().reuseMode()).isEqualTo(ReuseDetection.REVOKE_FAMILY);
    assertThat(c.logout().expiredHintPolicy()).isEqualTo(ExpiredHintPolicy.ACCEPT);
    OpConfig.Client gw = c.client("gateway").orElseThrow();
    assertThat(gw.isPublic()).isFalse();
    assertThat(gw.effectiveTokens(c.tokens()).accessTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(gw.effectiveTokens(c.tokens()).idTtl()).isEqualTo(Duration.ofHours(1));
    assertThat(c.user("alice").orElseThrow().effectiveClaims()).containsEntry("groups", List.of("admins"))
        .containsEntry("name", "Alice");
  }

  @Test
  void anEmptyFileIsAWorkingDefault() throws Exception {
    OpConfig c = OpConfig.load(write("empty.yaml", ""), Map.of());
    assertThat(c.tokens()).isEqualTo(OpConfig.Tokens.defaults());
    assertThat(c.tokens().accessTtl()).isEqualTo(Duration.ofHours(1));
    assertThat(c.tokens().sessionTtl()).isEqualTo(Duration.ofHours(10));
    assertThat(c.signingAlg()).isEqualTo("RS256");
    assertThat(c.issuer()).isNull();
    assertThat(c.tokens().accessTokenFormat()).isEqualTo("jwt");
    assertThat(c.eventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void accessTokenFormatAndEventLoopsParsePerClientAndTopLevel() throws Exception {
    OpConfig c = OpConfig.load(write("opaque.yaml", "event-loops: 3\nclients:\n  - client-id: a\n    client-secret: s\n"
        + "    tokens: { access-token-format: OPAQUE }\n  - client-id: b\n    client-secret: s\n"), Map.of());
    assertThat(c.eventLoops()).isEqualTo(3);
    assertThat(c.client("a").orElseThrow().effectiveTokens(c.tokens()).opaqueAccessTokens()).isTrue();
    assertThat(c.client("b").orElseThrow().effectiveTokens(c.tokens()).opaqueAccessTokens()).isFalse();
    assertThat(c.withClient(OpConfig.Client.confidential("x", "y", "http://127.0.0.1/cb")).eventLoops()).isEqualTo(3);
  }

  @Test
  void environmentVariablesAreSubstituted() throws Exception {
    OpConfig c = OpConfig.load(write("env.yaml", "clients:\n  - client-id: x\n    client-secret: ${SECRET}\n"),
        Map.of("SECRET", "from-env"));
    assertThat(c.client("x").orElseThrow().clientSecret()).isEqualTo("from-env");
  }

  private ConfigException error(String yaml) throws Exception {
    Path p = write("bad.yaml", yaml);
    try {
      OpConfig.load(p, Map.of());
    } catch (ConfigException e) {
      assertThat(e.file()).isEqualTo(p.toString());
      assertThat(e.getMessage()).startsWith(p.toString());
      return e;
    }
    throw new AssertionError("no ConfigException for " + yaml);
  }

  @Test
  void badConfigNamesFileAndKey() throws Exception {
    assertThat(error("tokens:\n  access-ttl: soon\n").key()).isEqualTo("tokens.access-ttl");
    assertThat(error("tokens:\n  reuse-detection: sometimes\n").key()).isEqualTo("tokens.reuse-detection");
    assertThat(error("logout:\n  expired-hint: maybe\n").key()).isEqualTo("logout.expired-hint");
    assertThat(error("signing-alg: HS256\n").key()).isEqualTo("signing-alg");
    assertThat(error("clock: sundial\n").key()).isEqualTo("clock");
    assertThat(error("issuer: not a url\n").key()).isEqualTo("issuer");
    assertThat(error("port: 70000\n").key()).isEqualTo("port");
    assertThat(error("event-loops: 0\n").key()).isEqualTo("event-loops");
    assertThat(error("event-loops: many\n").key()).isEqualTo("event-loops");
    assertThat(error("tokens:\n  access-token-format: paseto\n").key()).isEqualTo("tokens.access-token-format");
    assertThat(error("clients:\n  - client-id: a\n    tokens: { access-token-format: jwe }\n").key())
        .isEqualTo("clients[0].tokens.access-token-format");
    assertThat(error("colour: red\n").key()).isEqualTo("colour");
    assertThat(error("clients:\n  - client-secret: x\n").key()).isEqualTo("clients[0].client-id");
    assertThat(error("clients:\n  - client-id: a\n    redirect-uris: [relative/path]\n").key())
        .isEqualTo("clients[0].redirect-uris[0]");
    assertThat(error("clients:\n  - client-id: a\n    tokens: { access-ttl: 0 }\n").key())
        .isEqualTo("clients[0].tokens.access-ttl");
    assertThat(error("clients:\n  - client-id: a\n  - client-id: a\n").key()).isEqualTo("clients[1].client-id");
    assertThat(error("users:\n  - claims: {}\n").key()).isEqualTo("users[0].username");
    ConfigException e = error("tokens:\n  access-tl: 5m\n");
    assertThat(e.key()).isEqualTo("tokens.access-tl");
    assertThat(e.reason()).contains("access-ttl");
  }

  @Test
  void missingFileIsAConfigException() {
    assertThatThrownBy(() -> OpConfig.load(dir.resolve("nope.yaml"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("nope.yaml").hasMessageContaining("not found");
  }

  @Test
  void demoHasTheGatewayTheSpaAndThreeUsers() {
    OpConfig d = OpConfig.demo();
    OpConfig.Client gw = d.client("gateway").orElseThrow();
    assertThat(gw.clientSecret()).isEqualTo("gateway-secret");
    assertThat(gw.redirectUris()).containsExactly("http://127.0.0.1:8080/oauth2/callback");
    assertThat(gw.postLogoutRedirectUris()).containsExactly("http://127.0.0.1:8080/");
    assertThat(gw.backchannelLogoutUri()).isEqualTo("http://127.0.0.1:8080/oauth2/backchannel-logout");
    assertThat(d.client("demo-spa").orElseThrow().isPublic()).isTrue();
    assertThat(d.users()).extracting(OpConfig.User::username).containsExactly("alice", "bob", "carol");
    assertThat(d.user("alice").orElseThrow().effectiveClaims().get("groups")).isEqualTo(List.of("admins"));
    assertThat(d.user("bob").orElseThrow().effectiveClaims().get("groups")).isEqualTo(List.of("users"));
  }

  @Test
  void withCopiesChangeOneThing() {
    OpConfig c = OpConfig.demo().withPort(0).withIssuer("http://localhost:1234/").withAccessTtl(Duration.ofSeconds(20))
        .withIdTtl(Duration.ofSeconds(30)).withRefreshTtl(Duration.ofMinutes(10)).withExpiredHint(ExpiredHintPolicy.REJECT)
        .withRefreshReturnsIdToken(false).withAutoLogin(false).withClock("system");
    assertThat(c.port()).isZero();
    assertThat(c.issuer()).isEqualTo("http://localhost:1234");
    assertThat(c.tokens().accessTtl()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.tokens().idTtl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.tokens().refreshTtl()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.tokens().sessionTtl()).isEqualTo(Duration.ofHours(10));
    assertThat(c.logout().expiredHintPolicy()).isEqualTo(ExpiredHintPolicy.REJECT);
    assertThat(c.tokens().refreshReturnsIdToken()).isFalse();
    assertThat(c.autoLogin()).isFalse();
    assertThat(c.clock()).isEqualTo("system");
    assertThat(c.clients()).hasSize(2);
  }

  @Test
  void registeredClientsParseFromJson() {
    OpConfig.Client c = OpConfig.parseClient("t", "{\"client-id\":\"rp\",\"redirect-uris\":[\"http://127.0.0.1:1/cb\"],"
        + "\"refresh-returns-id-token\":false}");
    assertThat(c.isPublic()).isTrue();
    assertThat(c.effectiveTokens(OpConfig.Tokens.defaults()).refreshReturnsIdToken()).isFalse();
  }

  @Test
  void summaryListsIssuerClientsAndUsers() {
    String s = OpConfig.demo().summary("http://127.0.0.1:9090");
    assertThat(s).contains("issuer   http://127.0.0.1:9090")
        .contains("client   gateway / gateway-secret  redirect http://127.0.0.1:8080/oauth2/callback")
        .contains("client   demo-spa (public, PKCE)")
        .contains("user     alice").contains("user     carol");
  }
}
