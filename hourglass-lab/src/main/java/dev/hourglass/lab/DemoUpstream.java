package dev.hourglass.lab;

import dev.hourglass.core.http.Html;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The lab's stand-in for "your app": shows the identity the gateway passed on. HTML for a
 * browser, JSON for {@code Accept: application/json}. Listens on loopback only.
 */
public final class DemoUpstream {
  private final HttpServer server;

  private DemoUpstream(HttpServer server) {
    this.server = server;
  }

  public static Future<DemoUpstream> start(Vertx vertx, int port) {
    return vertx.createHttpServer().requestHandler(DemoUpstream::handle).listen(port, "127.0.0.1").map(DemoUpstream::new);
  }

  public int port() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server.close();
  }

  private static void handle(HttpServerRequest req) {
    Map<String, String> identity = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    Map<String, String> all = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    req.headers().forEach(h -> {
      all.merge(h.getKey(), h.getValue(), (a, b) -> a + ", " + b);
      String k = h.getKey().toLowerCase(Locale.ROOT);
      if (k.startsWith("x-forwarded-") || k.equals("authorization") || k.startsWith("x-auth") || k.startsWith("x-id-token")) {
        identity.put(h.getKey(), k.equals("authorization") || k.startsWith("x-id-token") ? abbreviate(h.getValue()) : h.getValue());
      }
    });
    String accept = req.getHeader("Accept");
    if (accept != null && accept.contains("application/json")) {
      req.response().putHeader("Content-Type", "application/json").putHeader("X-Upstream", "hourglass-demo")
          .end(new JsonObject().put("app", "hourglass demo upstream").put("method", req.method().name())
              .put("path", req.path()).put("identity", new JsonObject(new TreeMap<>(identity))).put("headers", new JsonObject(new TreeMap<>(all)))
              .encodePrettily());
      return;
    }
    StringBuilder rows = new StringBuilder();
    identity.forEach((k, v) -> rows.append("<tr><td><code>").append(Html.escape(k)).append("</code></td><td>").append(Html.escape(v)).append("</td></tr>"));
    String user = identity.getOrDefault("X-Forwarded-User", "(no identity header)");
    req.response().putHeader("Content-Type", "text/html; charset=utf-8").putHeader("X-Upstream", "hourglass-demo")
        .end("<!doctype html><html><head><meta charset=utf-8><title>Demo app</title>"
            + "<style>body{font:15px system-ui,sans-serif;margin:40px;max-width:760px}td{padding:4px 10px;border-bottom:1px solid #ddd}"
            + "code{font-family:ui-monospace,monospace}</style></head><body>"
            + "<h1>Hello, <span id=user>" + Html.escape(user) + "</span></h1>"
            + "<p>This is the lab's demo upstream app. The gateway sent these identity headers with <code>"
            + Html.escape(req.method().name() + " " + req.path()) + "</code>:</p>"
            + "<table id=identity>" + rows + "</table>"
            + "<p><a href=\"/oauth2/lab\">lab timeline</a> · <a href=\"/oauth2/session?format=html\">session</a> · "
            + "<a href=\"/oauth2/sign_out\">sign out</a></p></body></html>");
  }

  private static String abbreviate(String v) {
    return v.length() <= 24 ? v : v.substring(0, 20) + "…";
  }

}
