package dev.hourglass.lab;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.core.clock.Durations;
import dev.hourglass.core.event.Event;
import dev.hourglass.core.http.AdminAccess;
import dev.hourglass.core.http.AdminAccess.Json;
import dev.hourglass.gateway.GatewayServices;
import dev.hourglass.gateway.http.SessionEndpoint;
import dev.hourglass.gateway.session.Session;
import dev.hourglass.op.DevOp;
import dev.hourglass.op.OpConfig;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The lab page and its controls, on the gateway's own port under {@code /oauth2/lab} so the page
 * sees the browser's gateway session. Loopback only; every control is a POST that must carry
 * {@code X-Hourglass-Lab: 1}, which a cross-site form cannot send.
 *
 * <ul>
 *   <li>{@code GET /oauth2/lab} the page; {@code GET /oauth2/lab/state} clock, session timeline
 *       (read without counting as activity), OP settings, events of OP and gateway in clock order
 *   <li>{@code POST /oauth2/lab/clock {"advance": "1h"}}, {@code /refresh}, {@code /rotate-keys},
 *       {@code /fault {"kind": "next-refresh-fails" | "op-down", "minutes": N | "clear"}},
 *       {@code /op-settings {"expired-hint": …, "refresh-returns-id-token": …}}
 * </ul>
 */
final class LabRoutes {
  private static final String PAGE = loadPage();
  private static final List<String> DEMO_USERS = OpConfig.demo().users().stream().map(OpConfig.User::username).toList();

  private final ControllableClock clock;
  private final DevOp op;
  private final GatewayServices gateway;
  private final SessionEndpoint describer;
  private final OpAdminClient admin;

  LabRoutes(ControllableClock clock, DevOp op, OpAdminClient admin, GatewayServices gateway) {
    this.clock = clock;
    this.op = op;
    this.gateway = gateway;
    this.describer = new SessionEndpoint(gateway, null, null);
    this.admin = admin;
  }

  void mount(Router router) {
    router.route("/oauth2/lab*").handler(AdminAccess.loopbackOnly());
    router.get("/oauth2/lab").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; frame-ancestors 'none'")
        .end(PAGE));
    router.get("/oauth2/lab/state").handler(this::state);
    router.post("/oauth2/lab/*").handler(BodyHandler.create().setBodyLimit(4096)).handler(this::requireLabHeader);
    router.post("/oauth2/lab/clock").handler(this::advance);
    router.post("/oauth2/lab/refresh").handler(this::refresh);
    router.post("/oauth2/lab/rotate-keys").handler(ctx -> {
      String kid = op.rotateKeys();
      Json.send(ctx, 200, new JsonObject().put("message", "OP signing key rotated; new kid " + kid));
    });
    router.post("/oauth2/lab/fault").handler(this::fault);
    router.post("/oauth2/lab/op-settings").handler(this::opSettings);
    router.post("/oauth2/lab/logout").handler(this::logoutUser);
  }

  private void requireLabHeader(RoutingContext ctx) {
    if (!"1".equals(ctx.request().getHeader("X-Hourglass-Lab"))) {
      Json.error(ctx, 403, "forbidden", "lab controls need the X-Hourglass-Lab: 1 header (sent by the lab page)");
      return;
    }
    ctx.next();
  }

  private void state(RoutingContext ctx) {
    Instant now = clock.instant();
    JsonObject body = new JsonObject()
        .put("now", now.toString())
        .put("now_epoch", now.getEpochSecond())
        .put("offset", Durations.format(clock.offset()))
        .put("users", new JsonArray(DEMO_USERS))
        .put("op", op.settings().describe())
        .put("events", events());
    Optional<String> id = gateway.sessionCookie().sessionId(ctx.request());
    if (id.isEmpty()) {
      Json.send(ctx, 200, body.putNull("session"));
      return;
    }
    gateway.store().load(id.get()).onComplete(ar -> {
      if (ar.succeeded() && ar.result().isPresent()) {
        Session s = ar.result().get();
        JsonObject view = describer.describe(s, now);
        Instant idle = s.idleExpiresAt(gateway.config().session().idleTimeout());
        Instant max = s.maxExpiresAt(gateway.config().session().maxLifetime());
        String ended = max != null && !now.isBefore(max) ? "max-lifetime" : idle != null && !now.isBefore(idle) ? "idle-timeout" : null;
        view.put("ended", ended);
        body.put("session", view);
      } else {
        body.putNull("session");
      }
      Json.send(ctx, 200, body);
    });
  }

  private JsonArray events() {
    List<Event> all = new ArrayList<>(op.events().snapshot());
    all.addAll(gateway.events().snapshot());
    all.sort(Comparator.comparing(Event::time).thenComparingLong(Event::seq));
    JsonArray out = new JsonArray();
    Instant origin = clock.origin();
    for (Event e : all.subList(Math.max(0, all.size() - 500), all.size())) {
      JsonObject o = new JsonObject(e.toMap());
      o.put("at", "+" + Durations.format(Duration.between(origin, e.time())));
      out.add(o);
    }
    return out;
  }

  private void advance(RoutingContext ctx) {
    JsonObject b = body(ctx);
    if (b == null) return;
    Object raw = b.getValue("advance");
    try {
      if (!(raw instanceof String s)) throw new IllegalArgumentException("advance: expected a duration such as 5m, 1h or PT1H");
      Duration d = Durations.parse(s);
      clock.advance(d); // the OP hears every move and records clock_changed
      Json.send(ctx, 200, new JsonObject().put("message", "clock advanced " + Durations.format(d)).put("now", clock.instant().toString()));
    } catch (IllegalArgumentException e) {
      Json.error(ctx, 400, "invalid_request", e.getMessage());
    }
  }

  private void refresh(RoutingContext ctx) {
    String sub = subject(ctx);
    if (sub != null) {
      // From the CLI: every gateway session of this user.
      gateway.store().findBySubject(op.issuer(), sub).compose(sessions -> {
        List<Future<String>> all = sessions.stream().map(s -> refreshNow(gateway, s.id())).toList();
        return Future.join(all).map(v -> sessions.size());
      }).onComplete(ar -> {
        if (ar.succeeded() && ar.result() > 0) {
          Json.send(ctx, 200, new JsonObject().put("message", "refreshed " + ar.result() + " session(s) of " + sub));
        } else if (ar.succeeded()) {
          Json.error(ctx, 404, "no_session", "no gateway session of " + sub);
        } else {
          Json.error(ctx, 502, "refresh_failed", ar.cause().getMessage());
        }
      });
      return;
    }
    Optional<String> id = gateway.sessionCookie().sessionId(ctx.request());
    if (id.isEmpty()) {
      Json.error(ctx, 409, "no_session", "log in first: there is no session to refresh");
      return;
    }
    refreshNow(gateway, id.get()).onComplete(ar -> {
      if (ar.succeeded()) {
        Json.send(ctx, 200, new JsonObject().put("message", ar.result()));
      } else {
        Json.error(ctx, 502, "refresh_failed", ar.cause().getMessage());
      }
    });
  }

  /** Forces a refresh of one session; the future holds the outcome's reason in words. */
  static Future<String> refreshNow(GatewayServices g, String sessionId) {
    return g.refresher().refresh(sessionId, g.clock().instant(), true).compose(outcome -> outcome.usable()
        ? Future.succeededFuture("tokens refreshed")
        : Future.failedFuture(new IllegalStateException("refresh did not succeed: " + outcome.reason())));
  }

  private void fault(RoutingContext ctx) {
    JsonObject b = body(ctx);
    if (b == null) return;
    String kind = b.getString("kind", "");
    JsonObject spec;
    switch (kind) {
      case "next-refresh-fails" -> spec = new JsonObject().put("endpoint", "token").put("count", 1).put("error", "invalid_grant");
      case "op-down" -> {
        Object m = b.getValue("minutes");
        if (!(m instanceof Number n) || n.intValue() < 1 || n.intValue() > 24 * 60) {
          Json.error(ctx, 400, "invalid_request", "minutes: a whole number from 1 to 1440");
          return;
        }
        // The OP is down for its token, userinfo and JWKS endpoints: what a gateway talks to.
        Future.all(List.of(
                admin.call("POST", "/_hourglass/faults", new JsonObject().put("endpoint", "token").put("down-for", n.intValue() + "m")),
                admin.call("POST", "/_hourglass/faults", new JsonObject().put("endpoint", "userinfo").put("down-for", n.intValue() + "m")),
                admin.call("POST", "/_hourglass/faults", new JsonObject().put("endpoint", "jwks").put("down-for", n.intValue() + "m"))))
            .onComplete(ar -> reply(ctx, ar.mapEmpty(), "OP down for " + n.intValue() + " minutes of lab time"));
        return;
      }
      case "clear" -> {
        admin.call("DELETE", "/_hourglass/faults", null).onComplete(ar -> reply(ctx, ar.mapEmpty(), "faults cleared"));
        return;
      }
      default -> {
        Json.error(ctx, 400, "invalid_request", "kind: expected next-refresh-fails, op-down or clear");
        return;
      }
    }
    admin.call("POST", "/_hourglass/faults", spec).onComplete(ar -> reply(ctx, ar.mapEmpty(), "the next refresh will fail with invalid_grant"));
  }

  /** Logs a user out at the OP (as if another app did); its back-channel logout ends the gateway sessions. */
  private void logoutUser(RoutingContext ctx) {
    String sub = subject(ctx);
    if (sub == null) {
      Json.error(ctx, 400, "invalid_request", "sub: which user to log out, e.g. {\"sub\": \"alice\"}");
      return;
    }
    admin.call("POST", "/_hourglass/logout", new JsonObject().put("sub", sub)).onComplete(ar -> reply(ctx, ar.mapEmpty(),
        "logged out " + sub + " at the OP (" + (ar.succeeded() ? ar.result().getValue("ended") : 0) + " OP session(s))"));
  }

  /** The {@code sub} of a JSON body, if the request has one. */
  private static String subject(RoutingContext ctx) {
    try {
      JsonObject b = ctx.body() == null || ctx.body().length() == 0 ? null : ctx.body().asJsonObject();
      Object sub = b == null ? null : b.getValue("sub");
      return sub instanceof String s && !s.isBlank() ? s : null;
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  private void opSettings(RoutingContext ctx) {
    JsonObject b = body(ctx);
    if (b == null) return;
    admin.call("POST", "/_hourglass/settings", b).onComplete(ar -> reply(ctx, ar.mapEmpty(), "OP settings changed"));
  }

  private static void reply(RoutingContext ctx, io.vertx.core.AsyncResult<Void> ar, String message) {
    if (ar.succeeded()) {
      Json.send(ctx, 200, new JsonObject().put("message", message));
    } else {
      Json.error(ctx, 400, "invalid_request", ar.cause().getMessage());
    }
  }

  private static JsonObject body(RoutingContext ctx) {
    try {
      JsonObject b = ctx.body().asJsonObject();
      if (b == null) throw new DecodeException("empty");
      return b;
    } catch (DecodeException | ClassCastException e) {
      Json.error(ctx, 400, "invalid_request", "body must be a JSON object");
      return null;
    }
  }

  private static String loadPage() {
    try (InputStream in = LabRoutes.class.getResourceAsStream("/dev/hourglass/lab/web/lab.html")) {
      if (in == null) throw new IllegalStateException("lab.html missing from the jar");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read lab.html", e);
    }
  }
}
