package dev.hourglass.gateway.logout;

import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Did a request come from the gateway's own pages? Decides whether {@code /oauth2/sign_out} may
 * log out at once (issue 4) or must ask first.
 *
 * <p>Why these signals, in this order: browsers set {@code Sec-Fetch-Site} themselves and pages
 * cannot forge it, so when it is present it decides alone ({@code same-origin}, or {@code none}
 * for a typed URL or bookmark). Older browsers lack it; then {@code Origin}, then {@code Referer}
 * must name exactly the public origin (scheme, host, port). A request with none of them (a
 * stripped referrer, a script) is not trusted: it gets the confirmation page. A non-browser can
 * forge all of these, but it also has no victim's cookie to ride on.
 */
final class RequestOrigin {
  /** The verdict and the signal that decided it (for the event). */
  record Verdict(boolean sameOrigin, String why) {}

  private final String scheme;
  private final String host;
  private final int port;

  RequestOrigin(String publicUrl) {
    URI u = URI.create(Objects.requireNonNull(publicUrl, "publicUrl"));
    this.scheme = u.getScheme().toLowerCase(Locale.ROOT);
    this.host = u.getHost().toLowerCase(Locale.ROOT);
    this.port = effectivePort(scheme, u.getPort());
  }

  Verdict check(HttpServerRequest req) {
    List<String> site = req.headers().getAll("Sec-Fetch-Site");
    if (!site.isEmpty()) {
      String v = site.size() == 1 ? site.get(0).trim().toLowerCase(Locale.ROOT) : "";
      if (v.equals("same-origin") || v.equals("none")) {
        return new Verdict(true, "sec-fetch-site");
      }
      return new Verdict(false, v.matches("[a-z-]{1,20}") ? "sec-fetch-site:" + v : "sec-fetch-site:invalid");
    }
    List<String> origin = req.headers().getAll("Origin");
    if (!origin.isEmpty()) {
      return origin.size() == 1 && sameOrigin(origin.get(0)) ? new Verdict(true, "origin") : new Verdict(false, "origin");
    }
    List<String> referer = req.headers().getAll("Referer");
    if (!referer.isEmpty()) {
      return referer.size() == 1 && sameOrigin(referer.get(0)) ? new Verdict(true, "referer") : new Verdict(false, "referer");
    }
    return new Verdict(false, "no_origin_headers");
  }

  /** True when {@code url}'s origin is exactly the public origin ({@code null} and junk are not). */
  boolean sameOrigin(String url) {
    if (url == null || url.length() > 4096) {
      return false;
    }
    try {
      URI u = new URI(url.trim());
      if (u.getScheme() == null || u.getHost() == null || u.getRawUserInfo() != null) {
        return false;
      }
      String s = u.getScheme().toLowerCase(Locale.ROOT);
      return s.equals(scheme) && u.getHost().toLowerCase(Locale.ROOT).equals(host) && effectivePort(s, u.getPort()) == port;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static int effectivePort(String scheme, int port) {
    if (port != -1) return port;
    return scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
  }
}
