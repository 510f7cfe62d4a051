package dev.hourglass.core.http;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.core.clock.Durations;
import dev.hourglass.core.event.EventLog;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * {@code GET/POST /_hourglass/clock}: the same clock API on the dev OP and on a gateway running
 * {@code clock: virtual}.
 *
 * <ul>
 *   <li>{@code GET} → {@code {"now": "<ISO-8601>", "offset": "<ISO-8601 duration>", "controllable": bool}}
 *   <li>{@code POST {"advance": "PT1H"}} (or {@code "1h"}) or {@code {"set": "<ISO instant>"}};
 *       going backwards gets 400 with a message.
 * </ul>
 *
 * Each move is recorded as a {@code clock_changed} event.
 */
public final class ClockAdminRoutes {
  private static final int MAX_BODY = 4096;

  private final Clock clock;
  private final EventLog events;

  public ClockAdminRoutes(Clock clock, EventLog events) {
    this.clock = clock;
    this.events = events;
  }

  /** Mounts the routes on {@code router}, behind {@code access}. */
  public void mount(Router router, AdminAccess access) {
    router.route("/_hourglass/clock").handler(access);
    router.get("/_hourglass/clock").handler(this::show);
    router.post("/_hourglass/clock").handler(BodyHandler.create().setBodyLimit(MAX_BODY)).handler(this::move);
  }

  private void show(RoutingContext ctx) {
    AdminAccess.Json.send(ctx, 200, describe());
  }

  /** The clock as the API shows it. */
  public JsonObject describe() {
    JsonObject body = new JsonObject().put("now", clock.instant().toString());
    if (clock instanceof ControllableClock c) {
      body.put("offset", c.offset().toString()).put("controllable", true);
    } else {
      body.put("offset", Duration.ZERO.toString()).put("controllable", false);
    }
    return body;
  }

  private void move(RoutingContext ctx) {
    if (!(clock instanceof ControllableClock c)) {
      AdminAccess.Json.error(ctx, 409, "clock_not_controllable",
          "this server runs on the system clock; start it with clock: virtual");
      return;
    }
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      AdminAccess.Json.error(ctx, 400, "invalid_request", "body must be JSON like {\"advance\": \"PT1H\"} or {\"set\": \"2030-01-01T00:00:00Z\"}");
      return;
    }
    if (body == null || (body.containsKey("advance") == body.containsKey("set"))) {
      AdminAccess.Json.error(ctx, 400, "invalid_request", "give exactly one of \"advance\" (a duration) or \"set\" (an ISO instant)");
      return;
    }
    Instant before = c.instant();
    try {
      if (body.containsKey("advance")) {
        Object raw = body.getValue("advance");
        if (!(raw instanceof String s)) {
          throw new IllegalArgumentException("advance: expected a duration string such as PT1H or 1h");
        }
        c.advance(Durations.parse(s));
      } else {
        Object raw = body.getValue("set");
        if (!(raw instanceof String s)) {
          throw new IllegalArgumentException("set: expected an ISO-8601 instant");
        }
        c.set(Instant.parse(s));
      }
    } catch (DateTimeParseException e) {
      AdminAccess.Json.error(ctx, 400, "invalid_request", "set: not an ISO-8601 instant such as 2030-01-01T00:00:00Z");
      return;
    } catch (IllegalArgumentException e) {
      AdminAccess.Json.error(ctx, 400, "invalid_request", e.getMessage());
      return;
    }
    if (events != null && !c.instant().equals(before)) {
      events.record("clock_changed", "from", before.toString(), "to", c.instant().toString(),
          "advanced", Duration.between(before, c.instant()).toString());
    }
    AdminAccess.Json.send(ctx, 200, describe());
  }
}
