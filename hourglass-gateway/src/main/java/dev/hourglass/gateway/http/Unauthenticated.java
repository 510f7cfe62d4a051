package dev.hourglass.gateway.http;

import dev.hourglass.gateway.GatewayServices;
import dev.hourglass.gateway.login.LoginFlow;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * What a request without a usable session gets: browser navigations go to the OP (a fresh login
 * that returns to the same page), API calls get 401 JSON with {@code WWW-Authenticate}.
 */
public final class Unauthenticated {
  private final GatewayServices g;
  private final LoginFlow login;

  public Unauthenticated(GatewayServices services, LoginFlow login) {
    this.g = services;
    this.login = login;
  }

  public void browser(RoutingContext ctx, SessionResolver.Resolution r) {
    clearCookieIfNeeded(ctx, r);
    if (r != null && r.opUnavailable()) {
      Pages.html(ctx, 503, "Identity provider unavailable",
          "Your session needs new tokens, but the identity provider cannot be reached. Your session is kept: try again in a moment.");
      return;
    }
    login.redirectToOp(ctx, ctx.request().uri(), null, null, reasonOf(r));
  }

  public void api(RoutingContext ctx, SessionResolver.Resolution r) {
    clearCookieIfNeeded(ctx, r);
    String reason = reasonOf(r);
    boolean outage = r != null && r.opUnavailable();
    if ("no_cookie".equals(reason)) {
      g.events().record("AUTH_REQUIRED", "path", ctx.normalizedPath());
    }
    String description = switch (reason) {
      case "no_cookie" -> "no session: log in at /oauth2/start";
      case "SESSION_IDLE_EXPIRED" -> "the session ended after the idle timeout: log in again";
      case "SESSION_MAX_EXPIRED" -> "the session reached its maximum lifetime: log in again";
      case "SESSION_NOT_FOUND" -> "the session is unknown or ended: log in again";
      default -> outage ? "the identity provider cannot be reached to renew the session; try again later"
          : "the session's tokens could not be renewed (" + reason + "): log in again";
    };
    String error = "no_cookie".equals(reason) ? null : "invalid_token";
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"hourglass\""
        + (error == null ? "" : ", error=\"" + error + "\", error_description=\"" + description.replace("\"", "'") + "\""));
    Pages.json(ctx, 401, new JsonObject()
        .put("error", error == null ? "unauthorized" : error)
        .put("error_description", description)
        .put("reason", reason)
        .put("login_url", "/oauth2/start"));
  }

  private void clearCookieIfNeeded(RoutingContext ctx, SessionResolver.Resolution r) {
    if (r != null && r.hadCookie() && r.session().isEmpty()) {
      ctx.response().headers().add("Set-Cookie", g.sessionCookie().clearCookie());
    }
  }

  private static String reasonOf(SessionResolver.Resolution r) {
    return r == null ? "internal" : (r.reason() == null ? "no_cookie" : r.reason());
  }
}
