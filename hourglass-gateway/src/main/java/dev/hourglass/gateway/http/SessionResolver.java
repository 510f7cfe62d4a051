package dev.hourglass.gateway.http;

import dev.hourglass.gateway.GatewayServices;
import dev.hourglass.gateway.session.Session;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Finds the request's session and decides, on the gateway's clock, whether it still counts: max
 * lifetime, then idle timeout (both enforced here on read; store expiry is only a clean-up hint),
 * then a due token refresh (single flight), then records the activity.
 */
public final class SessionResolver {
  /**
   * @param session the usable session, if any
   * @param reason why there is none: {@code no_cookie}, or the event type recorded
   *     ({@code SESSION_NOT_FOUND}, {@code SESSION_IDLE_EXPIRED}, {@code REFRESH_FAILED:invalid_grant} …)
   * @param opUnavailable the session exists but its tokens cannot be renewed right now
   * @param hadCookie a session cookie was present (so the browser should get it cleared)
   */
  public record Resolution(Optional<Session> session, String reason, boolean opUnavailable, boolean hadCookie) {
    static Resolution ok(Session s) {
      return new Resolution(Optional.of(s), null, false, true);
    }

    static Resolution none(String reason, boolean hadCookie) {
      return new Resolution(Optional.empty(), reason, false, hadCookie);
    }
  }

  private final GatewayServices g;

  /** How stale the recorded activity may get before a request writes it again. */
  static Duration touchGranularity(Duration idleTimeout) {
    Duration d = idleTimeout.dividedBy(100);
    return d.compareTo(Duration.ofSeconds(60)) > 0 ? Duration.ofSeconds(60) : d;
  }

  /** {@link #touchGranularity} of the configured idle timeout, worked out once (hot path). */
  private final Duration touchEvery;

  public SessionResolver(GatewayServices services) {
    this.g = services;
    this.touchEvery = touchGranularity(services.config().session().idleTimeout());
  }

  public Future<Resolution> resolve(HttpServerRequest req, Instant now) {
    Optional<String> id = g.sessionCookie().sessionId(req);
    if (id.isEmpty()) {
      return Future.succeededFuture(Resolution.none("no_cookie", false));
    }
    return resolve(id.get(), now);
  }

  public Future<Resolution> resolve(String id, Instant now) {
    // The log handle (an HMAC) is only worked out when an event needs it: not on the hot path.
    return g.store().load(id).compose(found -> {
      if (found.isEmpty()) {
        g.events().record("SESSION_NOT_FOUND", "session", g.hash(id));
        return Future.succeededFuture(Resolution.none("SESSION_NOT_FOUND", true));
      }
      Session s = found.get();
      Instant max = s.maxExpiresAt(g.config().session().maxLifetime());
      if (max != null && !now.isBefore(max)) {
        g.events().record("SESSION_MAX_EXPIRED", "session", g.hash(id), "max_expires_at", max.toString());
        return g.store().delete(id).map(v -> Resolution.none("SESSION_MAX_EXPIRED", true));
      }
      Instant idle = s.idleExpiresAt(g.config().session().idleTimeout());
      if (idle != null && !now.isBefore(idle)) {
        g.events().record("SESSION_IDLE_EXPIRED", "session", g.hash(id), "idle_expires_at", idle.toString());
        return g.store().delete(id).map(v -> Resolution.none("SESSION_IDLE_EXPIRED", true));
      }
      Future<Resolution> afterRefresh;
      if (g.refresher().deferred(s, now)) {
        afterRefresh = Future.succeededFuture(new Resolution(Optional.of(s), "REFRESH_DEFERRED:op_unreachable", true, true));
      } else if (g.refresher().due(s, now)) {
        afterRefresh = g.refresher().refresh(id, now, false).map(outcome -> {
          if (outcome.deferred()) {
            // The access token is still valid; each path's serve-on-op-outage decides.
            return new Resolution(outcome.session(), "REFRESH_DEFERRED:op_unreachable", true, true);
          }
          if (outcome.usable()) {
            return Resolution.ok(outcome.session().get());
          }
          if (!outcome.sessionEnded()) {
            return new Resolution(Optional.of(s), "REFRESH_FAILED:" + outcome.reason(), true, true);
          }
          return Resolution.none("REFRESH_FAILED:" + outcome.reason(), true);
        });
      } else {
        afterRefresh = Future.succeededFuture(Resolution.ok(s));
      }
      return afterRefresh.compose(r -> {
        if (r.session().isEmpty() || (r.opUnavailable() && r.session().get().tokens().accessTokenExpired(now))) {
          return Future.succeededFuture(r);
        }
        // Activity: move the idle window (serialised with refreshes, never clobbering rotated tokens).
        // Recorded at most every idle/100 (≤ 60 s) so a busy session is not a write per request.
        Duration idleTimeout = g.config().session().idleTimeout();
        if (idleTimeout.isZero() || Duration.between(r.session().get().lastSeenAt(), now).compareTo(touchEvery) < 0) {
          return Future.succeededFuture(r);
        }
        return g.updates().update(id, cur -> cur.lastSeenAt().isBefore(now) ? cur.withLastSeenAt(now) : null)
            .map(latest -> latest.map(s2 -> new Resolution(Optional.of(s2), r.reason(), r.opUnavailable(), true))
                .orElse(Resolution.none("SESSION_NOT_FOUND", true)));
      });
    });
  }
}
