package dev.hourglass.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.event.Event;
import dev.hourglass.op.junit.DevOpExtension;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Logout that starts at the OP: the dev OP posts a back-channel logout token to the gateway, or
 * renders a front-channel iframe, and the gateway session ends.
 */
class BackchannelLogoutEndToEndTest {
  @RegisterExtension
  DevOpExtension opExtension = DevOpExtension.builder().clockStartingAt(Instant.parse("2030-01-01T08:00:00Z")).build();

  private GatewayHarness h;
  private HttpServer tap;
  private HttpClient forward;
  private final List<String> captured = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    if (tap != null) GatewayHarness.await(tap.close());
    if (forward != null) GatewayHarness.await(forward.close());
    if (h != null) h.close();
  }

  /** Sits between the OP and the gateway's back-channel endpoint and keeps each body (to replay it). */
  private String startTap(int gatewayPort) {
    forward = opExtension.vertx().createHttpClient();
    tap = GatewayHarness.await(opExtension.vertx().createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      captured.add(body.toString());
      forward.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gatewayPort)
              .setURI("/oauth2/backchannel-logout").putHeader("Content-Type", req.getHeader("Content-Type")))
          .compose(r -> r.send(body))
          .onSuccess(resp -> req.response().setStatusCode(resp.statusCode()).end())
          .onFailure(e -> req.response().setStatusCode(599).end());
    })).listen(0, "127.0.0.1"));
    return "http://127.0.0.1:" + tap.actualPort() + "/bcl";
  }

  @Test
  void logoutAtTheOpEndsTheGatewaySessionAndAReplayedLogoutTokenGets400() {
    h = new GatewayHarness(opExtension);
    String tapUrl = startTap(h.gatewayPort);
    h.start(c -> c.withBackchannelLogoutUri(tapUrl), "", "");
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    GatewayHarness.Browser other = h.browser();
    assertThat(other.login("bob", "/").statusCode()).isEqualTo(200);
    assertThat(b.get("/oauth2/session").statusCode()).isEqualTo(200);

    // The user logs out at the OP directly (client_id only → the OP asks; the test confirms).
    HttpResponse<String> confirm = b.get(h.op.issuer() + "/logout?client_id=" + GatewayHarness.CLIENT_ID);
    assertThat(confirm.statusCode()).isEqualTo(200);
    LogoutEndToEndTest.submitOpConfirmation(b, confirm);

    assertThat(h.opEvents("backchannel_sent", "status", "200")).isEqualTo(1);
    List<Event> logout = h.gatewayEvents("BACKCHANNEL_LOGOUT");
    assertThat(logout).hasSize(1);
    assertThat(logout.get(0).field("sessions_ended")).isEqualTo("1");
    assertThat(logout.get(0).field("matched_by")).isEqualTo("sid");
    assertThat(b.get("/oauth2/session").statusCode()).isEqualTo(401);
    assertThat(other.get("/oauth2/session").statusCode()).as("bob's session is untouched").isEqualTo(200);

    // The same logout token again: replay → 400, no-store.
    assertThat(captured).hasSize(1);
    HttpResponse<String> replay = b.send(HttpRequest.newBuilder(URI.create(h.publicUrl + "/oauth2/backchannel-logout"))
        .POST(HttpRequest.BodyPublishers.ofString(captured.get(0))), "Content-Type", "application/x-www-form-urlencoded");
    assertThat(replay.statusCode()).isEqualTo(400);
    assertThat(replay.headers().firstValue("Cache-Control")).contains("no-store");
    assertThat(new JsonObject(replay.body()).getString("error")).isEqualTo("invalid_request");
    assertThat(h.gatewayEvents("BACKCHANNEL_REJECTED:replay")).hasSize(1);
  }

  @Test
  void frontChannelIframeFromTheOpEndsTheMatchingSessionAndIgnoresMismatches() {
    h = new GatewayHarness(opExtension);
    h.start(c -> c.withFrontchannelLogoutUri(h.publicUrl + "/oauth2/frontchannel-logout"), "", "");
    GatewayHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(200);
    String sid = GatewayHarness.await(h.gateway.store().load(cookie(b))).orElseThrow().opSessionId();
    assertThat(sid).isNotNull();

    // Mismatches are ignored: wrong issuer, unknown sid, missing parameters — still 200.
    for (String q : List.of("iss=http://evil.example&sid=" + sid, "iss=" + h.op.issuer() + "&sid=nope", "sid=" + sid, "")) {
      HttpResponse<String> r = h.browser().get("/oauth2/frontchannel-logout?" + q);
      assertThat(r.statusCode()).as(q).isEqualTo(200);
      assertFrontChannelHeaders(r);
    }
    assertThat(h.gatewayEvents("FRONTCHANNEL_IGNORED:iss")).hasSize(1);
    assertThat(h.gatewayEvents("FRONTCHANNEL_IGNORED:unknown_sid")).hasSize(1);
    assertThat(h.gatewayEvents("FRONTCHANNEL_IGNORED:params")).hasSize(2);
    assertThat(b.get("/oauth2/session").statusCode()).isEqualTo(200);

    HttpResponse<String> confirm = b.get(h.op.issuer() + "/logout?client_id=" + GatewayHarness.CLIENT_ID);
    HttpResponse<String> signedOut = LogoutEndToEndTest.submitOpConfirmation(b, confirm);
    Matcher frame = Pattern.compile("<iframe class=\"frontchannel\" src=\"([^\"]+)\"").matcher(signedOut.body());
    assertThat(frame.find()).as(signedOut.body()).isTrue();
    HttpResponse<String> r = b.get(frame.group(1).replace("&amp;", "&"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertFrontChannelHeaders(r);
    assertThat(h.gatewayEvents("FRONTCHANNEL_LOGOUT")).hasSize(1);
    assertThat(b.get("/oauth2/session").statusCode()).isEqualTo(401);
  }

  private void assertFrontChannelHeaders(HttpResponse<String> r) {
    assertThat(r.headers().firstValue("Cache-Control")).contains("no-cache, no-store");
    assertThat(r.headers().firstValue("Pragma")).contains("no-cache");
    URI op = URI.create(h.op.issuer());
    assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("frame-ancestors http://127.0.0.1:" + op.getPort());
  }

  private static String cookie(GatewayHarness.Browser b) {
    return b.jar.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("_hourglass_session"))
        .map(java.net.HttpCookie::getValue).findFirst().orElseThrow();
  }
}
