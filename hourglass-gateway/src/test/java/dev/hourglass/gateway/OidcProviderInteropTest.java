package dev.hourglass.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.clock.ControllableClock;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
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
 * The gateway against panva's oidc-provider (OpenID Certified) from ../shared/peers: login,
 * proxied identity, refresh. The peer runs on real time; the gateway's clock is a controllable
 * clock starting at the real now, moved forward to reach the refresh window without sleeping.
 */
@Tag("interop")
class OidcProviderInteropTest {
  static Path peers;
  static Path run;
  static int opPort;
  static GatewayHarness h;

  @BeforeAll
  static void startPeer() throws Exception {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("hourglass-core"))) dir = dir.getParent();
    peers = dir.resolveSibling("shared").resolve("peers");
    assertThat(peers.resolve("oidc-provider/start.sh")).as("../shared/peers is required for interop tests").exists();
    run = Files.createTempDirectory("hourglass-gw-interop");
    opPort = GatewayHarness.freePort();
    h = new GatewayHarness(ControllableClock.startingNow());
    Process p = env(new ProcessBuilder("bash", peers.resolve("oidc-provider/start.sh").toString()))
        .redirectErrorStream(false)
        .redirectError(run.resolve("start.err").toFile())
        .directory(peers.toFile())
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(run.resolve("start.err"))).isZero();
    assertThat(out).endsWith("http://127.0.0.1:" + opPort);
  }

  /** Environment for the peer scripts: our own port, run dir and redirect URI. */
  static ProcessBuilder env(ProcessBuilder b) {
    Map<String, String> e = b.environment();
    e.put("PORT", String.valueOf(opPort));
    e.put("PEERS_RUN", run.toString());
    e.put("REDIRECT_URIS", h.publicUrl + "/oauth2/callback");
    e.put("POST_LOGOUT_REDIRECT_URIS", h.publicUrl + "/");
    e.put("ACCESS_TTL", "60");
    e.put("ID_TTL", "60");
    e.put("REFRESH_TTL", "600");
    e.put("AUTO_CONSENT", "1");
    e.put("ROTATE_REFRESH", "always");
    return b;
  }

  @AfterAll
  static void stopPeer() throws Exception {
    try {
      if (h != null) h.close();
    } finally {
      if (run != null) {
        env(new ProcessBuilder("bash", peers.resolve("oidc-provider/stop.sh").toString())).inheritIO().start().waitFor(60, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void loginProxyAndRefreshAgainstOidcProvider() throws Exception {
    // The controllable clock stood still while the peer started; catch up with real time (forward only).
    h.clock.set(dev.hourglass.core.clock.Clocks.system().instant());
    h.startWithIssuer("http://127.0.0.1:" + opPort, "gateway", "gateway-secret", "[openid, profile, email]",
        "refresh-before-expiry: 20s\n");
    GatewayHarness.Browser b = h.browser();
    HttpResponse<String> r = b.get("/oauth2/start?rd=%2Fhello");
    // OP: /auth → /interaction/<uid> → login form → /auth/<uid> → our callback.
    for (int i = 0; i < 10 && !(r.statusCode() / 100 == 3 && r.headers().firstValue("Location").orElse("").startsWith(h.publicUrl + "/oauth2/callback")); i++) {
      if (r.statusCode() / 100 == 3) {
        r = b.get(r.uri().resolve(r.headers().firstValue("Location").orElseThrow()).toString());
      } else if (r.statusCode() == 200 && r.body().contains("<form")) {
        Matcher action = Pattern.compile("<form[^>]*action=\"([^\"]+)\"").matcher(r.body());
        assertThat(action.find()).isTrue();
        String form = r.body().contains("name=\"login\"") ? "prompt=login&login=alice&password=x" : "prompt=consent";
        r = b.send(HttpRequest.newBuilder(r.uri().resolve(action.group(1).replace("&amp;", "&")))
            .POST(HttpRequest.BodyPublishers.ofString(form)), "Content-Type", "application/x-www-form-urlencoded");
      } else {
        throw new AssertionError("unexpected OP answer " + r.statusCode() + " " + r.uri() + "\n" + r.body());
      }
    }
    HttpResponse<String> landing = b.follow(b.get(r.headers().firstValue("Location").orElseThrow()), 3);
    assertThat(landing.statusCode()).as(landing.body()).isEqualTo(200);
    JsonObject headers = GatewayEndToEndTest.lower(new JsonObject(landing.body()).getJsonObject("headers"));
    assertThat(headers.getString("x-forwarded-user")).isEqualTo("alice");
    assertThat(h.gatewayEvents("LOGIN_OK")).hasSize(1);

    // Into the refresh window (the peer's tokens live 60 s; refresh 20 s ahead): one refresh, new expiry.
    long before = b.json("/oauth2/session").getLong("access_token_expires");
    h.clock.advance(Duration.ofSeconds(45));
    assertThat(b.get("/hello").statusCode()).isEqualTo(200);
    assertThat(h.gatewayEvents("REFRESH_OK")).hasSize(1);
    assertThat(b.json("/oauth2/session").getLong("access_token_expires")).isGreaterThan(before);
    assertThat(h.gateway.events().snapshot()).noneMatch(e -> e.type().startsWith("ID_TOKEN_REJECTED"));
  }
}
