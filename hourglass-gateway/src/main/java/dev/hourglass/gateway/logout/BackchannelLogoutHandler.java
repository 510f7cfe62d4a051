package dev.hourglass.gateway.logout;

import dev.hourglass.gateway.GatewayServices;
import dev.hourglass.gateway.session.Session;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /oauth2/backchannel-logout} (Back-Channel Logout 1.0 §2.5–2.8): the OP posts a
 * {@code logout_token}; when it validates ({@link LogoutTokenVerifier}) the gateway sessions with
 * that {@code sid} (or, without a sid, that {@code sub}) end at once. 200 on success — also when no
 * session matches, since the RP may simply have no session any more — and 400 with an OAuth error
 * JSON on any failure; always {@code Cache-Control: no-store} (§2.8).
 */
public final class BackchannelLogoutHandler {
  /** The body is one form field holding a JWT: 64 KiB is far more than any real token. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  private final GatewayServices g;
  private final LogoutTokenVerifier verifier;

  public BackchannelLogoutHandler(GatewayServices services, LogoutTokenVerifier verifier) {
    this.g = services;
    this.verifier = verifier;
  }

  public void handle(RoutingContext ctx) {
    Instant now = g.clock().instant();
    ctx.response().putHeader("Cache-Control", "no-store");
    FormBody.read(ctx.request(), MAX_BODY_BYTES).onComplete(ar -> {
      if (ar.failed()) {
        String why = ar.cause() instanceof FormBody.Refused r ? r.reason : "malformed";
        reject(ctx, why.equals("content_type") ? "malformed" : why, ar.cause().getMessage());
        return;
      }
      List<String> tokens = ar.result().get("logout_token");
      if (tokens == null || tokens.size() != 1) {
        reject(ctx, "malformed", tokens == null ? "the form has no logout_token" : "logout_token was sent more than once");
        return;
      }
      if (!g.provider().ready()) {
        g.events().record(LogoutEvents.BACKCHANNEL_REJECTED + ":not_ready");
        send(ctx, 503, new JsonObject().put("error", "temporarily_unavailable")
            .put("error_description", "the gateway has not loaded the provider's keys yet"));
        return;
      }
      verifier.verify(tokens.get(0), now).onComplete(vr -> {
        if (vr.failed()) {
          if (vr.cause() instanceof LogoutTokenRejectedException r) {
            reject(ctx, r.reason(), r.getMessage());
          } else {
            reject(ctx, "malformed", "the logout token could not be validated");
          }
          return;
        }
        endSessions(ctx, vr.result());
      });
    });
  }

  private void endSessions(RoutingContext ctx, LogoutTokenVerifier.Verified t) {
    Future<List<Session>> found = t.sid() != null
        ? g.store().findByOpSessionId(t.issuer(), t.sid())
        : g.store().findBySubject(t.issuer(), t.subject());
    found.compose(sessions -> {
      List<Future<Boolean>> deletes = new ArrayList<>();
      for (Session s : sessions) {
        // With both sid and sub, both must match (§2.6 (10), (11)).
        if (t.subject() != null && !t.subject().equals(s.subject())) continue;
        deletes.add(g.store().delete(s.id()));
      }
      return Future.join(deletes).map(cf -> deletes.stream().filter(f -> f.succeeded() && Boolean.TRUE.equals(f.result())).count());
    }).onComplete(ar -> {
      if (ar.failed()) {
        g.events().record(LogoutEvents.BACKCHANNEL_REJECTED + ":store", "sid", t.sid(), "sub", t.subject());
        send(ctx, 503, new JsonObject().put("error", "temporarily_unavailable")
            .put("error_description", "the session store cannot be reached"));
        return;
      }
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("sessions_ended", ar.result());
      fields.put("sid", t.sid());
      fields.put("sub", t.subject());
      fields.put("matched_by", t.sid() != null ? "sid" : "sub");
      g.events().record(LogoutEvents.BACKCHANNEL_LOGOUT, fields);
      ctx.response().setStatusCode(200).putHeader("Cache-Control", "no-store").end();
    });
  }

  private void reject(RoutingContext ctx, String reason, String description) {
    g.events().record(LogoutEvents.BACKCHANNEL_REJECTED + ":" + reason, "detail", description);
    send(ctx, 400, new JsonObject().put("error", "invalid_request").put("error_description", description));
  }

  private static void send(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) return;
    ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(body.encode());
  }
}
