package dev.hourglass.bench;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.gateway.GatewayConfig;
import dev.hourglass.gateway.authz.Claims;
import dev.hourglass.gateway.crypto.SecretKeys;
import dev.hourglass.gateway.proxy.IdentityHeaders;
import dev.hourglass.gateway.session.MemorySessionStore;
import dev.hourglass.gateway.session.Session;
import dev.hourglass.gateway.session.SessionCookie;
import dev.hourglass.gateway.session.SessionIds;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The gateway's per-request path without the network: Cookie header → session id → memory store
 * lookup (HMAC store key + Caffeine) → merged claims → identity headers. Also the touch that moves
 * the idle window ({@code withLastSeenAt} + save), which every authenticated request does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HotPathBenchmark {
  ControllableClock clock;
  MemorySessionStore store;
  SessionCookie cookie;
  IdentityHeaders identity;
  String cookieHeader;
  String id;

  @Setup
  public void setup() {
    clock = ControllableClock.startingAt(Instant.parse("2030-01-01T08:00:00Z"));
    SessionIds ids = SecretKeys.fromSecret("hot-path-benchmark-secret-0123456789abcdef").sessionIds();
    store = new MemorySessionStore(ids, clock, 100_000);
    Random random = SampleTokens.random();
    Session mine = null;
    for (int i = 0; i < 10_000; i++) {
      Session s = SampleTokens.session(i, clock.instant(), random);
      store.save(s, clock.instant().plus(Duration.ofHours(9)));
      mine = s;
    }
    id = mine.id();
    cookie = new SessionCookie(SessionCookie.DEFAULT_NAME, false);
    cookieHeader = "theme=dark; _ga=GA1.1.123456789.1700000000; " + SessionCookie.DEFAULT_NAME + "=" + id + "; lang=en";
    GatewayConfig cfg = GatewayConfig.parse("bench.yaml", """
        public-url: http://127.0.0.1:8080
        upstream: http://127.0.0.1:9000
        provider: {issuer: "http://127.0.0.1:9090", client-id: gateway, client-secret: x}
        session: {secret: hot-path-benchmark-secret-0123456789abcdef}
        identity:
          headers: {X-Forwarded-Name: name}
        """, Map.of());
    identity = new IdentityHeaders(cfg.identity());
  }

  @Benchmark
  public Map<String, String> cookieToSessionToHeaders() {
    String sid = cookie.sessionId(cookieHeader).orElseThrow();
    Session s = store.loadNow(sid).orElseThrow();
    Map<String, Object> claims = Claims.merged(s.idTokenClaims(), s.userinfo());
    return identity.forSession(claims, s.tokens().accessToken(), s.tokens().idToken());
  }

  @Benchmark
  public Object touchLastSeen() {
    Session s = store.loadNow(id).orElseThrow();
    Instant now = s.lastSeenAt().plusNanos(1);
    return store.save(s.withLastSeenAt(now), now.plus(Duration.ofHours(9)));
  }
}
