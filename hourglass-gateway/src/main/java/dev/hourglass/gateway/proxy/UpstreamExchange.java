package dev.hourglass.gateway.proxy;

import io.vertx.core.AsyncResult;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One plain HTTP request/response forwarded to the upstream on Vert.x core's client: the request's
 * headers go straight into the upstream request and the upstream's straight into the response,
 * bodies stream with back-pressure.
 *
 * <p>Why not http-proxy here (issue 7 profile): for every exchange it copies both header sets into
 * intermediate maps, parses the upstream's {@code Date} header and formats it again, and wraps the
 * exchange in several futures; together that was the largest share of the gateway's own
 * allocations. Websocket upgrades still go through http-proxy ({@link UpstreamProxy}).
 *
 * <p>Message framing follows RFC 9112: hop-by-hop headers (and any named in {@code Connection})
 * are not forwarded either way; a request whose {@code Transfer-Encoding} is anything but a single
 * {@code chunked} is refused with 400, as http-proxy does; {@code Expect: 100-continue} is answered
 * here, so the client does not wait for an upstream that never sees the expectation; a response to
 * an HTTP/1.0 client without a length is buffered (up to {@link #MAX_HTTP10_BUFFER}) because such a
 * client cannot read chunked encoding.
 */
final class UpstreamExchange {
  /** RFC 9110 §7.6.1 plus the common non-standard Proxy-Connection. */
  private static final String[] HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"};
  static final int MAX_HTTP10_BUFFER = 16 * 1024 * 1024;

  /** What to do when the upstream cannot give an answer: send the error page, record the event. */
  interface Failure {
    void upstreamFailed(HttpServerRequest request, String session, Throwable cause);

    void clientAborted(HttpServerRequest request, String session);
  }

  private UpstreamExchange() {}

  static void forward(HttpClient client, SocketAddress origin, long timeoutMs, HttpServerRequest req,
      String session, Failure failure) {
    MultiMap in = req.headers();
    Boolean chunked = chunked(in);
    if (chunked == null) {
      req.resume();
      req.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_LENGTH, "0").end();
      return;
    }
    String contentLength = in.get(HttpHeaders.CONTENT_LENGTH);
    boolean hasBody = chunked || (contentLength != null && !contentLength.equals("0"));
    boolean expectContinue = "100-continue".equalsIgnoreCase(in.get(HttpHeaders.EXPECT));

    Set<String> named = connectionTokens(in);
    RequestOptions options = new RequestOptions()
        .setServer(origin)
        .setMethod(req.method())
        .setURI(req.uri())
        .setIdleTimeout(timeoutMs);
    client.request(options).onComplete(ar -> {
      if (ar.failed()) {
        req.resume();
        failure.upstreamFailed(req, session, ar.cause());
        return;
      }
      HttpClientRequest upstream = ar.result();
      // Straight into the upstream request (forEach: no entry wrappers, no intermediate map).
      MultiMap out = upstream.headers();
      in.forEach((name, value) -> {
        if (forwardable(name, named) && !name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("expect")) {
          out.add(name, value);
        }
      });
      HostAndPort authority = req.authority();
      if (authority != null) {
        upstream.authority(authority); // the upstream sees the Host the client asked for
      }
      HttpServerResponse response = req.response();
      // The client hung up: stop the upstream work too (its answer would have nowhere to go).
      response.closeHandler(v -> upstream.reset());
      upstream.response().onComplete(r -> respond(req, upstream, r, session, failure));
      if (!hasBody) {
        upstream.end();
        req.resume();
        return;
      }
      if (chunked) {
        upstream.setChunked(true);
      }
      if (expectContinue) {
        response.writeContinue();
      }
      req.pipeTo(upstream).onFailure(err -> upstream.reset(0, err));
    });
  }

  private static void respond(HttpServerRequest req, HttpClientRequest upstream, AsyncResult<HttpClientResponse> ar,
      String session, Failure failure) {
    HttpServerResponse response = req.response();
    if (ar.failed()) {
      if (response.closed()) {
        failure.clientAborted(req, session);
      } else if (response.headWritten()) {
        response.reset(); // nothing sensible can follow a half-sent answer
      } else {
        failure.upstreamFailed(req, session, ar.cause());
      }
      return;
    }
    HttpClientResponse answer = ar.result();
    if (response.closed()) {
      failure.clientAborted(req, session);
      upstream.reset();
      return;
    }
    response.setStatusCode(answer.statusCode());
    if (answer.statusMessage() != null) {
      response.setStatusMessage(answer.statusMessage());
    }
    MultiMap headers = response.headers();
    Set<String> named = connectionTokens(answer.headers());
    answer.headers().forEach((name, value) -> {
      if (forwardable(name, named)) {
        headers.add(name, value);
      }
    });
    int status = answer.statusCode();
    boolean noBody = req.method() == HttpMethod.HEAD || status == 204 || status == 304 || (status >= 100 && status < 200);
    if (noBody) {
      answer.end().onComplete(x -> response.end());
      return;
    }
    if (!headers.contains(HttpHeaders.CONTENT_LENGTH)) {
      if (req.version() == HttpVersion.HTTP_1_0) {
        answer.body().onComplete(body -> {
          if (body.failed() || body.result().length() > MAX_HTTP10_BUFFER) {
            response.reset();
          } else {
            response.end(body.result());
          }
        });
        return;
      }
      response.setChunked(true);
    }
    answer.pipeTo(response).onFailure(err -> {
      // The upstream broke off mid-body: the client must not take a truncated body for a whole one.
      response.reset();
      upstream.reset();
    });
  }

  /** True for exactly one {@code chunked}, false for none, null for anything else (refused). */
  static Boolean chunked(MultiMap headers) {
    List<String> te = headers.getAll(HttpHeaders.TRANSFER_ENCODING);
    if (te.isEmpty()) {
      return false;
    }
    return te.size() == 1 && te.get(0).trim().equalsIgnoreCase("chunked") ? Boolean.TRUE : null;
  }

  private static boolean forwardable(String name, Set<String> connectionTokens) {
    // No lower-casing and few comparisons: this runs for every header of every exchange.
    int length = name.length();
    for (String h : HOP_BY_HOP) {
      if (h.length() == length && h.equalsIgnoreCase(name)) {
        return false;
      }
    }
    return connectionTokens.isEmpty() || !connectionTokens.contains(name.toLowerCase(Locale.ROOT));
  }

  /** Header names listed in {@code Connection} (RFC 9110 §7.6.1: also hop-by-hop). */
  private static Set<String> connectionTokens(MultiMap headers) {
    List<String> values = headers.getAll(HttpHeaders.CONNECTION);
    if (values.isEmpty()) {
      return Set.of();
    }
    Set<String> tokens = new HashSet<>();
    for (String v : values) {
      for (String t : v.split(",")) {
        String token = t.trim().toLowerCase(Locale.ROOT);
        if (!token.isEmpty() && !token.equals("close") && !token.equals("keep-alive")) {
          tokens.add(token);
        }
      }
    }
    return tokens;
  }
}
