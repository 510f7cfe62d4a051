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
 * Forwards requests to the upstream with Vert.x http-proxy: bodies stream, websockets upgrade,
 * connections are pooled (keep-alive). The gateway decides each request's headers (identity,
 * X-Forwarded-*) and sets them on the incoming request before {@link #forward}; http-proxy copies
 * them to the upstream request. Upstream failures become a clear 502/504 page and an
 * {@code UPSTREAM_ERROR} event.
 *
 * <p>Why no per-request map from request to plan (issue 7 profile): http-proxy runs the request
 * interceptor synchronously inside {@code handle}, so the one thing the interceptor still needs —
 * the session's log handle for the error event — is handed over in a thread-local around that call
 * and captured there.
 */
public final class UpstreamProxy {
  /** The log handle of the session being forwarded on this thread (null for public paths). */
  private static final ThreadLocal<String> FORWARDING_SESSION = new ThreadLocal<>();

  private final Vertx vertx;
  private final HttpClientOptions options;
  private final SocketAddress origin;
  private final long timeoutMs;
  private final EventLog events;
  /** Every client made so far (one per event loop that forwarded), for {@link #close}. */
  private final List<HttpClient> clients = new CopyOnWriteArrayList<>();
  /** For calls from outside any Vert.x context (none in the gateway; tests). */
  private final HttpProxy shared;

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
    this.shared = newProxy();
  }

  /**
   * One client (connection pool) and proxy per event loop. Why: Vert.x's pool hands any idle
   * connection to any caller, so with several loops a request on loop A often got a connection
   * living on loop B, and every read and write of it hopped threads (issue 7 profile). With one
   * pool per loop, the downstream and upstream connections of a request share a thread.
   */
  private HttpProxy proxyForThisLoop() {
    Context ctx = Vertx.currentContext();
    if (ctx == null) {
      return shared;
    }
    HttpProxy p = ctx.get(this);
    if (p == null) {
      p = newProxy();
      ctx.put(this, p);
    }
    return p;
  }

  private HttpProxy newProxy() {
    HttpClient client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(64));
    clients.add(client);
    HttpProxy proxy = HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(true), client)
        // No answer from the upstream within the timeout → 504 (websockets may idle).
        .origin(ctx -> client.request(new RequestOptions().setServer(origin)
            .setIdleTimeout(ctx.isWebSocket() ? 0 : timeoutMs)));
    proxy.addInterceptor(new Interceptor(), true);
    return proxy;
  }

  /**
   * Proxies {@code request} as it is now: the caller has already removed every client-sent
   * identity header and set the gateway's own.
   *
   * @param sessionHash the session's log handle for error events, or null (public paths)
   */
  public void forward(HttpServerRequest request, String sessionHash) {
    HttpProxy proxy = proxyForThisLoop();
    FORWARDING_SESSION.set(sessionHash);
    try {
      proxy.handle(request);
    } finally {
      FORWARDING_SESSION.remove();
    }
  }

  public Future<Void> close() {
    return Future.join(clients.stream().map(HttpClient::close).toList()).mapEmpty();
  }

  private final class Interceptor implements ProxyInterceptor {
    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
      HttpServerRequest original = context.request().proxiedRequest();
      String session = FORWARDING_SESSION.get();
      return context.sendRequest().recover(err -> {
        if (original.response().closed()) {
          // The client went away (closed its connection) before the upstream answered: not an
          // upstream failure, and there is nobody left to show a page to.
          events.record("CLIENT_ABORTED", "session", session, "path", original.path());
          return Future.failedFuture(err);
        }
        boolean timeout = err instanceof TimeoutException
            || (err.getMessage() != null && err.getMessage().toLowerCase(java.util.Locale.ROOT).contains("timeout"));
        int status = timeout ? 504 : 502;
        events.record("UPSTREAM_ERROR", "session", session, "status", status,
            "path", original.path(), "detail", err.getClass().getSimpleName());
        ProxyResponse r = context.request().response()
            .setStatusCode(status)
            .putHeader("Content-Type", "text/html; charset=utf-8")
            .putHeader("Cache-Control", "no-store");
        r.setBody(Body.body(Buffer.buffer(Pages.page(status == 504 ? "Upstream timed out" : "Upstream unavailable",
            status == 504
                ? "The application behind this gateway did not answer in time. Try again in a moment."
                : "The application behind this gateway cannot be reached. Try again in a moment."))));
        return Future.succeededFuture(r);
      });
    }
  }
}
