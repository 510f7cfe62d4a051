package dev.hourglass.gateway.proxy;

import dev.hourglass.core.event.EventLog;
import dev.hourglass.gateway.http.Pages;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * Forwards requests to the upstream with Vert.x http-proxy: bodies stream, websockets upgrade,
 * connections are pooled (keep-alive). The headers for each request (identity, X-Forwarded-*) are
 * decided by the gateway before the call and applied by an interceptor; upstream failures become a
 * clear 502/504 page and an {@code UPSTREAM_ERROR} event.
 */
public final class UpstreamProxy {
  /** What to send with one proxied request. */
  public record Plan(Map<String, String> headers, String sessionHash) {}

  private final HttpClient client;
  private final HttpProxy proxy;
  private final EventLog events;
  private final Map<HttpServerRequest, Plan> plans = new ConcurrentHashMap<>();

  private final IdentityHeaders identity;

  public UpstreamProxy(Vertx vertx, String upstream, Duration timeout, EventLog events, IdentityHeaders identity) {
    this.events = events;
    this.identity = identity;
    URI u = URI.create(upstream);
    boolean tls = "https".equalsIgnoreCase(u.getScheme());
    int port = u.getPort() > 0 ? u.getPort() : (tls ? 443 : 80);
    HttpClientOptions options = new HttpClientOptions()
        .setSsl(tls)
        .setKeepAlive(true)
        .setConnectTimeout(5_000)
        .setIdleTimeout(60);
    this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(64));
    SocketAddress origin = SocketAddress.inetSocketAddress(port, u.getHost());
    long timeoutMs = Math.max(1, timeout.toMillis());
    this.proxy = HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(true), client)
        // No answer from the upstream within the timeout → 504 (websockets may idle).
        .origin(ctx -> client.request(new RequestOptions().setServer(origin)
            .setIdleTimeout(ctx.isWebSocket() ? 0 : timeoutMs)));
    proxy.addInterceptor(new Interceptor(), true);
  }

  /** Proxies {@code request} with {@code plan}'s headers (client identity headers are already stripped). */
  public void forward(HttpServerRequest request, Plan plan) {
    plans.put(request, plan);
    request.response().closeHandler(v -> plans.remove(request));
    request.response().endHandler(v -> plans.remove(request));
    proxy.handle(request);
  }

  public Future<Void> close() {
    return client.close();
  }

  private final class Interceptor implements ProxyInterceptor {
    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
      HttpServerRequest original = context.request().proxiedRequest();
      Plan plan = plans.remove(original);
      MultiMap headers = context.request().headers();
      // Second line of defence: whatever the request still carries that could pass for identity.
      identity.strip(headers);
      if (plan != null) {
        plan.headers().forEach(headers::set);
      }
      String session = plan == null ? null : plan.sessionHash();
      return context.sendRequest().recover(err -> {
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
