package dev.hourglass.bench;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.core.jose.BoundedHttp;
import dev.hourglass.core.jose.IdTokenVerifier;
import dev.hourglass.core.jose.JwksCache;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ID-token verification with a cached JWKS (loaded once from a local server): RS256 signature,
 * then the Core 3.1.3.7 / 12.2 claim checks on the injected clock. This is what a login or a
 * refresh that returns a new ID token costs; the per-request path does no JWT work at all.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class IdTokenBenchmark {
  Vertx vertx;
  IdTokenVerifier verifier;
  String idToken;
  JWTClaimsSet original;

  @Setup
  public void setup() throws Exception {
    ControllableClock clock = ControllableClock.startingAt(Instant.parse("2030-01-01T08:00:00Z"));
    RSAKey key = new RSAKeyGenerator(2048).keyID("bench-key").generate();
    String issuer = "http://127.0.0.1/issuer";
    original = new JWTClaimsSet.Builder().issuer(issuer).subject("alice").audience(List.of("gateway"))
        .issueTime(Date.from(clock.instant())).expirationTime(Date.from(clock.instant().plus(Duration.ofHours(1))))
        .claim("auth_time", clock.instant().getEpochSecond()).claim("azp", "gateway").claim("sid", "op-session-1")
        .claim("email", "alice@example.test").claim("name", "Alice Liddell").claim("groups", List.of("admins")).build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("bench-key").type(JOSEObjectType.JWT).build(), original);
    jwt.sign(new RSASSASigner(key));
    idToken = jwt.serialize();
    original = JWTClaimsSet.parse(jwt.getJWTClaimsSet().toJSONObject());

    vertx = Vertx.vertx();
    String jwks = new JWKSet(key.toPublicJWK()).toString();
    HttpServer server = vertx.createHttpServer().requestHandler(req -> req.response()
        .putHeader("Content-Type", "application/json").end(jwks)).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    BoundedHttp http = new BoundedHttp(vertx, vertx.createHttpClient(), BoundedHttp.DEFAULT_TIMEOUT, BoundedHttp.DEFAULT_MAX_BYTES);
    JwksCache cache = new JwksCache(http, clock, "http://127.0.0.1:" + server.actualPort() + "/jwks", JwksCache.DEFAULT_COOLDOWN);
    cache.load().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    verifier = new IdTokenVerifier(clock, new Issuer(issuer), new ClientID("gateway"), Set.of(JWSAlgorithm.RS256),
        Duration.ofSeconds(60), cache);
    verify();
  }

  @Benchmark
  public IdTokenVerifier.Verified verify() throws Exception {
    return verifier.verifyRefreshed(idToken, original).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @TearDown
  public void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
