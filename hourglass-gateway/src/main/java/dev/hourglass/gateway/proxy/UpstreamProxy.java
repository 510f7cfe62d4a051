package dev.hourglass.gateway.proxy;

import dev.hourglass.core.event.EventLog;
import dev.hourglass.gateway.http.Pages;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyOptions;
import io.vertx.httpproxy.ProxyResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;

/**
 * Forwards requests to the upstream: bodies stream, websockets upgrade, connections are pooled
 * (keep-alive). The gateway decides each request's headers (identity, X-Forwarded-*) and sets
 * them on the incoming request before {@link #forward}. Plain HTTP goes through
 * {@link UpstreamExchange} on Vert.x core's client; websocket upgrades through Vert.x http-proxy.
 * Upstream failures become a clear 502/504 page and an {@code UPSTREAM_ERROR} event; a client that
 * hangs up first is a {@code CLIENT_ABORTED} event, not an upstream error.
 *
 * <p>Why http-proxy only for upgrades: see {@link UpstreamExchange} (its per-exchange copies were
 * the gateway's largest allocation site in issue 7's profile). For upgrades, http-proxy runs the
 * request interceptor synchronously inside {@code handle}, so the session's log handle for the
 * error event is handed over in a thread-local around that call.
 */
public final class UpstreamProxy implements UpstreamExchange.Failure {
  /** The log handle of the session being forwarded on this thread (null for public paths). */
  private static final ThreadLocal<String> FORWARDING_SESSION = new ThreadLocal<>();

  /** The pool and the upgrade proxy of one event loop. */
  private record Loop(HttpClient client, HttpProxy upgrades) {}

  private final Vertx vertx;
  private final HttpClientOptions options;
  private final SocketAddress origin;
  private final long timeoutMs;
  private final EventLog events;
  /** Every client made so far (one per event loop that forwarded), for {@link #close}. */
  private final List<HttpClient> clients = new CopyOnWriteArrayList<>();
  /** For calls from outside any Vert.x context (none in the gateway; tests). */
  private final Loop shared;

  public UpstreamProxy(Vertx vertx, String upstream, Duration timeout, EventLog events) {
    this.vertx = vertx;
    this.events = events;
    URI u = URI.create(upstream);
    boolean tls = "https".equalsIgnoreCase(u.getScheme());
    int port = u.getPort() > 0 ? u.getPort() : (tls ? 443 : 80);
    this.options = new HttpClientOptions()
        .setSsl(tls)
        .setKeepAlive(true)
        .setConnectTimeout(5_000)
        .setIdleTimeout(60);
    this.origin = SocketAddress.inetSocketAddress(port, u.getHost());
    this.timeoutMs = Math.max(1, timeout.toMillis());
    this.shared = newLoop();
  }

  /**
   * One client (connection pool) per event loop. Why: Vert.x's pool hands any idle connection to
   * any caller, so with several loops a request on loop A often got a connection living on loop B,
   * and every read and write of it hopped threads (issue 7 profile). With one pool per loop, the
   * downstream and upstream connections of a request share a thread.
   */
  private Loop thisLoop() {
    Context ctx = Vertx.currentContext();
    if (ctx == null) {
      return shared;
    }
    Loop loop = ctx.get(this);
    if (loop == null) {
      loop = newLoop();
      ctx.put(this, loop);
    }
    return loop;
  }

  private Loop newLoop() {
    HttpClient client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(64));
    clients.add(client);
    HttpProxy proxy = HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(true), client)
        .origin(ctx -> client.request(new RequestOptions().setServer(origin).setIdleTimeout(0)));
    proxy.addInterceptor(new UpgradeFailures(), true);
    return new Loop(client, proxy);
  }

  /**
   * Proxies {@code request} as it is now: the caller has already removed every client-sent
   * identity header and set the gateway's own. No answer within the upstream timeout → 504
   * (an upgraded websocket may idle).
   *
   * @param sessionHash the session's log handle for error events, or null (public paths)
   */
  public void forward(HttpServerRequest request, String sessionHash) {
    Loop loop = thisLoop();
    if (!request.canUpgradeToWebSocket()) {
      UpstreamExchange.forward(loop.client(), origin, timeoutMs, request, sessionHash, this);
      return;
    }
    FORWARDING_SESSION.set(sessionHash);
    try {
      loop.upgrades().handle(request);
    } finally {
      FORWARDING_SESSION.remove();
    }
  }

  public Future<Void> close() {
    return Future.join(clients.stream().map(HttpClient::close).toList()).mapEmpty();
  }

  @Override
  public void upstreamFailed(HttpServerRequest request, String session, Throwable cause) {
    int status = recordFailure(request, session, cause);
    request.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .end(failurePage(status));
  }

  @Override
  public void clientAborted(HttpServerRequest request, String session) {
    events.record("CLIENT_ABORTED", "session", session, "path", request.path());
  }

  /** Records the failure; 504 for a timeout, else 502. */
  private int recordFailure(HttpServerRequest request, String session, Throwable err) {
    boolean timeout = err instanceof TimeoutException
        || (err.getMessage() != null && err.getMessage().toLowerCase(java.util.Locale.ROOT).contains("timeout"));
    int status = timeout ? 504 : 502;
    events.record("UPSTREAM_ERROR", "session", session, "status", status,
        "path", request.path(), "detail", err.getClass().getSimpleName());
    return status;
  }

  private static String failurePage(int status) {
    return Pages.page(status == 504 ? "Upstream timed out" : "Upstream unavailable",
        status == 504
            ? "The application behind this gateway did not answer in time. Try again in a moment."
            : "The application behind this gateway cannot be reached. Try again in a moment.");
  }

  /** The same 502 page and events for a websocket upgrade the upstream could not take. */
  private final class UpgradeFailures implements ProxyInterceptor {
    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
      HttpServerRequest original = context.request().proxiedRequest();
      String session = FORWARDING_SESSION.get();
      return context.sendRequest().recover(err -> {
        if (original.response().closed()) {
          clientAborted(original, session);
          return Future.failedFuture(err);
        }
        int status = recordFailure(original, session, err);
        ProxyResponse r = context.request().response()
            .setStatusCode(status)
            .putHeader("Content-Type", "text/html; charset=utf-8")
            .putHeader("Cache-Control", "no-store");
        r.setBody(Body.body(Buffer.buffer(failurePage(status))));
        return Future.succeededFuture(r);
      });
    }
  }
}
