package dev.hourglass.gateway;

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

class GatewayConfigTest {
  static final String ISSUE_EXAMPLE = """
      listen: 127.0.0.1:8080
      public-url: http://127.0.0.1:8080        # used for redirect_uri = <public-url>/oauth2/callback
      upstream: http://127.0.0.1:9000
      provider:
        issuer: http://127.0.0.1:9090          # discovery; issuer must match exactly
        client-id: gateway
        client-secret: ${GATEWAY_CLIENT_SECRET}
        scopes: [openid, profile, email, offline_access]
      session:
        store: memory                          # memory | file (survives restart) ; redis comes later
        secret: ${HOURGLASS_SECRET}            # any string of >= 32 characters; keys are derived from it
        idle-timeout: 30m                      # 0 disables
        max-lifetime: 8h
        refresh-before-expiry: 60s
      logout:
        post-logout-redirect: /
      identity:
        user-claim: sub                        # which claim becomes X-Forwarded-User (like OIDCRemoteUserClaim)
      clock-skew: 60s
      clock: system                            # system | virtual (dev only: see below)
      """;
  static final Map<String, String> ENV = Map.of("GATEWAY_CLIENT_SECRET", "s3cret",
      "HOURGLASS_SECRET", "0123456789abcdef0123456789abcdef");

  @TempDir
  Path dir;

  private GatewayConfig load(String yaml) throws Exception {
    Path f = dir.resolve("gateway.yaml");
    Files.writeString(f, yaml);
    return GatewayConfig.load(f, ENV);
  }

  private ConfigException error(String yaml) {
    Path f = dir.resolve("gateway.yaml");
    try {
      Files.writeString(f, yaml);
    } catch (java.io.IOException e) {
      throw new RuntimeException(e);
    }
    try {
      GatewayConfig.load(f, ENV);
    } catch (ConfigException e) {
      assertThat(e.file()).endsWith("gateway.yaml");
      assertThat(e.getMessage()).contains("gateway.yaml");
      return e;
    }
    throw new AssertionError("no ConfigException for:\n" + yaml);
  }

  @Test
  void theIssueExampleLoadsWithEnvironmentSubstitution() throws Exception {
    GatewayConfig c = load(ISSUE_EXAMPLE);
    assertThat(c.listenPort()).isEqualTo(8080);
    assertThat(c.redirectUri()).isEqualTo("http://127.0.0.1:8080/oauth2/callback");
    assertThat(c.provider().clientSecret()).isEqualTo("s3cret");
    assertThat(c.provider().scopes()).containsExactly("openid", "profile", "email", "offline_access");
    assertThat(c.provider().alg()).containsExactly("RS256");
    assertThat(c.session().idleTimeout()).isEqualTo(Duration.ofMinutes(30));
    assertThat(c.session().maxLifetime()).isEqualTo(Duration.ofHours(8));
    assertThat(c.session().refreshBeforeExpiry()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.session().cookieName()).isEqualTo("_hourglass_session");
    assertThat(c.identity().userClaim()).isEqualTo("sub");
    assertThat(c.clockSkew()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.toString()).doesNotContain("s3cret", "0123456789abcdef0123456789abcdef");
  }

  @Test
  void rulesAndIdentityExtrasBind() throws Exception {
    GatewayConfig c = load((ISSUE_EXAMPLE + """
        rules:
          - path: /health
            public: true
          - path: /api/
            api: true
          - path: /admin/**
            require:
              - claim: groups
                contains: admins
              - claim: realm_access.roles
                one-of: [boss, chief]
        trusted-proxies: [10.0.0.0/8]
        redirect:
          allowed-origins: [https://app.example.com]
        """).replace("identity:\n  user-claim: sub", "identity:\n  user-claim: email\n  pass-access-token: true\n  headers:\n    X-Dept: org.dept"));
    assertThat(c.rules()).hasSize(3);
    assertThat(c.rules().get(0).isPublic()).isTrue();
    assertThat(c.rules().get(2).require().get(1).oneOf()).containsExactly("boss", "chief");
    assertThat(c.identity().headers()).containsEntry("X-Dept", "org.dept");
    assertThat(c.identity().passAccessToken()).isTrue();
    assertThat(c.trustedProxies()).containsExactly("10.0.0.0/8");
  }

  @Test
  void unknownKeyNamesFileAndKey() {
    ConfigException e = error(ISSUE_EXAMPLE.replace("max-lifetime: 8h", "max-lifetime: 8h\n  idle-timout: 5m"));
    assertThat(e.key()).isEqualTo("session.idle-timout");
    assertThat(e.reason()).contains("unknown key");
  }

  @Test
  void badDurationNamesFileAndKey() {
    ConfigException e = error(ISSUE_EXAMPLE.replace("idle-timeout: 30m", "idle-timeout: 30 minutes"));
    assertThat(e.key()).isEqualTo("session.idle-timeout");
    assertThat(e.line()).isEqualTo(12);
  }

  @Test
  void shortSecretNamesFileAndKey() {
    ConfigException e = error(ISSUE_EXAMPLE.replace("${HOURGLASS_SECRET}", "too-short"));
    assertThat(e.key()).isEqualTo("session.secret");
    assertThat(e.reason()).contains("32");
    assertThat(e.getMessage()).doesNotContain("too-short");
  }

  @Test
  void crossFieldAndValueErrorsNameTheirKey() {
    List<String[]> cases = List.of(
        new String[] {ISSUE_EXAMPLE.replace("store: memory", "store: redis"), "session.store", "comes later"},
        new String[] {ISSUE_EXAMPLE.replace("store: memory", "store: mongo"), "session.store", "memory or file"},
        new String[] {ISSUE_EXAMPLE.replace("upstream: http://127.0.0.1:9000", "upstream: ftp://x"), "upstream", "http"},
        new String[] {ISSUE_EXAMPLE.replace("issuer: http://127.0.0.1:9090", "issuer: not a url"), "provider.issuer", ""},
        new String[] {ISSUE_EXAMPLE.replace("clock: system", "clock: sundial"), "clock", "system or virtual"},
        new String[] {ISSUE_EXAMPLE.replace("idle-timeout: 30m", "idle-timeout: 9h"), "session.idle-timeout", "max-lifetime"},
        new String[] {ISSUE_EXAMPLE.replace("clock-skew: 60s", "clock-skew: 1h"), "clock-skew", "10m"},
        new String[] {ISSUE_EXAMPLE.replace("scopes: [openid, profile, email, offline_access]", "scopes: [profile]"), "provider.scopes", "openid"},
        new String[] {ISSUE_EXAMPLE.replace("client-id: gateway", "client-id: gateway\n  alg: [HS256]"), "provider.alg", "never none"},
        new String[] {ISSUE_EXAMPLE.replace("listen: 127.0.0.1:8080", "listen: 127.0.0.1:99999"), "listen", "port"},
        new String[] {ISSUE_EXAMPLE.replace("post-logout-redirect: /", "post-logout-redirect: https://evil.example/"), "logout.post-logout-redirect", "same-origin"});
    for (String[] c : cases) {
      ConfigException e = error(c[0]);
      assertThat(e.key()).as(c[1]).isEqualTo(c[1]);
      assertThat(e.reason()).as(c[1]).contains(c[2]);
    }
  }

  @Test
  void missingRequiredSectionsAreNamed() {
    ConfigException e = error("public-url: http://127.0.0.1:8080\nupstream: http://127.0.0.1:9000\n");
    assertThat(e.key()).isEqualTo("provider.issuer");
  }
}
