package dev.hourglass.core.http;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Guards the {@code /_hourglass/} admin API: loopback callers only (unless opened up on purpose),
 * and, when configured, a bearer admin token compared in constant time.
 */
public final class AdminAccess implements Handler<RoutingContext> {
  private final boolean loopbackOnly;
  private final Optional<String> adminToken;

  public AdminAccess(boolean loopbackOnly, Optional<String> adminToken) {
    this.loopbackOnly = loopbackOnly;
    this.adminToken = adminToken.filter(t -> !t.isBlank());
  }

  public static AdminAccess loopbackOnly() {
    return new AdminAccess(true, Optional.empty());
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (loopbackOnly && !isLoopback(ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().host())) {
      Json.error(ctx, 403, "forbidden", "the /_hourglass/ admin API answers loopback callers only");
      return;
    }
    if (adminToken.isPresent()) {
      String auth = ctx.request().getHeader("Authorization");
      String expected = "Bearer " + adminToken.get();
      if (auth == null || !MessageDigest.isEqual(auth.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"hourglass-admin\"");
        Json.error(ctx, 401, "unauthorized", "the admin API needs 'Authorization: Bearer <admin token>'");
        return;
      }
    }
    ctx.next();
  }

  static boolean isLoopback(String host) {
    if (host == null) return false;
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    // Only literal addresses are accepted here; never resolve a name.
    if (!h.matches("[0-9a-fA-F:.]+")) return false;
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Small JSON helpers shared by admin endpoints. */
  public static final class Json {
    private Json() {}

    public static void send(RoutingContext ctx, int status, JsonObject body) {
      ctx.response()
          .setStatusCode(status)
          .putHeader("Content-Type", "application/json")
          .putHeader("Cache-Control", "no-store")
          .end(body.encode());
    }

    public static void error(RoutingContext ctx, int status, String error, String description) {
      send(ctx, status, new JsonObject().put("error", error).put("error_description", description));
    }
  }
}
