package dev.hourglass.core.jose;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * HTTP calls to an OpenID Provider with hard limits: a whole-exchange timeout and a maximum body
 * size. A slow, huge or hostile OP endpoint fails fast with a {@link FetchException} instead of
 * filling memory or holding a request. All I/O is asynchronous on Vert.x.
 *
 * <p>Timeouts here are about network I/O and use the event loop's real timers on purpose: they
 * never decide whether a token is valid (that is the injected clock's job).
 */
public final class BoundedHttp {
  /** Default cap on a response body from the OP (discovery, JWKS, token, userinfo). */
  public static final long DEFAULT_MAX_BYTES = 512 * 1024;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private final Vertx vertx;
  private final HttpClient client;
  private final Duration timeout;
  private final long maxBytes;

  public BoundedHttp(Vertx vertx, HttpClient client, Duration timeout, long maxBytes) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.client = Objects.requireNonNull(client, "client");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    if (maxBytes < 1) throw new IllegalArgumentException("maxBytes: must be positive");
    this.maxBytes = maxBytes;
  }

  /** A response: status, headers and the (bounded) body. */
  public record Response(int status, MultiMap headers, Buffer body) {
    public String bodyAsString() {
      return body.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** Why a call failed before a usable response arrived. */
  public static final class FetchException extends RuntimeException {
    private final String reason;

    public FetchException(String reason, String message) {
      super(message);
      this.reason = reason;
    }

    /** {@code timeout}, {@code too_large}, {@code unreachable} or {@code io}. */
    public String reason() {
      return reason;
    }
  }

  public Future<Response> get(String absoluteUri, Map<String, String> headers) {
    return send(HttpMethod.GET, absoluteUri, headers, null);
  }

  public Future<Response> postForm(String absoluteUri, Map<String, String> headers, String formBody) {
    Map<String, String> h = new java.util.LinkedHashMap<>(headers);
    h.put("Content-Type", "application/x-www-form-urlencoded");
    return send(HttpMethod.POST, absoluteUri, h, Buffer.buffer(formBody));
  }

  public Future<Response> send(HttpMethod method, String absoluteUri, Map<String, String> headers, Buffer body) {
    Promise<Response> result = Promise.promise();
    long ms = Math.max(1, timeout.toMillis());
    RequestOptions options = new RequestOptions()
        .setMethod(method)
        .setAbsoluteURI(absoluteUri)
        .setConnectTimeout(ms)
        .setIdleTimeout(ms)
        .setFollowRedirects(false);
    headers.forEach(options::putHeader);
    long timer = vertx.setTimer(ms, id -> result.tryFail(new FetchException("timeout",
        "no complete answer from " + absoluteUri + " within " + ms + " ms")));
    client.request(options)
        .onFailure(e -> result.tryFail(unreachable(absoluteUri, e)))
        .onSuccess(req -> {
          req.response()
              .onFailure(e -> result.tryFail(unreachable(absoluteUri, e)))
              .onSuccess(resp -> collect(resp, absoluteUri, result));
          req.exceptionHandler(e -> result.tryFail(unreachable(absoluteUri, e)));
          result.future().onFailure(e -> req.reset());
          if (body == null) {
            req.end();
          } else {
            req.end(body);
          }
        });
    return result.future().onComplete(ar -> vertx.cancelTimer(timer));
  }

  private void collect(HttpClientResponse resp, String uri, Promise<Response> result) {
    String declared = resp.getHeader("Content-Length");
    if (declared != null) {
      try {
        if (Long.parseLong(declared.trim()) > maxBytes) {
          result.tryFail(tooLarge(uri));
          resp.request().reset();
          return;
        }
      } catch (NumberFormatException ignored) {
        // counted below
      }
    }
    Buffer acc = Buffer.buffer();
    resp.handler(chunk -> {
      if (result.future().isComplete()) {
        return;
      }
      if (acc.length() + chunk.length() > maxBytes) {
        result.tryFail(tooLarge(uri));
        resp.request().reset();
        return;
      }
      acc.appendBuffer(chunk);
    });
    resp.exceptionHandler(e -> result.tryFail(unreachable(uri, e)));
    resp.endHandler(v -> result.tryComplete(new Response(resp.statusCode(), resp.headers(), acc)));
  }

  private FetchException tooLarge(String uri) {
    return new FetchException("too_large", "answer from " + uri + " is larger than " + maxBytes + " bytes");
  }

  private static FetchException unreachable(String uri, Throwable e) {
    if (e instanceof FetchException f) return f;
    return new FetchException("unreachable", "cannot reach " + uri + ": " + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : " " + e.getMessage()));
  }
}
