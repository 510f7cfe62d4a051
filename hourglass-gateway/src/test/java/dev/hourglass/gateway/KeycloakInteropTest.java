package dev.hourglass.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.clock.ControllableClock;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The gateway against Keycloak 26 from ../shared/peers: login through the Keycloak login form,
 * identity headers, refresh (a renewed ID token from Keycloak passes Core 12.2). Keycloak runs on
 * its own ports and a private copy of its home directory, so it never disturbs another Keycloak.
 */
@Tag("interop")
class KeycloakInteropTest {
  static Path peers;
  static Path run;
  static Path kcHome;
  static int port;
  static int mgmtPort;
  static GatewayHarness h;

  @BeforeAll
  static void startKeycloak() throws Exception {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("hourglass-core"))) dir = dir.getParent();
    peers = dir.resolveSibling("shared").resolve("peers");
    assertThat(peers.resolve("keycloak/start.sh")).as("../shared/peers is required for interop tests").exists();
    run = Files.createTempDirectory("hourglass-gw-kc-run");
    // A private Keycloak home (start-dev writes into it), copied once from the shared install.
    kcHome = Path.of(System.getProperty("java.io.tmpdir"), "hourglass-gw-keycloak-home");
    port = GatewayHarness.freePort();
    mgmtPort = GatewayHarness.freePort();
    h = new GatewayHarness(ControllableClock.startingNow());
    Process p = env(new ProcessBuilder("bash", "-c",
        "set -e; . \"$PEERS/lib.sh\"; if [ ! -x \"$KC_HOME/bin/kc.sh\" ]; then \"$PEERS/keycloak/install.sh\" >&2; "
            + "cp -r \"$PEERS_WORK/keycloak-26.5.6\" \"$KC_HOME\"; fi; exec \"$PEERS/keycloak/start.sh\""))
        .redirectError(run.resolve("start.err").toFile())
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(400, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(run.resolve("start.err"))).isZero();
    assertThat(out).endsWith("/realms/hourglass");
  }

  static ProcessBuilder env(ProcessBuilder b) {
    Map<String, String> e = b.environment();
    e.put("PEERS", peers.toString());
    e.put("PORT", String.valueOf(port));
    e.put("KC_MGMT_PORT", String.valueOf(mgmtPort));
    e.put("KC_HOME", kcHome.toString());
    e.put("PEERS_RUN", run.toString());
    e.put("REDIRECT_URIS", h.publicUrl + "/oauth2/callback");
    e.put("POST_LOGOUT_REDIRECT_URIS", h.publicUrl + "/");
    e.put("ACCESS_TTL", "60");
    e.put("REFRESH_TTL", "600");
    return b;
  }

  @AfterAll
  static void stopKeycloak() throws Exception {
    try {
      if (h != null) h.close();
    } finally {
      if (run != null) {
        env(new ProcessBuilder("bash", peers.resolve("keycloak/stop.sh").toString())).inheritIO().start().waitFor(90, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void loginProxyAndRefreshAgainstKeycloak() {
    // The controllable clock stood still while the peer started; catch up with real time (forward only).
    h.clock.set(dev.hourglass.core.clock.Clocks.system().instant());
    String issuer = "http://127.0.0.1:" + port + "/realms/hourglass";
    h.startWithIssuer(issuer, "gateway", "gateway-secret", "[openid, profile, email]", "refresh-before-expiry: 20s\n");
    GatewayHarness.Browser b = h.browser();
    HttpResponse<String> page = b.follow(b.get("/oauth2/start?rd=%2Fhello"), 3);
    assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
    Matcher action = Pattern.compile("<form[^>]*id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"|<form[^>]*action=\"([^\"]+)\"[^>]*id=\"kc-form-login\"")
        .matcher(page.body());
    assertThat(action.find()).as(page.body()).isTrue();
    String url = (action.group(1) != null ? action.group(1) : action.group(2)).replace("&amp;", "&");
    HttpResponse<String> posted = b.send(HttpRequest.newBuilder(page.uri().resolve(url))
        .POST(HttpRequest.BodyPublishers.ofString("username=alice&password=alice&credentialId=")),
        "Content-Type", "application/x-www-form-urlencoded");
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(302);
    HttpResponse<String> landing = b.follow(posted, 3);
    assertThat(landing.statusCode()).as(landing.body()).isEqualTo(200);
    JsonObject headers = GatewayEndToEndTest.lower(new JsonObject(landing.body()).getJsonObject("headers"));
    assertThat(headers.getString("x-forwarded-email")).isEqualTo("alice@example.test");
    assertThat(headers.getString("x-forwarded-preferred-username")).isEqualTo("alice");
    assertThat(headers.getString("x-forwarded-user")).isNotBlank();

    long before = b.json("/oauth2/session").getLong("access_token_expires");
    h.clock.advance(Duration.ofSeconds(45));
    assertThat(b.get("/hello").statusCode()).isEqualTo(200);
    assertThat(h.gatewayEvents("REFRESH_OK")).hasSize(1);
    assertThat(b.json("/oauth2/session").getLong("access_token_expires")).isGreaterThan(before);
    assertThat(h.gateway.events().snapshot()).noneMatch(e -> e.type().startsWith("ID_TOKEN_REJECTED"));
  }
}
