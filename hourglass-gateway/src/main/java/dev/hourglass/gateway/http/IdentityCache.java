package dev.hourglass.gateway.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hourglass.gateway.GatewayServices;
import dev.hourglass.gateway.authz.Claims;
import dev.hourglass.gateway.session.Session;
import java.util.List;
import java.util.Map;

/**
 * What a proxied request needs from its session, worked out once per session version instead of on
 * every request: the merged claims the rules check, the identity headers, and the log handle.
 *
 * <p>Why: on the hot path these were a claims merge, a header map and two HMACs per request
 * (issue 7 profile). A session is immutable and every change is a new object, so an entry is reused
 * only while the store hands back the very same {@link Session} instance; any refresh, touch or
 * userinfo update makes a new object and so a recomputation. Bounded, so it costs a fixed amount
 * of memory however many sessions exist.
 */
final class IdentityCache {
  /** Entries kept: enough for the sessions active at one moment on one gateway. */
  static final long MAX_ENTRIES = 4_096;

  /**
   * @param claims ID token claims overlaid by userinfo
   * @param headers identity headers for the upstream, in order
   * @param logHandle the session's {@code session} field in events
   */
  record Prepared(Session source, Map<String, Object> claims, List<Map.Entry<String, String>> headers, String logHandle) {}

  private final GatewayServices g;
  private final Cache<String, Prepared> cache = Caffeine.newBuilder()
      .maximumSize(MAX_ENTRIES)
      .executor(Runnable::run)
      .build();

  IdentityCache(GatewayServices services) {
    this.g = services;
  }

  Prepared of(Session s) {
    Prepared p = cache.getIfPresent(s.id());
    if (p != null && p.source() == s) {
      return p;
    }
    Map<String, Object> claims = Claims.merged(s.idTokenClaims(), s.userinfo());
    List<Map.Entry<String, String>> headers = List.copyOf(
        g.identity().forSession(claims, s.tokens().accessToken(), s.tokens().idToken()).entrySet());
    p = new Prepared(s, claims, headers, g.hash(s.id()));
    cache.put(s.id(), p);
    return p;
  }
}
