package dev.hourglass.gateway.interop;

import dev.hourglass.core.clock.Clocks;
import dev.hourglass.core.event.Event;
import dev.hourglass.gateway.Gateway;
import dev.hourglass.gateway.GatewayConfig;
import dev.hourglass.core.testing.TestSupport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The real gateway, in-process on the SYSTEM clock (a real OP runs on real time), in front of an
 * echo upstream (answers every request with its path and headers as JSON), plus a recorder the OP's
 * back-channel logout goes through: it forwards each POST unchanged to the gateway's
 * {@code /oauth2/backchannel-logout}, answers with the gateway's status and keeps the body, so a
 * test can read what the OP sent and replay it.
 *
 * <p>The gateway's port is chosen before the OP is configured, because the OP's client
 * registration must list {@code <public-url>/oauth2/callback}.
 */
final class GatewayUnderTest implements AutoCloseable {
  static final String SECRET = "interop-session-secret-0123456789abcdef";

  final Vertx vertx = Vertx.vertx();
  final Clock clock = Clocks.system();
  final int port = freePort();
  final String publicUrl = "http://127.0.0.1:" + port;
  private HttpServer upstream;
  private HttpServer recorder;
  private HttpClient forwarder;
  /** Every back-channel logout request body the OP sent (form-encoded, with {@code logout_token}). */
  final List<String> backchannelBodies = new CopyOnWriteArrayList<>();
  /** The gateway's status for each of them, in the same order. */
  final List<Integer> backchannelStatuses = new CopyOnWriteArrayList<>();
  Gateway gateway;

  GatewayUnderTest() {
    upstream = await(vertx.createHttpServer().requestHandler(req -> {
      JsonObject headers = new JsonObject();
      req.headers().forEach(e -> headers.put(e.getKey(), e.getValue()));
      req.body().onSuccess(body -> req.response().putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("path", req.uri()).put("method", req.method().name())
              .put("headers", headers).encode()));
    }).listen(0, "127.0.0.1"));
    forwarder = vertx.createHttpClient();
    recorder = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      backchannelBodies.add(body.toString());
      RequestOptions to = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
          .setURI("/oauth2/backchannel-logout").putHeader("Content-Type", req.getHeader("Content-Type"));
      forwarder.request(to)
          .compose(r -> r.send(body))
          .compose(resp -> resp.body().map(b -> resp.statusCode()))
          .onComplete(ar -> {
            int status = ar.succeeded() ? ar.result() : 599;
            backchannelStatuses.add(status);
            req.response().setStatusCode(status == 599 ? 502 : status).end();
          });
    })).listen(0, "127.0.0.1"));
  }

  /** Where the OP must send back-channel logout tokens (the recorder in front of the gateway). */
  String backchannelLogoutUri() {
    return "http://127.0.0.1:" + recorder.actualPort() + "/oauth2/backchannel-logout";
  }

  /** Starts the gateway against {@code issuer}; {@code extraYaml} is appended to the config. */
  void start(String issuer, String sessionYaml, String extraYaml) {
    String yaml = """
        listen: 127.0.0.1:%d
        public-url: %s
        upstream: http://127.0.0.1:%d
        provider:
          issuer: %s
          client-id: gateway
          client-secret: ${GATEWAY_CLIENT_SECRET}
          scopes: [openid, profile, email]
        session:
          secret: %s
        %s
        clock-skew: 60s
        clock: system
        %s
        """.formatted(port, publicUrl, upstream.actualPort(), issuer, SECRET, sessionYaml.indent(2).stripTrailing(), extraYaml);
    GatewayConfig config = GatewayConfig.parse("interop-gateway.yaml", yaml, Map.of("GATEWAY_CLIENT_SECRET", "gateway-secret"));
    gateway = await(Gateway.start(vertx, clock, config));
    try {
      gateway.ready().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the gateway did not load " + issuer + " (discovery + JWKS) in 30 s; events: "
          + gateway.events().snapshot().stream().map(Event::toMap).toList(), e);
    }
  }

  String url(String path) {
    return publicUrl + path;
  }

  List<Event> events(String type) {
    return gateway.events().snapshot().stream().filter(e -> e.type().equals(type)).toList();
  }

  long count(String type) {
    return events(type).size();
  }

  /** Every event type so far, for failure messages. */
  List<String> eventTypes() {
    return gateway.events().snapshot().stream().map(Event::type).toList();
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
      if (gateway != null) await(gateway.close());
    } finally {
      await(vertx.close());
    }
  }
}
