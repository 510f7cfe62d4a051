package dev.hourglass.op.server;

import io.vertx.ext.web.RoutingContext;

/** HTML pages of the OP: every dynamic value goes through {@link #esc}. */
final class Html {
  private Html() {}

  static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

  static String esc(Object value) {
    return dev.hourglass.core.http.Html.escape(value);
  }

  /** Sends a page; {@code body} must already be escaped where it holds dynamic values. */
  static void send(RoutingContext ctx, int status, String title, String body) {
    send(ctx, status, title, body, CSP);
  }

  static void send(RoutingContext ctx, int status, String title, String body, String csp) {
    String page = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        + "<title>" + esc(title) + " · hourglass op</title>"
        + "<style>body{font-family:system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em;color:#222}"
        + "button{font-size:1em;padding:.4em 1em;margin:.2em}input{font-size:1em;padding:.3em}"
        + ".err{color:#a00}.muted{color:#666;font-size:.9em}code{background:#f3f3f3;padding:0 .2em}</style>"
        + "</head><body><h1>" + esc(title) + "</h1>" + body + "</body></html>";
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Pragma", "no-cache")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Content-Security-Policy", csp)
        .end(page);
  }

  /** An error page: never a redirect, for requests whose client or redirect URI cannot be trusted. */
  static void error(RoutingContext ctx, int status, String error, String description) {
    send(ctx, status, "Error: " + error,
        "<p class=\"err\" id=\"error\" data-error=\"" + esc(error) + "\">" + esc(description) + "</p>");
  }
}
