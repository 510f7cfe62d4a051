package dev.hourglass.gateway.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.Nonce;
import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.core.config.ConfigException;
import dev.hourglass.core.jose.BoundedHttp;
import dev.hourglass.core.jose.IdTokenRejectedException;
import dev.hourglass.core.jose.IdTokenVerifier;
import dev.hourglass.core.jose.JwksCache;
import dev.hourglass.gateway.GatewayConfig;
import dev.hourglass.gateway.crypto.SecretKeys;
import dev.hourglass.gateway.logout.LogoutTokenRejectedException;
import dev.hourglass.gateway.logout.LogoutTokenVerifier;
import dev.hourglass.gateway.redirect.RedirectValidator;
import dev.hourglass.gateway.session.CookieHeader;
import dev.hourglass.gateway.session.SessionCookie;
import dev.hourglass.gateway.session.TransactionCookie;
import dev.hourglass.op.OpConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Issue 6 fuzzing (Jazzer JUnit integration). In the normal test command each target runs in
 * regression mode: the seeds under {@code src/test/resources/.../HostileFuzzTestInputs/<method>/}
 * plus an empty input. {@code JAZZER_FUZZ=1} fuzzes each target for {@code maxDuration}. The
 * contract for every target: a documented refusal (the parser's own exception type) or a
 * well-formed result; never another exception, a hang, or an unsafe accepted value.
 */
class HostileFuzzTest {
  static {
    // Coverage instrumentation only for our code and the JOSE library: instrumenting Netty and
    // Vert.x makes the agent start slowly and buys nothing for these targets.
    System.setProperty("jazzer.instrumentation_includes", "dev.hourglass.**:com.nimbusds.**");
    System.setProperty("jazzer.custom_hook_includes", "dev.hourglass.**:com.nimbusds.**");
  }

  static final String ISSUER_URL = "http://127.0.0.1:1/fuzz-issuer";
  private static final ControllableClock CLOCK = ControllableClock.startingAt(Instant.parse("2030-01-01T00:00:00Z"));

  /** One in-process JWKS server and the verifiers that read it, made once per JVM. */
  private static Rig rig;

  /**
   * Made on first use, never in a static initializer: the JWKS server's handler runs on an event
   * loop and would wait for this class's initialization while main waits for the server.
   */
  private static synchronized Rig rig() {
    if (rig == null) rig = new Rig();
    return rig;
  }

  private static final class Rig {
    final IdTokenVerifier idTokens;
    final LogoutTokenVerifier logoutTokens;

    private Rig() {
      // Jazzer's SSRF detector blocks every socket connect unless allowed; the rig's JWKS is local.
      com.code_intelligence.jazzer.api.BugDetectors.allowNetworkConnections(
          (host, port) -> host.equals("127.0.0.1") || host.equals("localhost"));
      try {
        Vertx vertx = Vertx.vertx();
        String jwks = new JWKSet(new RSAKeyGenerator(2048).keyID("fuzz").generate()).toPublicJWKSet().toString();
        HttpServer server = vertx.createHttpServer().requestHandler(r -> r.response()
            .putHeader("Content-Type", "application/json").end(jwks)).listen(0, "127.0.0.1")
            .toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
        BoundedHttp http = new BoundedHttp(vertx, vertx.createHttpClient(), Duration.ofSeconds(5), 512 * 1024);
        JwksCache cache = new JwksCache(http, CLOCK, "http://127.0.0.1:" + server.actualPort() + "/jwks", Duration.ofSeconds(30));
        cache.load().toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
        idTokens = new IdTokenVerifier(CLOCK, new Issuer(ISSUER_URL), new ClientID("fuzz-client"),
            Set.of(JWSAlgorithm.RS256), Duration.ofSeconds(60), cache);
        logoutTokens = new LogoutTokenVerifier(CLOCK, ISSUER_URL, "fuzz-client", Set.of(JWSAlgorithm.RS256),
            Duration.ofSeconds(60), () -> cache);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static final RedirectValidator REDIRECTS = new RedirectValidator();
  private static final SessionCookie SESSION_COOKIE = new SessionCookie(SessionCookie.DEFAULT_NAME, false);
  private static final TransactionCookie TX_COOKIE = new TransactionCookie(
      SecretKeys.fromSecret("fuzz-secret-0123456789abcdef-0123456789abcdef").transactionAead(), CLOCK, false);

  /** A JWS-shaped string from fuzz data: base64url(header) . base64url(payload) . signature. */
  private static String jwsShaped(FuzzedDataProvider data) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header = data.consumeString(300);
    String payload = data.consumeString(800);
    String rest = data.consumeRemainingAsString();
    return b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + rest;
  }

  private static <T> void refusedOrOk(Future<T> f, Class<? extends Exception> refusal) throws Exception {
    try {
      f.toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!refusal.isInstance(e.getCause())) {
        throw new AssertionError("unexpected failure " + e.getCause(), e.getCause());
      }
    }
  }

  @FuzzTest(maxDuration = "5s")
  void idTokenParsing(FuzzedDataProvider data) throws Exception {
    String token = data.consumeBoolean() ? jwsShaped(data) : data.consumeRemainingAsString();
    refusedOrOk(rig().idTokens.verify(token, new Nonce("fuzz-nonce")), IdTokenRejectedException.class);
  }

  @FuzzTest(maxDuration = "5s")
  void logoutTokenValidation(FuzzedDataProvider data) throws Exception {
    String token = data.consumeBoolean() ? jwsShaped(data) : data.consumeRemainingAsString();
    refusedOrOk(rig().logoutTokens.verify(token, CLOCK.instant()), LogoutTokenRejectedException.class);
  }

  @FuzzTest(maxDuration = "5s")
  void cookieDecoding(FuzzedDataProvider data) {
    String state = data.consumeString(64);
    String header = data.consumeRemainingAsString();
    SESSION_COOKIE.sessionId(header).ifPresent(id -> assertThat(id).doesNotContain(";", " ", "\r", "\n"));
    CookieHeader.find(header, SessionCookie.DEFAULT_NAME);
    CookieHeader.find(List.of(header, header), TransactionCookie.PREFIX + "x");
    TransactionCookie.Outcome o = TX_COOKIE.consume(List.of(header), state);
    // Nothing forged with fuzz data can decrypt under our key.
    assertThat(o.ok()).isFalse();
  }

  @FuzzTest(maxDuration = "5s")
  void redirectValidation(FuzzedDataProvider data) {
    String rd = data.consumeRemainingAsString();
    var d = REDIRECTS.check(rd);
    if (d.accepted()) {
      String t = d.target().orElseThrow();
      assertThat(t).as(rd).startsWith("/").doesNotStartWith("//").doesNotContain("\\");
      assertThat(t.chars().noneMatch(c -> c < 0x20 || c == 0x7f)).as(rd).isTrue();
      java.net.URI u = java.net.URI.create("http://gateway.test/").resolve(t);
      assertThat(u.getHost()).as(rd).isEqualTo("gateway.test");
      assertThat(u.getRawUserInfo()).as(rd).isNull();
    }
  }

  @FuzzTest(maxDuration = "5s")
  void configLoading(FuzzedDataProvider data) {
    boolean gateway = data.consumeBoolean();
    String yaml = data.consumeRemainingAsString();
    try {
      if (gateway) {
        GatewayConfig.parse("fuzz.yaml", yaml, Map.of("SECRET", "fuzz-secret-0123456789abcdef-0123456789"));
      } else {
        OpConfig.parse("fuzz.yaml", yaml, Map.of());
      }
    } catch (ConfigException expected) {
      // the documented refusal: file, key, reason
    }
  }
}
