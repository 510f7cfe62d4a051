package dev.hourglass.gateway.http;

import dev.hourglass.core.http.Html;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Small HTML and JSON answers. Everything that came from outside is HTML-escaped. */
public final class Pages {
  private Pages() {}

  /** Escaped for HTML, and cut at 2000 characters: an OP's error_description is not ours to print at length. */
  public static String escape(String s) {
    return Html.escape(s == null || s.length() <= 2000 ? s : s.substring(0, 2000));
  }

  /** A minimal page; {@code title} and {@code message} are escaped here. */
  public static String page(String title, String message) {
    return pageHtml(escape(title), "<p>" + escape(message) + "</p>");
  }

  /** A page whose body is already-safe HTML. */
  public static String pageHtml(String safeTitle, String safeBody) {
    return "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + safeTitle + "</title>"
        + "<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:3rem auto;padding:0 1rem;color:#222}"
        + "code,pre{background:#f4f4f4;padding:.1rem .3rem}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.3rem .6rem;text-align:left}</style>"
        + "</head><body><h1>" + safeTitle + "</h1>" + safeBody + "</body></html>";
  }

  public static void html(RoutingContext ctx, int status, String title, String message) {
    htmlRaw(ctx, status, page(title, message));
  }

  public static void htmlRaw(RoutingContext ctx, int status, String html) {
    if (ctx.response().ended()) return;
    ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        .end(html);
  }

  public static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) return;
    ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(body.encode());
  }

  public static void jsonError(RoutingContext ctx, int status, String error, String description) {
    json(ctx, status, new JsonObject().put("error", error).put("error_description", description));
  }
}
