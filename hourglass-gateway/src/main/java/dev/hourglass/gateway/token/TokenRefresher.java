package dev.hourglass.gateway.token;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.hourglass.core.event.EventLog;
import dev.hourglass.core.jose.IdTokenRejectedException;
import dev.hourglass.core.model.TokenSet;
import dev.hourglass.gateway.oidc.OAuthError;
import dev.hourglass.gateway.oidc.OidcProvider;
import dev.hourglass.gateway.oidc.TokenResponse;
import dev.hourglass.gateway.session.Session;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Refreshes a session's tokens {@code refreshLead} before the access token expires.
 *
 * <p>Single flight per session: concurrent requests for the same session share one refresh
 * grant (one Future); a request that arrives after the flight ended re-reads the store and finds
 * nothing left to do. With refresh-token rotation and reuse detection at the OP (revoke-family),
 * a second grant with the old refresh token would kill the whole family, so this matters.
 *
 * <p>Failure policy: an OAuth error ({@code invalid_grant} …) ends the session; an OP that cannot
 * be reached while the access token is still valid defers the refresh (the request is served, a
 * retry happens after {@link #RETRY_AFTER_OUTAGE}); unreachable with an expired access token
 * fails but keeps the session, so it recovers when the OP is back.
 */
public final class TokenRefresher {
  static final Duration RETRY_AFTER_OUTAGE = Duration.ofSeconds(10);

  /** What a refresh attempt produced. */
  public record Outcome(Optional<Session> session, String reason, boolean sessionEnded, boolean deferred) {
    public Outcome(Optional<Session> session, String reason, boolean sessionEnded) {
      this(session, reason, sessionEnded, false);
    }

    public static Outcome ok(Session s) {
      return new Outcome(Optional.of(s), null, false);
    }

    /** True when the request can go on with {@link #session()}. */
    public boolean usable() {
      return session.isPresent();
    }
  }

  private final OidcProvider provider;
  private final SessionUpdates updates;
  private final EventLog events;
  private final Duration refreshLead;
  private final Function<String, String> sessionHash;
  private final Map<String, Future<Outcome>> inFlight = new ConcurrentHashMap<>();
  private final Map<String, Instant> retryAfter = new ConcurrentHashMap<>();

  public TokenRefresher(OidcProvider provider, SessionUpdates updates, EventLog events, Duration refreshLead,
      Function<String, String> sessionHash) {
    this.provider = provider;
    this.updates = updates;
    this.events = events;
    this.refreshLead = refreshLead;
    this.sessionHash = sessionHash;
  }

  /** True when {@code s} should be refreshed at {@code now} (and no outage back-off holds). */
  public boolean due(Session s, Instant now) {
    if (!s.tokens().refreshDue(now, refreshLead)) {
      return false;
    }
    Instant wait = retryAfter.get(s.id());
    return wait == null || !now.isBefore(wait) || s.tokens().accessTokenExpired(now);
  }

  /**
   * True when a refresh is due but waiting out the back-off after the OP was unreachable, while
   * the access token is still valid: serve per the path's {@code serve-on-op-outage}.
   */
  public boolean deferred(Session s, Instant now) {
    if (!s.tokens().refreshDue(now, refreshLead) || s.tokens().accessTokenExpired(now)) {
      return false;
    }
    Instant wait = retryAfter.get(s.id());
    return wait != null && now.isBefore(wait);
  }

  /** Refreshes if still due; concurrent callers for the same session share the same Future. */
  public Future<Outcome> refresh(String sessionId, Instant now, boolean force) {
    Promise<Outcome> promise;
    synchronized (inFlight) {
      Future<Outcome> running = inFlight.get(sessionId);
      if (running != null) {
        return running;
      }
      promise = Promise.promise();
      inFlight.put(sessionId, promise.future());
    }
    Future<Outcome> mine = promise.future();
    run(sessionId, now, force).onComplete(ar -> {
      inFlight.remove(sessionId, mine);
      if (ar.succeeded()) {
        promise.complete(ar.result());
      } else {
        promise.complete(new Outcome(Optional.empty(), "internal", false));
      }
    });
    return mine;
  }

  private Future<Outcome> run(String id, Instant now, boolean force) {
    String hash = sessionHash.apply(id);
    return updates.store().load(id).compose(found -> {
      if (found.isEmpty()) {
        return Future.succeededFuture(new Outcome(Optional.empty(), "session_gone", true));
      }
      Session s = found.get();
      // Another flight may have refreshed already: re-check on the latest record.
      if (!force && !s.tokens().refreshDue(now, refreshLead)) {
        return Future.succeededFuture(Outcome.ok(s));
      }
      if (!s.tokens().hasRefreshToken()) {
        return Future.succeededFuture(Outcome.ok(s));
      }
      TokenSet old = s.tokens();
      return provider.refresh(old.refreshToken())
          .compose(resp -> {
            if (resp.idToken() == null) {
              return Future.succeededFuture(new Granted(resp, null));
            }
            JWTClaimsSet original;
            try {
              original = JWTClaimsSet.parse(s.idTokenClaims());
            } catch (java.text.ParseException e) {
              original = new JWTClaimsSet.Builder().issuer(s.issuer()).subject(s.subject()).build();
            }
            return provider.verifier().verifyRefreshed(resp.idToken(), original)
                .map(v -> new Granted(resp, v.claims()));
          })
          .compose(granted -> {
            TokenResponse resp = granted.response();
            JWTClaimsSet claims = granted.idTokenClaims();
            TokenSet fresh = Tokens.from(resp, claims, old, now);
            Map<String, Object> newClaims = claims == null ? null : claims.toJSONObject();
            return updates.update(id, cur -> cur.withTokens(fresh, newClaims)).map(saved -> {
              retryAfter.remove(id);
              if (saved.isEmpty()) {
                return new Outcome(Optional.empty(), "session_gone", true);
              }
              events.record("REFRESH_OK", "session", hash,
                  "access_token_expires", fresh.accessTokenExpiresAt() == null ? null : fresh.accessTokenExpiresAt().toString(),
                  "rotated", resp.refreshToken() != null, "id_token_renewed", claims != null);
              return Outcome.ok(saved.get());
            });
          })
          .recover(err -> failed(s, hash, err, now));
    });
  }

  /** A refresh answer and, when it carried one, its validated ID token's claims. */
  private record Granted(TokenResponse response, JWTClaimsSet idTokenClaims) {}

  private Future<Outcome> failed(Session s, String hash, Throwable err, Instant now) {
    if (err instanceof OAuthError oe && oe.opUnavailable()) {
      retryAfter.put(s.id(), now.plus(RETRY_AFTER_OUTAGE));
      if (!s.tokens().accessTokenExpired(now)) {
        events.record("REFRESH_DEFERRED:op_unreachable", "session", hash,
            "access_token_expires", String.valueOf(s.tokens().accessTokenExpiresAt()));
        return Future.succeededFuture(new Outcome(Optional.of(s), "op_unreachable", false, true));
      }
      events.record("REFRESH_FAILED:op_unreachable", "session", hash, "next", "retry when the OP is back");
      return Future.succeededFuture(new Outcome(Optional.empty(), "op_unreachable", false));
    }
    String reason;
    if (err instanceof OAuthError oe) {
      reason = oe.error();
      events.record("REFRESH_FAILED:" + reason, "session", hash, "status", oe.status(), "next", "session ended: re-login");
    } else if (err instanceof IdTokenRejectedException r) {
      reason = "id_token_" + r.reason();
      events.record(r.eventType(), "session", hash, "phase", "refresh", "detail", r.getMessage());
    } else {
      reason = "internal";
      events.record("REFRESH_FAILED:internal", "session", hash, "detail", err.getClass().getSimpleName());
    }
    retryAfter.remove(s.id());
    return updates.store().delete(s.id()).map(v -> new Outcome(Optional.empty(), reason, true));
  }
}
