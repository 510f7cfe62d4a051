package dev.hourglass.gateway.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Small HTML and JSON answers. Everything that came from outside is HTML-escaped. */
public final class Pages {
  private Pages() {}

  public static String escape(String s) {
    if (s == null) return "";
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length() && i < 2000; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c < 0x20 && c != '\n' ? ' ' : c);
      }
    }
    return b.toString();
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
