package dev.hourglass.gateway.proxy;

import dev.hourglass.gateway.GatewayConfig;
import dev.hourglass.gateway.authz.Claims;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The identity the upstream sees, and the removal of anything a client could send to fake it.
 *
 * <p>Header names are compared normalised: lower case ({@link Locale#ROOT}) with {@code _} read as
 * {@code -}, because some servers (CGI, PHP, nginx with underscores_in_headers) merge
 * {@code X_Forwarded_User} with {@code X-Forwarded-User}. Every header whose normalised name is one
 * the gateway sets, or starts with {@code x-forwarded-}, {@code x-auth-request-} or
 * {@code oidc-claim-}, is removed before proxying. X-Forwarded-For/Proto/Host/Port are then set by
 * the gateway itself (appending to a trusted proxy's value only).
 */
public final class IdentityHeaders {
  public static final String USER = "X-Forwarded-User";
  public static final String EMAIL = "X-Forwarded-Email";
  public static final String GROUPS = "X-Forwarded-Groups";
  public static final String PREFERRED_USERNAME = "X-Forwarded-Preferred-Username";
  public static final String ACCESS_TOKEN = "X-Forwarded-Access-Token";

  private static final List<String> STRIP_PREFIXES = List.of("x-forwarded-", "x-auth-request-", "oidc-claim-", "x-remote-");
  private static final Set<String> STRIP_ALWAYS = Set.of("forwarded", "remote-user", "x-user", "x-email");

  private final GatewayConfig.Identity config;
  private final Set<String> stripExact;

  public IdentityHeaders(GatewayConfig.Identity config) {
    this.config = config;
    Set<String> s = new TreeSet<>(STRIP_ALWAYS);
    config.headers().keySet().forEach(h -> s.add(normalise(h)));
    s.add(normalise(config.idTokenHeader()));
    if (config.passAccessToken()) {
      s.add("authorization");
    }
    this.stripExact = Set.copyOf(s);
  }

  /** Lower case, {@code _} as {@code -}. */
  public static String normalise(String headerName) {
    return headerName.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** True when a client-sent header with this name must not reach the upstream. */
  public boolean spoofable(String headerName) {
    String n = normalise(headerName);
    if (stripExact.contains(n)) return true;
    for (String p : STRIP_PREFIXES) {
      if (n.startsWith(p)) return true;
    }
    return false;
  }

  /** Removes every spoofable header from {@code headers} (in place); returns the names removed. */
  public List<String> strip(MultiMap headers) {
    List<String> removed = new ArrayList<>();
    for (String name : new ArrayList<>(headers.names())) {
      if (spoofable(name)) {
        removed.add(name);
        headers.remove(name);
      }
    }
    return removed;
  }

  /**
   * The identity headers for a session. Values are sanitised: control characters (CR, LF, NUL)
   * never reach the upstream.
   */
  public Map<String, String> forSession(Map<String, Object> claims, String accessToken, String idToken) {
    Map<String, String> h = new LinkedHashMap<>();
    Claims.string(claims, config.userClaim()).ifPresent(v -> h.put(USER, clean(v)));
    Claims.string(claims, "email").ifPresent(v -> h.put(EMAIL, clean(v)));
    Claims.at(claims, "groups").map(Claims::strings).filter(l -> !l.isEmpty())
        .ifPresent(l -> h.put(GROUPS, clean(String.join(",", l))));
    Claims.string(claims, "preferred_username").ifPresent(v -> h.put(PREFERRED_USERNAME, clean(v)));
    for (Map.Entry<String, String> e : config.headers().entrySet()) {
      Claims.at(claims, e.getValue()).map(Claims::strings).filter(l -> !l.isEmpty())
          .ifPresent(l -> h.put(e.getKey(), clean(String.join(",", l))));
    }
    if (config.setXauthrequest()) {
      if (h.containsKey(USER)) h.put("X-Auth-Request-User", h.get(USER));
      if (h.containsKey(EMAIL)) h.put("X-Auth-Request-Email", h.get(EMAIL));
      if (h.containsKey(GROUPS)) h.put("X-Auth-Request-Groups", h.get(GROUPS));
      if (h.containsKey(PREFERRED_USERNAME)) h.put("X-Auth-Request-Preferred-Username", h.get(PREFERRED_USERNAME));
    }
    if (config.passAccessToken() && accessToken != null) {
      h.put("Authorization", "Bearer " + accessToken);
      h.put(ACCESS_TOKEN, accessToken);
    }
    if (config.passIdToken() && idToken != null) {
      h.put(config.idTokenHeader(), idToken);
    }
    return h;
  }

  static String clean(String v) {
    StringBuilder b = new StringBuilder(v.length());
    for (int i = 0; i < v.length() && b.length() < 4096; i++) {
      char c = v.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    return b.toString();
  }
}
