package dev.hourglass.bench;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.gateway.Gateway;
import dev.hourglass.gateway.GatewayConfig;
import dev.hourglass.op.DevOp;
import dev.hourglass.op.OpConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The refresh storm of issue 7, in one process on ONE {@link ControllableClock}: the dev OP, the
 * gateway and a tiny upstream. N users log in through the gateway over HTTP (the honest path:
 * /oauth2/start?login_hint → OP auto-login → /oauth2/callback), all at the same clock instant, so
 * their access tokens expire together. The clock then moves past that expiry and every session is
 * hit once, concurrently. Expected: exactly N refresh grants at the OP (counted from its event
 * stream: {@code token_issued} with {@code grant_type=refresh_token}), every request a 200 from
 * the upstream, and the wall time of the storm.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.hourglass.bench.RefreshStorm [N=10000] [concurrency=64]</pre>
 */
public final class RefreshStorm {
  static final Duration ACCESS_TTL = Duration.ofMinutes(5);

  public record Result(int sessions, long loginMillis, long stormMillis, long refreshGrants, long errors,
      long otherGrantsDuringStorm, String firstError) {
    public boolean ok() {
      return refreshGrants == sessions && errors == 0;
    }
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    Result r = run(n, concurrency);
    System.out.printf("refresh storm: %d sessions logged in over HTTP in %.1f s; storm: %d requests → %d refresh grants "
            + "at the dev OP, %d errors, %d other grants, wall time %.2f s (%.0f refreshes/s)%s%n",
        r.sessions(), r.loginMillis() / 1000.0, r.sessions(), r.refreshGrants(), r.errors(), r.otherGrantsDuringStorm(),
        r.stormMillis() / 1000.0, r.sessions() * 1000.0 / Math.max(1, r.stormMillis()),
        r.firstError() == null ? "" : " (first error: " + r.firstError() + ")");
    System.out.println("refresh storm target (exactly " + n + " refresh grants, 0 errors): " + (r.ok() ? "MET" : "NOT MET"));
    System.exit(r.ok() ? 0 : 1);
  }

  public static Result run(int n, int concurrency) throws Exception {
    Vertx vertx = Vertx.vertx();
    ControllableClock clock = ControllableClock.startingAt(Instant.parse("2030-01-01T08:00:00Z"));
    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    try {
      int gwPort = freePort();
      String gw = "http://127.0.0.1:" + gwPort;
      DevOp op = await(DevOp.start(vertx, clock, OpConfig.demo().withPort(0).withAccessTtl(ACCESS_TTL)
          .withRefreshTtl(Duration.ofHours(8)).withSessionTtl(Duration.ofHours(10))));
      op.setAutoLogin(true);
      op.registerClient(OpConfig.Client.confidential("gateway", "gateway-secret", gw + "/oauth2/callback"));
      AtomicLong refreshGrants = new AtomicLong();
      AtomicLong otherGrants = new AtomicLong();
      AtomicLong[] counting = {null};
      op.events().onEvent(e -> {
        if ("token_issued".equals(e.type()) && counting[0] != null) {
          ("refresh_token".equals(e.field("grant_type")) ? refreshGrants : otherGrants).incrementAndGet();
        }
      });
      HttpServer upstream = await(vertx.createHttpServer()
          .requestHandler(req -> req.response().putHeader("X-Upstream", "bench").end("upstream ok\n"))
          .listen(0, "127.0.0.1"));
      GatewayConfig cfg = GatewayConfig.parse("refresh-storm.yaml", """
          listen: 127.0.0.1:%d
          public-url: %s
          upstream: http://127.0.0.1:%d
          provider:
            issuer: %s
            client-id: gateway
            client-secret: gateway-secret
          session:
            secret: refresh-storm-secret-0123456789abcdef0123
            idle-timeout: 30m
            max-lifetime: 8h
            refresh-before-expiry: 60s
          clock-skew: 60s
          """.formatted(gwPort, gw, upstream.actualPort(), op.issuer()), Map.of());
      Gateway gateway = await(Gateway.start(vertx, clock, cfg));
      await(gateway.ready());

      // 1. N logins over HTTP, all at the same clock instant.
      long t0 = System.nanoTime();
      ConcurrentLinkedQueue<String> cookies = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<String> loginErrors = new ConcurrentLinkedQueue<>();
      forEach(n, concurrency, i -> login(http, gw, "u" + i).handle((cookie, err) -> {
        if (err != null) loginErrors.add(String.valueOf(err.getMessage()));
        else cookies.add(cookie);
        return null;
      }));
      long loginMillis = (System.nanoTime() - t0) / 1_000_000;
      if (!loginErrors.isEmpty() || cookies.size() != n) {
        throw new IllegalStateException(loginErrors.size() + " logins failed, first: " + loginErrors.peek());
      }

      // 2. Past the shared expiry (refresh is due refresh-before-expiry ahead of exp).
      clock.advance(ACCESS_TTL.plusSeconds(1));
      counting[0] = refreshGrants;
      List<String> all = new ArrayList<>(cookies);
      AtomicLong errors = new AtomicLong();
      ConcurrentLinkedQueue<String> firstErrors = new ConcurrentLinkedQueue<>();
      long t1 = System.nanoTime();
      forEach(n, concurrency, i -> http.sendAsync(HttpRequest.newBuilder(URI.create(gw + "/"))
              .header("Cookie", all.get(i)).header("Accept", "text/html").timeout(Duration.ofSeconds(60)).GET().build(),
          HttpResponse.BodyHandlers.ofString()).handle((r, err) -> {
            if (err != null || r.statusCode() != 200 || !r.headers().firstValue("X-Upstream").isPresent()) {
              errors.incrementAndGet();
              firstErrors.add(err != null ? String.valueOf(err) : "HTTP " + r.statusCode() + " " + r.headers().firstValue("Location").orElse(""));
            }
            return null;
          }));
      long stormMillis = (System.nanoTime() - t1) / 1_000_000;
      counting[0] = null;
      Result result = new Result(n, loginMillis, stormMillis, refreshGrants.get(), errors.get(), otherGrants.get(), firstErrors.peek());
      await(gateway.close());
      await(op.close());
      return result;
    } finally {
      // (java.net.http.HttpClient has no close() before Java 21; its threads are daemons)
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** Headless login of {@code user}; completes with the session cookie ("name=value"). */
  static CompletableFuture<String> login(HttpClient http, String gw, String user) {
    return get(http, gw + "/oauth2/start?login_hint=" + user + "&rd=/", null).thenCompose(start -> {
      String tx = cookies(start);
      return follow(http, location(start), 5).thenCompose(cb -> {
        if (!cb.uri().getPath().equals("/oauth2/callback")) {
          throw new IllegalStateException("login of " + user + " did not reach the callback: " + cb.uri());
        }
        return get(http, cb.uri().toString(), tx);
      }).thenApply(done -> {
        String session = done.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("_hourglass_session="))
            .map(c -> c.substring(0, c.indexOf(';'))).findFirst()
            .orElseThrow(() -> new IllegalStateException("no session cookie for " + user + " (HTTP " + done.statusCode() + ")"));
        return session;
      });
    });
  }

  /** Follows OP redirects until the Location points at the gateway callback; returns a fake response holding that URI. */
  private static CompletableFuture<HttpResponse<String>> follow(HttpClient http, String url, int hops) {
    if (URI.create(url).getPath().equals("/oauth2/callback") || hops == 0) {
      return CompletableFuture.completedFuture(new Located(URI.create(url)));
    }
    return get(http, url, null).thenCompose(r -> {
      Optional<String> loc = r.headers().firstValue("Location");
      if (r.statusCode() / 100 != 3 || loc.isEmpty()) {
        throw new IllegalStateException("OP answered " + r.statusCode() + " at " + url);
      }
      return follow(http, r.uri().resolve(loc.get()).toString(), hops - 1);
    });
  }

  private static CompletableFuture<HttpResponse<String>> get(HttpClient http, String url, String cookie) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/html").timeout(Duration.ofSeconds(60)).GET();
    if (cookie != null && !cookie.isEmpty()) b.header("Cookie", cookie);
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String location(HttpResponse<String> r) {
    return r.uri().resolve(r.headers().firstValue("Location")
        .orElseThrow(() -> new IllegalStateException("no redirect from " + r.uri() + " (HTTP " + r.statusCode() + ")"))).toString();
  }

  private static String cookies(HttpResponse<String> r) {
    return String.join("; ", r.headers().allValues("Set-Cookie").stream().map(c -> c.substring(0, c.indexOf(';') < 0 ? c.length() : c.indexOf(';'))).toList());
  }

  /** Runs task(0..n-1) with at most {@code concurrency} in flight; waits for all. */
  static void forEach(int n, int concurrency, Function<Integer, CompletableFuture<?>> task) throws InterruptedException {
    Semaphore permits = new Semaphore(concurrency);
    for (int i = 0; i < n; i++) {
      permits.acquire();
      task.apply(i).whenComplete((v, e) -> permits.release());
    }
    permits.acquire(concurrency);
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Stands for "the browser would now go to this URI" without sending the request. */
  private record Located(URI uri) implements HttpResponse<String> {
    public int statusCode() { return 302; }
    public HttpRequest request() { return null; }
    public Optional<HttpResponse<String>> previousResponse() { return Optional.empty(); }
    public java.net.http.HttpHeaders headers() { return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true); }
    public String body() { return ""; }
    public Optional<javax.net.ssl.SSLSession> sslSession() { return Optional.empty(); }
    public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
  }

  private RefreshStorm() {}
}
