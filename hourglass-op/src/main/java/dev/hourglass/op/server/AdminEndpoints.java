package dev.hourglass.op.server;

import dev.hourglass.core.clock.Durations;
import dev.hourglass.core.config.ConfigException;
import dev.hourglass.core.event.Event;
import dev.hourglass.core.http.AdminAccess;
import dev.hourglass.op.ExpiredHintPolicy;
import dev.hourglass.op.Fault;
import dev.hourglass.op.OpConfig;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * The {@code /_hourglass/} admin API beyond the clock: key rotation, faults, events, runtime
 * settings, client registration and a session list.
 */
final class AdminEndpoints {
  private static final int MAX_BODY = 64 * 1024;
  private final OpServer op;

  AdminEndpoints(OpServer op) {
    this.op = op;
  }

  void mount(Router r, AdminAccess access) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY);
    for (String p : new String[] {"/_hourglass/keys/rotate", "/_hourglass/faults", "/_hourglass/events",
        "/_hourglass/settings", "/_hourglass/clients", "/_hourglass/sessions", "/_hourglass/logout",
        "/_hourglass/revoke"}) {
      r.route(p).handler(access);
    }
    r.post("/_hourglass/keys/rotate").handler(this::rotate);
    r.get("/_hourglass/faults").handler(ctx -> AdminAccess.Json.send(ctx, 200,
        new JsonObject().put("faults", op.faults.describe(op.clock.instant()))));
    r.post("/_hourglass/faults").handler(body).handler(this::addFault);
    r.delete("/_hourglass/faults").handler(ctx -> {
      op.faults.clear();
      op.events.record("faults_cleared");
      AdminAccess.Json.send(ctx, 200, new JsonObject().put("faults", new JsonArray()));
    });
    r.get("/_hourglass/events").handler(this::events);
    r.delete("/_hourglass/events").handler(ctx -> {
      op.events.clear();
      AdminAccess.Json.send(ctx, 200, new JsonObject().put("cleared", true));
    });
    r.get("/_hourglass/settings").handler(ctx -> AdminAccess.Json.send(ctx, 200, op.settings.describe()));
    r.post("/_hourglass/settings").handler(body).handler(this::settings);
    r.get("/_hourglass/clients").handler(this::listClients);
    r.post("/_hourglass/clients").handler(body).handler(this::registerClient);
    r.get("/_hourglass/sessions").handler(this::sessions);
    r.post("/_hourglass/logout").handler(body).handler(this::logout);
    r.post("/_hourglass/revoke").handler(body).handler(this::revoke);
  }

  private void rotate(RoutingContext ctx) {
    op.vertx.executeBlocking(op::rotateKeys, false).onComplete(ar -> {
      if (ar.succeeded()) {
        AdminAccess.Json.send(ctx, 200, new JsonObject().put("kid", ar.result())
            .put("rotation-grace", op.config.keys().rotationGrace().toString()));
      } else {
        AdminAccess.Json.error(ctx, 500, "server_error", "key rotation failed");
      }
    });
  }

  private JsonObject jsonBody(RoutingContext ctx) {
    try {
      JsonObject o = ctx.body().asJsonObject();
      if (o == null) throw new IllegalArgumentException("body: expected a JSON object");
      return o;
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("body: expected a JSON object");
    }
  }

  private void addFault(RoutingContext ctx) {
    try {
      JsonObject b = jsonBody(ctx);
      for (String k : b.fieldNames()) {
        if (!Set.of("endpoint", "count", "error", "status", "delay", "down-for").contains(k)) {
          throw new IllegalArgumentException(k + ": unknown key; expected endpoint, count, error, status, delay, down-for");
        }
      }
      String endpoint = string(b, "endpoint");
      if (endpoint == null) throw new IllegalArgumentException("endpoint: required");
      Integer count = integer(b, "count");
      Integer status = integer(b, "status");
      String error = string(b, "error");
      Duration delay = duration(b, "delay");
      Duration downFor = duration(b, "down-for");
      Instant downUntil = downFor == null ? null : op.clock.instant().plus(downFor);
      Fault f = new Fault(endpoint, count == null ? 1 : count, error, status, delay, downUntil);
      op.faults.inject(f);
      op.events.record("fault_configured", "endpoint", f.endpoint(), "count", downUntil == null ? f.count() : null,
          "error", error, "status", status, "down_until", downUntil == null ? null : downUntil.toString());
      AdminAccess.Json.send(ctx, 200, new JsonObject().put("faults", op.faults.describe(op.clock.instant())));
    } catch (IllegalArgumentException e) {
      AdminAccess.Json.error(ctx, 400, "invalid_request", e.getMessage());
    }
  }

  private void events(RoutingContext ctx) {
    String type = ctx.queryParams().get("type");
    JsonArray a = new JsonArray();
    for (Event e : op.events.snapshot()) {
      if (type == null || type.equals(e.type())) {
        a.add(new JsonObject(e.toMap()));
      }
    }
    ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store").end(a.encode());
  }

  private void settings(RoutingContext ctx) {
    try {
      JsonObject b = jsonBody(ctx);
      for (String k : b.fieldNames()) {
        if (!Set.of("expired-hint", "refresh-returns-id-token", "auto-login", "client-id").contains(k)) {
          throw new IllegalArgumentException(k + ": unknown key; expected expired-hint, refresh-returns-id-token, auto-login, client-id");
        }
      }
      String clientId = string(b, "client-id");
      if (clientId != null && op.client(clientId).isEmpty()) {
        throw new IllegalArgumentException("client-id: unknown client '" + clientId + "'");
      }
      ExpiredHintPolicy hint = null;
      if (b.containsKey("expired-hint")) {
        try {
          hint = ExpiredHintPolicy.parse(string(b, "expired-hint"));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("expired-hint: " + e.getMessage());
        }
      }
      Boolean rrit = bool(b, "refresh-returns-id-token");
      Boolean autoLogin = bool(b, "auto-login");
      if (hint != null) op.settings.setExpiredHintPolicy(hint);
      if (rrit != null) op.settings.setRefreshReturnsIdToken(clientId, rrit);
      if (autoLogin != null) op.settings.setAutoLogin(autoLogin);
      op.events.record("settings_changed", "client_id", clientId, "expired_hint", hint == null ? null : hint.configName(),
          "refresh_returns_id_token", rrit, "auto_login", autoLogin);
      AdminAccess.Json.send(ctx, 200, op.settings.describe());
    } catch (IllegalArgumentException e) {
      AdminAccess.Json.error(ctx, 400, "invalid_request", e.getMessage());
    }
  }

  private void listClients(RoutingContext ctx) {
    JsonArray a = new JsonArray();
    op.clients.values().stream().sorted((x, y) -> x.clientId().compareTo(y.clientId())).forEach(c -> a.add(
        new JsonObject().put("client-id", c.clientId()).put("public", c.isPublic())
            .put("redirect-uris", new JsonArray(c.redirectUris()))
            .put("post-logout-redirect-uris", new JsonArray(c.postLogoutRedirectUris()))
            .put("backchannel-logout-uri", c.backchannelLogoutUri())
            .put("frontchannel-logout-uri", c.frontchannelLogoutUri())));
    AdminAccess.Json.send(ctx, 200, new JsonObject().put("clients", a));
  }

  private void registerClient(RoutingContext ctx) {
    String text = ctx.body().asString();
    if (text == null || text.isBlank()) {
      AdminAccess.Json.error(ctx, 400, "invalid_request", "body: expected a JSON client like {\"client-id\": \"x\", \"redirect-uris\": [...]}");
      return;
    }
    try {
      // JSON is YAML: the same binder and the same messages as a clients[] entry in op.yaml.
      OpConfig.Client c = OpConfig.parseClient("POST /_hourglass/clients", text);
      op.registerClient(c);
      AdminAccess.Json.send(ctx, 201, new JsonObject().put("client-id", c.clientId()).put("public", c.isPublic()));
    } catch (ConfigException e) {
      AdminAccess.Json.error(ctx, 400, "invalid_request", e.getMessage());
    }
  }

  private void sessions(RoutingContext ctx) {
    Instant now = op.clock.instant();
    JsonArray a = new JsonArray();
    for (OpState.Session s : op.state.sessions.values()) {
      a.add(new JsonObject().put("sid", s.sid).put("sub", s.sub).put("username", s.username)
          .put("auth_time", s.authTime.toString()).put("expires_at", s.expiresAt.toString())
          .put("ended_at", s.endedAt == null ? null : s.endedAt.toString())
          .put("active", s.activeAt(now)).put("clients", new JsonArray(s.clients.stream().sorted().toList())));
    }
    AdminAccess.Json.send(ctx, 200, new JsonObject().put("sessions", a));
  }

  /** {@code {"sub": "alice"}} or {@code {"sid": "…"}}: an OP-side logout (back-channel included). */
  private void logout(RoutingContext ctx) {
    String who;
    try {
      JsonObject b = jsonBody(ctx);
      who = string(b, "sub") != null ? string(b, "sub") : string(b, "sid");
      if (who == null) throw new IllegalArgumentException("sub: give \"sub\" or \"sid\"");
    } catch (IllegalArgumentException e) {
      AdminAccess.Json.error(ctx, 400, "invalid_request", e.getMessage());
      return;
    }
    op.endSessions(who, "admin").onComplete(ar ->
        AdminAccess.Json.send(ctx, 200, new JsonObject().put("ended", ar.succeeded() ? ar.result() : 0)));
  }

  /** {@code {"sub": "alice"}}: revokes the user's grants, so the next refresh fails with invalid_grant. */
  private void revoke(RoutingContext ctx) {
    try {
      String sub = string(jsonBody(ctx), "sub");
      if (sub == null) throw new IllegalArgumentException("sub: required");
      AdminAccess.Json.send(ctx, 200, new JsonObject().put("revoked", op.revokeGrants(sub, "admin")));
    } catch (IllegalArgumentException e) {
      AdminAccess.Json.error(ctx, 400, "invalid_request", e.getMessage());
    }
  }

  private static String string(JsonObject b, String key) {
    Object v = b.getValue(key);
    if (v == null) return null;
    if (!(v instanceof String s)) throw new IllegalArgumentException(key + ": expected a string");
    return s;
  }

  private static Integer integer(JsonObject b, String key) {
    Object v = b.getValue(key);
    if (v == null) return null;
    if (!(v instanceof Integer || v instanceof Long)) throw new IllegalArgumentException(key + ": expected a whole number");
    long l = ((Number) v).longValue();
    if (l < 0 || l > 1_000_000) throw new IllegalArgumentException(key + ": out of range");
    return (int) l;
  }

  private static Boolean bool(JsonObject b, String key) {
    Object v = b.getValue(key);
    if (v == null) return null;
    if (!(v instanceof Boolean x)) throw new IllegalArgumentException(key + ": expected true or false");
    return x;
  }

  private static Duration duration(JsonObject b, String key) {
    String s = string(b, key);
    if (s == null) return null;
    try {
      return Durations.parse(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage());
    }
  }
}
