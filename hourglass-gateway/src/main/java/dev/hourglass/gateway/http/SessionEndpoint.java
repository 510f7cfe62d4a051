package dev.hourglass.gateway.http;

import dev.hourglass.core.model.TokenSet;
import dev.hourglass.gateway.GatewayServices;
import dev.hourglass.gateway.authz.Claims;
import dev.hourglass.gateway.logout.LogoutPlanner;
import dev.hourglass.gateway.session.Session;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * {@code /oauth2/session} (mod_auth_openidc info-hook fields plus a timeline) and
 * {@code /oauth2/userinfo}. Reading either counts as activity and runs a due refresh, so the
 * session endpoint keeps working for as long as the session does.
 */
public final class SessionEndpoint {
  private final GatewayServices g;
  private final SessionResolver resolver;
  private final Unauthenticated unauthenticated;
  private final LogoutPlanner logout;

  public SessionEndpoint(GatewayServices services, SessionResolver resolver, Unauthenticated unauthenticated) {
    this.g = services;
    this.resolver = resolver;
    this.unauthenticated = unauthenticated;
    this.logout = new LogoutPlanner(services.config(), services.provider());
  }

  public void session(RoutingContext ctx) {
    Instant now = g.clock().instant();
    boolean html = "html".equals(ctx.request().getParam("format"));
    resolver.resolve(ctx.request(), now).onComplete(ar -> {
      if (ar.failed() || ar.result().session().isEmpty()) {
        unauthenticated.api(ctx, ar.succeeded() ? ar.result() : null);
        return;
      }
      JsonObject body = describe(ar.result().session().get(), now);
      if (html) {
        Pages.htmlRaw(ctx, 200, Pages.pageHtml("Session", render(body)));
      } else {
        Pages.json(ctx, 200, body);
      }
    });
  }

  public void userinfo(RoutingContext ctx) {
    Instant now = g.clock().instant();
    resolver.resolve(ctx.request(), now).onComplete(ar -> {
      if (ar.failed() || ar.result().session().isEmpty()) {
        unauthenticated.api(ctx, ar.succeeded() ? ar.result() : null);
        return;
      }
      Session s = ar.result().session().get();
      Pages.json(ctx, 200, new JsonObject(Claims.merged(s.idTokenClaims(), s.userinfo())));
    });
  }

  /** The session as JSON: epoch seconds like mod_auth_openidc's info hook. */
  public JsonObject describe(Session s, Instant now) {
    TokenSet t = s.tokens();
    Duration idle = g.config().session().idleTimeout();
    Duration max = g.config().session().maxLifetime();
    Map<String, Object> claims = Claims.merged(s.idTokenClaims(), s.userinfo());
    JsonObject body = new JsonObject()
        .put("remote_user", Claims.string(claims, g.config().identity().userClaim()).orElse(null))
        .put("id_token", new JsonObject(s.idTokenClaims()))
        .put("userinfo", new JsonObject(s.userinfo()))
        .put("access_token_expires", epoch(t.accessTokenExpiresAt()))
        .put("exp", epoch(s.maxExpiresAt(max)))
        .put("timeout", epoch(s.idleExpiresAt(idle)))
        .put("iat", epoch(s.createdAt()));
    Instant rtIssued = t.refreshedAt() != null ? t.refreshedAt() : s.createdAt();
    JsonObject timeline = new JsonObject()
        .put("access_token", span(t.accessTokenIssuedAt(), t.accessTokenExpiresAt()))
        .put("id_token", span(t.idTokenIssuedAt(), t.idTokenExpiresAt()))
        .put("refresh_token", t.hasRefreshToken() ? span(rtIssued, t.refreshTokenExpiresAt()) : null)
        .put("next_refresh_at", epoch(t.nextRefreshAt(g.config().session().refreshBeforeExpiry()).orElse(null)))
        .put("refreshed_at", epoch(t.refreshedAt()))
        .put("session", new JsonObject()
            .put("created_at", epoch(s.createdAt()))
            .put("last_seen_at", epoch(s.lastSeenAt()))
            .put("idle_expires_at", epoch(s.idleExpiresAt(idle)))
            .put("max_expires_at", epoch(s.maxExpiresAt(max))))
        .put("now", epoch(now));
    body.put("timeline", timeline);
    // What RP-initiated logout would send right now, and why (issue 4).
    body.put("logout", logout.plan(s, now).toJson());
    if (g.config().session().exposeTokens()) {
      body.put("tokens", new JsonObject()
          .put("access_token", t.accessToken())
          .put("id_token", t.idToken())
          .put("refresh_token", t.refreshToken()));
    }
    return body;
  }

  private static JsonObject span(Instant issued, Instant expires) {
    return new JsonObject().put("issued_at", epoch(issued)).put("expires_at", epoch(expires));
  }

  private static Long epoch(Instant i) {
    return i == null ? null : i.getEpochSecond();
  }

  private static String render(JsonObject body) {
    StringBuilder b = new StringBuilder();
    b.append("<p>Signed in as <strong>").append(Pages.escape(String.valueOf(body.getValue("remote_user")))).append("</strong></p>");
    JsonObject tl = body.getJsonObject("timeline");
    long now = tl.getLong("now");
    b.append("<table><tr><th>what</th><th>issued</th><th>expires</th><th>in</th></tr>");
    for (String k : new String[] {"access_token", "id_token", "refresh_token"}) {
      JsonObject span = tl.getJsonObject(k);
      if (span == null) continue;
      Long exp = span.getLong("expires_at");
      b.append("<tr><td>").append(k).append("</td><td>").append(time(span.getLong("issued_at"))).append("</td><td>")
          .append(time(exp)).append("</td><td>").append(exp == null ? "" : Pages.escape(left(exp - now))).append("</td></tr>");
    }
    JsonObject sess = tl.getJsonObject("session");
    b.append("<tr><td>session idle</td><td></td><td>").append(time(sess.getLong("idle_expires_at"))).append("</td><td></td></tr>");
    b.append("<tr><td>session max</td><td>").append(time(sess.getLong("created_at"))).append("</td><td>")
        .append(time(sess.getLong("max_expires_at"))).append("</td><td></td></tr>");
    b.append("</table><p>Next refresh: ").append(time(tl.getLong("next_refresh_at"))).append("; now: ").append(time(now)).append("</p>");
    b.append(dev.hourglass.gateway.logout.LogoutPlanHtml.render(body.getJsonObject("logout")));
    b.append("<h2>Claims</h2><pre>").append(Pages.escape(body.getJsonObject("id_token").encodePrettily())).append("</pre>");
    return b.toString();
  }

  private static String time(Long epoch) {
    return epoch == null ? "—" : Pages.escape(Instant.ofEpochSecond(epoch).toString());
  }

  private static String left(long seconds) {
    return seconds < 0 ? "expired " + dev.hourglass.core.clock.Durations.format(Duration.ofSeconds(-seconds)) + " ago"
        : dev.hourglass.core.clock.Durations.format(Duration.ofSeconds(seconds));
  }
}
