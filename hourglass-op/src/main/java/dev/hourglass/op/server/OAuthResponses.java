package dev.hourglass.op.server;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON answers of the token-style endpoints: never cached, errors as RFC 6749 §5.2 objects. */
final class OAuthResponses {
  private OAuthResponses() {}

  static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json;charset=UTF-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Pragma", "no-cache")
        .end(body.encode());
  }

  static void error(RoutingContext ctx, int status, String error, String description) {
    if (status == 401 && "invalid_client".equals(error)) {
      // RFC 6749 §5.2: a 401 for invalid_client carries WWW-Authenticate.
      ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"hourglass\", charset=\"UTF-8\"");
    }
    json(ctx, status, new JsonObject().put("error", error).put("error_description", description));
  }

  static void error(RoutingContext ctx, OAuthException e) {
    error(ctx, e.status(), e.error(), e.getMessage());
  }

  /** RFC 6750 §3: a bearer-token failure at the userinfo endpoint. */
  static void bearerError(RoutingContext ctx, int status, String error, String description) {
    String header = error == null ? "Bearer realm=\"hourglass\""
        : "Bearer realm=\"hourglass\", error=\"" + error + "\", error_description=\"" + description.replace("\"", "'") + "\"";
    ctx.response().putHeader("WWW-Authenticate", header);
    JsonObject body = new JsonObject();
    if (error != null) {
      body.put("error", error).put("error_description", description);
    } else {
      body.put("error", "invalid_request").put("error_description", description);
    }
    json(ctx, status, body);
  }
}
