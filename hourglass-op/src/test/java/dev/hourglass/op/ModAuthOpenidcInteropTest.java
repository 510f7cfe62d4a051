package dev.hourglass.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hourglass.op.junit.DevOpExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Interop with Apache httpd + mod_auth_openidc (the peer in ../shared/peers/mod_auth_openidc): login
 * through our login form, refresh on its own (access-ttl 20s), RP-initiated logout and back-channel
 * logout. Skipped when the peer scripts or apache2 are not there.
 *
 * <p>mod_auth_openidc checks times against the real clock; the OP's virtual clock starts at the
 * real now and is not moved here.
 */
@Tag("interop")
class ModAuthOpenidcInteropTest {
  private static final Path PEER = Path.of("..", "..", "shared", "peers", "mod_auth_openidc").toAbsolutePath().normalize();

  @RegisterExtension
  DevOpExtension ext = DevOpExtension.builder().configure(c -> c.withAccessTtl(Duration.ofSeconds(20))).build();

  Path run;
  String rp;
  OpTestClient client;

  @BeforeEach
  void startHttpd() throws Exception {
    assumeTrue(Files.isExecutable(PEER.resolve("start.sh")), "peer scripts not found at " + PEER);
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/apache2")), "apache2 is not installed");
    int port = freePort();
    rp = "http://127.0.0.1:" + port;
    ext.op().registerClient(new OpConfig.Client("gateway", "gateway-secret", List.of(rp + "/redirect_uri"),
        List.of(rp + "/"), rp + "/redirect_uri?logout=backchannel", null, null, null, null));
    run = Files.createTempDirectory("hourglass-httpd");
    String out = sh(60, "PEERS_RUN=" + run + " PORT=" + port + " UPSTREAM_PORT=" + freePort() + " OP_ISSUER=" + ext.issuer()
        + " " + PEER.resolve("start.sh"));
    assumeTrue(out.contains(rp), "httpd did not start: " + out);
    client = new OpTestClient(ext.vertx(), ext.op());
  }

  @AfterEach
  void stopHttpd() throws Exception {
    if (run != null) {
      sh(30, "PEERS_RUN=" + run + " " + PEER.resolve("stop.sh"));
    }
  }

  private HttpResponse<Buffer> get(String url) {
    // mod_auth_openidc redirects browsers only; other callers get 401
    return OpTestClient.await(client.browser.getAbs(url).putHeader("Accept", "text/html,*/*").send());
  }

  /** Logs in through httpd → OP login form → httpd callback. */
  private void login(String user) {
    HttpResponse<Buffer> start = get(rp + "/");
    assertThat(start.statusCode()).isEqualTo(302);
    HttpResponse<Buffer> page = get(start.getHeader("Location"));
    assertThat(page.statusCode()).as(page.bodyAsString()).isEqualTo(200);
    String tx = OpTestClient.hidden(page.bodyAsString(), "tx");
    HttpResponse<Buffer> code = client.postForm("/login", OpTestClient.params("tx", tx, "username", user));
    assertThat(code.getHeader("Location")).startsWith(rp + "/redirect_uri?code=");
    HttpResponse<Buffer> callback = get(code.getHeader("Location"));
    assertThat(callback.statusCode()).isEqualTo(302);
    assertThat(callback.getHeader("Location")).isEqualTo(rp + "/");
  }

  private JsonObject info() {
    HttpResponse<Buffer> r = get(rp + "/redirect_uri?info=json");
    return r.statusCode() == 200 ? r.bodyAsJsonObject() : null;
  }

  @Test
  void logsInRefreshesAndLogsOutThroughTheOp() {
    login("alice");
    JsonObject info = info();
    assertThat(info).isNotNull();
    assertThat(info.getJsonObject("userinfo").getString("sub")).isEqualTo("alice");
    assertThat(info.getJsonObject("id_token").getString("iss")).isEqualTo(ext.issuer());
    // access-ttl 20s < OIDCRefreshAccessTokenBeforeExpiry 30: it refreshes on its own
    assertThat(ext.events().matching(e -> e.type().equals("token_issued") && "refresh_token".equals(e.field("grant_type"))))
        .isNotEmpty();

    HttpResponse<Buffer> rpLogout = get(rp + "/redirect_uri?logout=" + java.net.URLEncoder.encode(rp + "/", StandardCharsets.UTF_8));
    assertThat(rpLogout.getHeader("Location")).startsWith(ext.issuer() + "/logout?");
    HttpResponse<Buffer> opLogout = get(rpLogout.getHeader("Location"));
    assertThat(opLogout.statusCode()).isEqualTo(302);
    assertThat(opLogout.getHeader("Location")).startsWith(rp + "/");
    assertThat(info()).isNull();
    assertThat(ext.events().count("logout")).isEqualTo(1);
  }

  @Test
  void backchannelLogoutEndsTheRpSession() {
    login("bob");
    JsonObject info = info();
    String idToken = info.getJsonObject("session").getJsonObject("state").getString("idt");
    HttpResponse<Buffer> r = client.get("/logout?id_token_hint=" + idToken);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(ext.events().matching(e -> e.type().equals("backchannel_sent")).get(0).field("status")).isEqualTo("200");
    assertThat(info()).isNull();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String sh(int seconds, String command) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return "timeout";
    }
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
