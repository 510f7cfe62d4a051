package dev.hourglass.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.clock.ControllableClock;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The request-based lookups against real Vert.x requests, hostile headers included. */
class SessionCookieOverHttpTest {
  static final SessionCookie COOKIE = new SessionCookie(SessionCookie.DEFAULT_NAME, false);
  static final ControllableClock CLOCK = ControllableClock.startingAt(Sessions.T0);
  static final TransactionCookie TX = new TransactionCookie(Sessions.keys().transactionAead(), CLOCK, false);
  static Vertx vertx;
  static HttpServer server;
  static HttpClient client;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setMaxHeaderSize(256 * 1024))
        .requestHandler(req -> {
          String body;
          if (req.path().equals("/callback")) {
            body = TX.consume(req, req.getParam("state")).reason();
          } else {
            body = COOKIE.sessionId(req).orElse("none");
          }
          req.response().end(body);
        })
        .listen(0));
    client = vertx.createHttpClient(new HttpClientOptions());
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static String get(String uri, MultiMap headers) throws Exception {
    return await(client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
            .setPort(server.actualPort()).setURI(uri).setHeaders(headers))
        .compose(r -> r.send().compose(resp -> {
          assertThat(resp.statusCode()).isEqualTo(200);
          return resp.body();
        }))).toString();
  }

  @Test
  void sessionIdFromARealRequestIncludingSplitCookieHeaders() throws Exception {
    String id = SessionIds.newId();
    assertThat(get("/", MultiMap.caseInsensitiveMultiMap().add("Cookie", "a=1; _hourglass_session=" + id))).isEqualTo(id);
    assertThat(get("/", MultiMap.caseInsensitiveMultiMap().add("Cookie", "a=1").add("Cookie", "_hourglass_session=" + id))).isEqualTo(id);
    assertThat(get("/", MultiMap.caseInsensitiveMultiMap())).isEqualTo("none");
  }

  @Test
  void hostileCookieHeadersMeanNoSessionNotAnError() throws Exception {
    String id = SessionIds.newId();
    assertThat(get("/", MultiMap.caseInsensitiveMultiMap()
        .add("Cookie", "_hourglass_session=" + id).add("Cookie", "_hourglass_session=" + SessionIds.newId()))).isEqualTo("none");
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 500; i++) {
      many.append("c").append(i).append("=").append("v".repeat(100)).append("; ");
    }
    assertThat(get("/", MultiMap.caseInsensitiveMultiMap().add("Cookie", many + "_hourglass_session=" + id))).isEqualTo(id);
    assertThat(get("/", MultiMap.caseInsensitiveMultiMap().add("Cookie", "big=" + "x".repeat(64 * 1024) + "; _hourglass_session_chunks=99999999")))
        .isEqualTo("none");
  }

  @Test
  void transactionConsumedFromARealCallbackRequest() throws Exception {
    LoginTransaction t = LoginTransaction.start("http://op", "/", CLOCK.instant());
    String set = TX.setCookie(t);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Cookie", set.substring(0, set.indexOf(';')));
    assertThat(get("/callback?state=" + t.state(), headers)).isEqualTo("TX_OK");
    assertThat(get("/callback?state=" + t.state(), headers)).isEqualTo("TX_REPLAYED");
    assertThat(get("/callback", headers)).isEqualTo("TX_STATE_INVALID");
    assertThat(List.of(get("/callback?state=" + SessionIds.newId(), headers))).containsExactly("TX_MISSING");
  }
}
