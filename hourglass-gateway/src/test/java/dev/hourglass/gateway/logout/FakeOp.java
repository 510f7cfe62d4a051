package dev.hourglass.gateway.logout;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.core.model.TokenSet;
import dev.hourglass.gateway.Gateway;
import dev.hourglass.gateway.GatewayConfig;
import dev.hourglass.gateway.session.Session;
import dev.hourglass.gateway.session.SessionIds;
import dev.hourglass.core.testing.TestSupport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal OP for logout tests: discovery, a JWKS of test keys the test can sign with, and
 * scripted token/revocation answers. Plus a gateway pointed at it, on one controllable clock.
 */
final class FakeOp implements AutoCloseable {
  static final String CLIENT_ID = "gw-fake";
  static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";

  final Vertx vertx = Vertx.vertx();
  final ControllableClock clock = ControllableClock.startingAt(Instant.parse("2030-01-01T08:00:00Z"));
  final List<JWK> published = new CopyOnWriteArrayList<>();
  final List<String> tokenRequests = new CopyOnWriteArrayList<>();
  final List<String> revokeRequests = new CopyOnWriteArrayList<>();
  volatile RSAKey key;
  volatile int revokeStatus = 200;
  private final HttpServer server;
  final String issuer;
  Gateway gateway;
  final int gatewayPort;
  final String publicUrl;
  final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  /**
   * @param endSession advertise an end_session_endpoint
   * @param revocation advertise a revocation_endpoint
   */
  FakeOp(boolean endSession, boolean revocation, String logoutYaml) {
    key = SHARED_KEY;
    published.add(key.toPublicJWK());
    int[] port = {0};
    server = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      String base = "http://127.0.0.1:" + port[0];
      switch (req.path()) {
        case "/.well-known/openid-configuration" -> {
          JsonObject d = new JsonObject().put("issuer", base).put("authorization_endpoint", base + "/authorize")
              .put("token_endpoint", base + "/token").put("jwks_uri", base + "/jwks");
          if (endSession) d.put("end_session_endpoint", base + "/logout");
          if (revocation) d.put("revocation_endpoint", base + "/revoke");
          req.response().putHeader("Content-Type", "application/json").end(d.encode());
        }
        case "/jwks" -> req.response().putHeader("Content-Type", "application/json")
            .end(new JWKSet(new ArrayList<>(published)).toString());
        case "/token" -> {
          tokenRequests.add(body.toString());
          req.response().setStatusCode(400).putHeader("Content-Type", "application/json")
              .end(new JsonObject().put("error", "invalid_grant").encode());
        }
        case "/revoke" -> {
          revokeRequests.add(body.toString());
          req.response().setStatusCode(revokeStatus).end();
        }
        default -> req.response().setStatusCode(404).end();
      }
    })).listen(0, "127.0.0.1"));
    port[0] = server.actualPort();
    issuer = "http://127.0.0.1:" + port[0];
    gatewayPort = freePort();
    publicUrl = "http://127.0.0.1:" + gatewayPort;
    String yaml = """
        listen: 127.0.0.1:%d
        public-url: %s
        upstream: http://127.0.0.1:9
        provider:
          issuer: %s
          client-id: %s
          client-secret: fake-secret
        session:
          secret: %s
          idle-timeout: 0
          max-lifetime: 0
        clock-skew: 60s
        %s
        """.formatted(gatewayPort, publicUrl, issuer, CLIENT_ID, SECRET, logoutYaml);
    gateway = await(Gateway.start(vertx, clock, GatewayConfig.parse("fake.yaml", yaml, Map.of())));
    await(gateway.ready());
  }

  /** One key for every FakeOp in the JVM: RSA key generation is the slow part of a start. */
  private static final RSAKey SHARED_KEY = newKey();

  static RSAKey newKey() {
    try {
      return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.RS256).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A valid logout token's claims at the clock's now. */
  JWTClaimsSet.Builder logoutClaims(String sub, String sid) {
    Instant now = clock.instant();
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().issuer(issuer).audience(CLIENT_ID)
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofMinutes(2))))
        .jwtID(UUID.randomUUID().toString())
        .claim("events", Map.of(LogoutTokenVerifier.BACKCHANNEL_EVENT, Map.of()));
    if (sub != null) b.subject(sub);
    if (sid != null) b.claim("sid", sid);
    return b;
  }

  String sign(JWTClaimsSet claims) {
    return sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(new JOSEObjectType("logout+jwt")).build(),
        claims, key);
  }

  static String sign(JWSHeader header, JWTClaimsSet claims, RSAKey with) {
    try {
      SignedJWT jwt = new SignedJWT(header, claims);
      jwt.sign(new RSASSASigner(with));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stores a session as a login would have (id token optional). */
  String session(String sub, String sid, String idToken, Instant idExp, String refreshToken) {
    Instant now = clock.instant();
    String id = SessionIds.newId();
    TokenSet t = new TokenSet("at-" + id, "Bearer", "openid", now, now.plus(Duration.ofHours(1)), idToken,
        idToken == null ? null : now, idExp, refreshToken, null, null);
    Session s = new Session(id, now, now, sub, sid, issuer, t,
        idToken == null ? Map.of("sub", sub) : Map.of("sub", sub, "iss", issuer, "aud", CLIENT_ID, "preferred_username", sub + "-name"),
        Map.of(), 0);
    await(gateway.services().updates().create(s));
    return id;
  }

  boolean exists(String id) {
    return await(gateway.store().load(id)).isPresent();
  }

  HttpResponse<String> backchannel(String body, String contentType) {
    return send(HttpRequest.newBuilder(URI.create(publicUrl + "/oauth2/backchannel-logout"))
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", contentType));
  }

  HttpResponse<String> get(String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(publicUrl + path)).GET();
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    return send(b);
  }

  HttpResponse<String> send(HttpRequest.Builder b) {
    try {
      return http.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new RuntimeException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeException(e);
    }
  }

  long events(String type) {
    return gateway.events().count(type);
  }

  static <T> T await(Future<T> f) {
    return TestSupport.await(f);
  }

  static int freePort() {
    return TestSupport.freePort();
  }

  @Override
  public void close() {
    try {
      await(gateway.close());
      await(server.close());
    } finally {
      await(vertx.close());
    }
  }
}
