package dev.hourglass.gateway.logout;

import dev.hourglass.gateway.GatewayServices;
import dev.hourglass.gateway.session.Session;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code GET /oauth2/frontchannel-logout?iss=&sid=} (Front-Channel Logout 1.0 §2–3): the OP's
 * logout page loads this in an iframe. The session with that issuer and sid ends; anything that
 * does not match is ignored (still 200 with an empty page, so the OP's page is not disturbed).
 * The page must not be cached (§3) and may be framed only by the OP
 * ({@code frame-ancestors <OP origin>}).
 */
public final class FrontchannelLogoutHandler {
  private final GatewayServices g;
  private final String frameAncestors;

  public FrontchannelLogoutHandler(GatewayServices services) {
    this.g = services;
    this.frameAncestors = origin(services.config().provider().issuer());
  }

  /** scheme://host[:port] of the issuer. */
  static String origin(String issuer) {
    URI u = URI.create(issuer);
    String scheme = u.getScheme().toLowerCase(Locale.ROOT);
    boolean defaultPort = u.getPort() == -1 || (scheme.equals("https") && u.getPort() == 443) || (scheme.equals("http") && u.getPort() == 80);
    return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + u.getPort());
  }

  public void handle(RoutingContext ctx) {
    String iss = single(ctx.request().params().getAll("iss"));
    String sid = single(ctx.request().params().getAll("sid"));
    if (iss == null || sid == null || sid.isEmpty() || sid.length() > 256) {
      ignore(ctx, "params", null);
      return;
    }
    if (!iss.equals(g.provider().issuer())) {
      ignore(ctx, "iss", sid);
      return;
    }
    Optional<String> own = g.sessionCookie().sessionId(ctx.request());
    g.store().findByOpSessionId(iss, sid).compose(sessions -> {
      List<Future<Boolean>> deletes = new ArrayList<>();
      boolean ownEnded = false;
      for (Session s : sessions) {
        deletes.add(g.store().delete(s.id()));
        ownEnded |= own.isPresent() && own.get().equals(s.id());
      }
      boolean clear = ownEnded;
      return Future.join(deletes).map(cf -> new long[] {
          deletes.stream().filter(f -> f.succeeded() && Boolean.TRUE.equals(f.result())).count(), clear ? 1 : 0});
    }).onComplete(ar -> {
      if (ar.failed()) {
        ignore(ctx, "store", sid);
        return;
      }
      long ended = ar.result()[0];
      if (ended == 0) {
        ignore(ctx, "unknown_sid", sid);
        return;
      }
      if (ar.result()[1] == 1) {
        ctx.response().headers().add("Set-Cookie", g.sessionCookie().clearCookie());
      }
      g.events().record(LogoutEvents.FRONTCHANNEL_LOGOUT, "sid", sid, "sessions_ended", ended);
      page(ctx);
    });
  }

  private void ignore(RoutingContext ctx, String why, String sid) {
    g.events().record(LogoutEvents.FRONTCHANNEL_IGNORED + ":" + why, "sid", sid);
    page(ctx);
  }

  private void page(RoutingContext ctx) {
    if (ctx.response().ended()) return;
    ctx.response().setStatusCode(200)
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-cache, no-store")
        .putHeader("Pragma", "no-cache")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors " + frameAncestors)
        .end("<!doctype html><title>Signed out</title>");
  }

  private static String single(List<String> values) {
    return values != null && values.size() == 1 ? values.get(0) : null;
  }
}
