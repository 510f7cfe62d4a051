package dev.hourglass.gateway.http;

import dev.hourglass.gateway.GatewayServices;
import dev.hourglass.gateway.authz.PathRules;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every path that is not a gateway endpoint: strip spoofable headers, apply the first matching
 * rule, find the session, enforce claim requirements, and proxy with the identity headers.
 */
public final class ProtectedHandler {
  private final GatewayServices g;
  private final SessionResolver resolver;
  private final Unauthenticated unauthenticated;
  private final String forwardedProto;
  private final String forwardedHost;
  private final List<byte[][]> trustedProxies;
  private final IdentityCache identities;

  public ProtectedHandler(GatewayServices services, SessionResolver resolver, Unauthenticated unauthenticated) {
    this.g = services;
    this.resolver = resolver;
    this.unauthenticated = unauthenticated;
    URI pub = URI.create(services.config().publicUrl());
    this.forwardedProto = pub.getScheme();
    this.forwardedHost = pub.getRawAuthority();
    this.trustedProxies = services.config().trustedProxies().stream().map(ProtectedHandler::cidr).toList();
    this.identities = new IdentityCache(services);
  }

  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    req.pause();
    Instant now = g.clock().instant();
    String clientIp = req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
    MultiMap headers = req.headers();
    String incomingXff = trusted(clientIp) ? headers.get("X-Forwarded-For") : null;
    // Anything the client sent that could pass for gateway-set identity goes, in every spelling.
    // From here on the request's own headers are what the upstream gets: the gateway sets its own.
    g.identity().strip(headers);
    headers.set("X-Forwarded-For", incomingXff == null || incomingXff.isBlank() ? String.valueOf(clientIp) : incomingXff + ", " + clientIp);
    headers.set("X-Forwarded-Proto", forwardedProto);
    headers.set("X-Forwarded-Host", forwardedHost);

    PathRules.Compiled rule = g.rules().match(ctx.normalizedPath());
    if (rule.rule().isPublic()) {
      g.upstream().forward(req, null);
      return;
    }
    boolean api = RequestKind.isApi(req, rule.rule().api());
    resolver.resolve(req, now).onComplete(ar -> {
      if (ar.failed()) {
        req.resume();
        g.events().record("SESSION_ERROR", "detail", ar.cause().getClass().getSimpleName());
        Pages.html(ctx, 503, "Session unavailable", "The session store cannot be read right now. Try again in a moment.");
        return;
      }
      SessionResolver.Resolution r = ar.result();
      boolean serveDespiteOutage = r.opUnavailable() && rule.rule().serveOnOpOutage() && r.session().isPresent()
          && !r.session().get().tokens().accessTokenExpired(now);
      if (r.session().isEmpty() || (r.opUnavailable() && !serveDespiteOutage)) {
        req.resume();
        if (api) {
          unauthenticated.api(ctx, r);
        } else {
          unauthenticated.browser(ctx, r);
        }
        return;
      }
      IdentityCache.Prepared identity = identities.of(r.session().get());
      Optional<String> unmet = PathRules.unmet(rule, identity.claims());
      if (unmet.isPresent()) {
        req.resume();
        g.events().record("AUTHZ_DENIED:" + rule.name(), "session", identity.logHandle(), "path", ctx.normalizedPath(),
            "detail", unmet.get());
        if (api) {
          Pages.jsonError(ctx, 403, "forbidden", "you are signed in but not allowed here (" + rule.name() + ")");
        } else {
          Pages.html(ctx, 403, "Forbidden", "You are signed in, but your account is not allowed to open this page.");
        }
        return;
      }
      for (Map.Entry<String, String> h : identity.headers()) {
        headers.set(h.getKey(), h.getValue());
      }
      g.upstream().forward(req, identity.logHandle());
    });
  }

  private boolean trusted(String ip) {
    if (ip == null || trustedProxies.isEmpty()) return false;
    byte[] addr = literal(ip);
    if (addr == null) return false;
    for (byte[][] c : trustedProxies) {
      byte[] net = c[0];
      int bits = c[1][0] & 0xff;
      if (net.length != addr.length) continue;
      boolean match = true;
      for (int i = 0; i < bits && match; i++) {
        int mask = 0x80 >> (i % 8);
        match = (net[i / 8] & mask) == (addr[i / 8] & mask);
      }
      if (match) return true;
    }
    return false;
  }

  private static byte[][] cidr(String spec) {
    String[] parts = spec.split("/");
    byte[] addr = literal(parts[0]);
    if (addr == null) throw new IllegalArgumentException("trusted-proxies: '" + spec + "' is not an IP address");
    int bits = parts.length > 1 ? Integer.parseInt(parts[1]) : addr.length * 8;
    if (bits > addr.length * 8) throw new IllegalArgumentException("trusted-proxies: '" + spec + "' has too many prefix bits");
    return new byte[][] {addr, {(byte) bits}};
  }

  private static byte[] literal(String ip) {
    String h = ip.startsWith("[") && ip.endsWith("]") ? ip.substring(1, ip.length() - 1) : ip;
    if (!h.matches("[0-9a-fA-F:.]+")) return null;
    try {
      return InetAddress.getByName(h).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
