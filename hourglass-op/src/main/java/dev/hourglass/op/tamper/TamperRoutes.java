package dev.hourglass.op.tamper;

import dev.hourglass.core.http.AdminAccess;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code GET/POST/DELETE /_hourglass/tamper} (behind the admin guard) and the attacker's key set
 * at {@link Tampering#ATTACKER_JWKS_PATH} (public on purpose: it is what a jku header points at).
 *
 * <pre>
 * POST /_hourglass/tamper {"case": "aud-wrong", "client-id": "gateway", "count": 1}
 * DELETE /_hourglass/tamper
 * </pre>
 */
public final class TamperRoutes {
  private final Vertx vertx;
  private final Tampering tampering;
  private final Predicate<String> knownClient;

  public TamperRoutes(Vertx vertx, Tampering tampering, Predicate<String> knownClient) {
    this.vertx = vertx;
    this.tampering = tampering;
    this.knownClient = knownClient;
  }

  public void mountAdmin(Router r, AdminAccess access) {
    r.route("/_hourglass/tamper").handler(access);
    r.get("/_hourglass/tamper").handler(ctx -> AdminAccess.Json.send(ctx, 200, describe()));
    r.post("/_hourglass/tamper").handler(BodyHandler.create(false).setBodyLimit(16 * 1024)).handler(this::arm);
    r.delete("/_hourglass/tamper").handler(ctx -> {
      tampering.clear();
      AdminAccess.Json.send(ctx, 200, describe());
    });
  }

  public void mountPublic(Router r) {
    r.get(Tampering.ATTACKER_JWKS_PATH).handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject(tampering.attackerJwks().toJSONObject(true)).encode()));
  }

  private JsonObject describe() {
    JsonArray cases = new JsonArray();
    for (TamperCase c : TamperCase.values()) {
      cases.add(new JsonObject().put("case", c.configName()).put("kind", c.kind().name().toLowerCase(java.util.Locale.ROOT))
          .put("correct-rp", c.verdict().name().toLowerCase(java.util.Locale.ROOT)).put("description", c.description()));
    }
    return new JsonObject().put("armed", tampering.describe()).put("cases", cases);
  }

  private void arm(RoutingContext ctx) {
    TamperCase c;
    String clientId;
    int count;
    try {
      JsonObject b;
      try {
        b = ctx.body().asJsonObject();
      } catch (DecodeException | ClassCastException e) {
        b = null;
      }
      if (b == null) throw new IllegalArgumentException("body: expected a JSON object like {\"case\": \"aud-wrong\"}");
      for (String k : b.fieldNames()) {
        if (!Set.of("case", "client-id", "count").contains(k)) {
          throw new IllegalArgumentException(k + ": unknown key; expected case, client-id, count");
        }
      }
      if (!(b.getValue("case") instanceof String name)) throw new IllegalArgumentException("case: required, a case name");
      try {
        c = TamperCase.parse(name);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("case: " + e.getMessage());
      }
      Object cid = b.getValue("client-id");
      if (cid != null && !(cid instanceof String)) throw new IllegalArgumentException("client-id: expected a string");
      clientId = (String) cid;
      if (clientId != null && !knownClient.test(clientId)) {
        throw new IllegalArgumentException("client-id: unknown client '" + clientId + "'");
      }
      Object n = b.getValue("count");
      if (n == null) {
        count = 1;
      } else if ((n instanceof Integer || n instanceof Long) && ((Number) n).longValue() >= 1 && ((Number) n).longValue() <= 10_000) {
        count = ((Number) n).intValue();
      } else {
        throw new IllegalArgumentException("count: expected a whole number from 1 to 10000");
      }
    } catch (IllegalArgumentException e) {
      AdminAccess.Json.error(ctx, 400, "invalid_request", e.getMessage());
      return;
    }
    // Arming may generate keys (decoys, attacker key): off the event loop.
    vertx.executeBlocking(() -> {
      tampering.arm(c, clientId, count, "admin");
      return null;
    }, false).onComplete(ar -> {
      if (ar.succeeded()) {
        AdminAccess.Json.send(ctx, 200, describe());
      } else {
        AdminAccess.Json.error(ctx, 500, "server_error", "arming failed: " + ar.cause().getMessage());
      }
    });
  }
}
