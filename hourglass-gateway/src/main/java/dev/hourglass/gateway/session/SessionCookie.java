package dev.hourglass.gateway.session;

import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The session cookie: its name, its attributes, and reading it back from hostile requests.
 *
 * <p>Why it looks like this:
 * <ul>
 *   <li>The value is the opaque 256-bit session id and nothing else. It is the whole secret; an
 *       extra MAC would add no unguessability, and no data rides in the cookie, so there is nothing
 *       to chunk: the {@code _chunks=99999999} trick of mod_auth_openidc CVE-2024-24814 has no
 *       parser to hit here.
 *   <li>{@code HttpOnly} keeps it from scripts, {@code SameSite=Lax} keeps it off cross-site
 *       sub-requests and POSTs, {@code Secure} keeps it off plain HTTP unless the public URL itself
 *       is plain HTTP on loopback (local development).
 *   <li>Reading is total: a missing, malformed, oversized or duplicated cookie means "no session"
 *       (a fresh login), never an exception, so hostile cookies cannot become a 500. A name sent
 *       twice with different values is ambiguous (cookie tossing from a sibling domain or a
 *       narrower path) and is refused rather than guessed.
 * </ul>
 */
public final class SessionCookie {
  public static final String DEFAULT_NAME = "_hourglass_session";
  private static final Pattern COOKIE_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}");
  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

  private final String name;
  private final boolean secure;

  /**
   * @param name the cookie name (an RFC 6265 token)
   * @param secure whether to set the {@code Secure} attribute; see {@link #secureFor(URI)}
   */
  public SessionCookie(String name, boolean secure) {
    if (name == null || !COOKIE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("cookie-name: must be 1-64 token characters");
    }
    // RFC 6265bis 4.1.3: browsers drop __Host-/__Secure- cookies that lack Secure.
    if (!secure && (name.startsWith("__Host-") || name.startsWith("__Secure-"))) {
      throw new IllegalArgumentException("cookie-name: a __Host- or __Secure- name needs a Secure (https) public URL");
    }
    this.name = name;
    this.secure = secure;
  }

  /** The default name, Secure decided from the public URL. */
  public static SessionCookie forPublicUrl(URI publicUrl) {
    return new SessionCookie(DEFAULT_NAME, secureFor(publicUrl));
  }

  public String name() {
    return name;
  }

  public boolean secure() {
    return secure;
  }

  /**
   * Secure unless the public URL is plain {@code http} on a loopback host (127.0.0.0/8, ::1,
   * localhost). Decided from the literal host only: no DNS lookup.
   */
  public static boolean secureFor(URI publicUrl) {
    if (publicUrl == null || publicUrl.getScheme() == null) {
      return true;
    }
    if (!"http".equals(publicUrl.getScheme().toLowerCase(Locale.ROOT))) {
      return true;
    }
    return !isLoopbackHost(publicUrl.getHost());
  }

  /** True for localhost, 127.0.0.0/8 and ::1 written literally. */
  public static boolean isLoopbackHost(String host) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost")) {
      return true;
    }
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.equals("::1") || h.equals("0:0:0:0:0:0:0:1") || h.equals("0000:0000:0000:0000:0000:0000:0000:0001")) {
      return true;
    }
    var m = IPV4.matcher(h);
    if (!m.matches()) {
      return false;
    }
    for (int i = 1; i <= 4; i++) {
      if (Integer.parseInt(m.group(i)) > 255) {
        return false;
      }
    }
    return Integer.parseInt(m.group(1)) == 127;
  }

  /** The session id the request carries, if exactly one well-formed id is present. */
  public Optional<String> sessionId(HttpServerRequest request) {
    if (request == null) {
      return Optional.empty();
    }
    return sessionId(request.headers().getAll("Cookie"));
  }

  /** Same, from one {@code Cookie} header value. */
  public Optional<String> sessionId(String cookieHeader) {
    return sessionId(cookieHeader == null ? List.of() : List.of(cookieHeader));
  }

  /** Same, from all {@code Cookie} header values. */
  public Optional<String> sessionId(List<String> cookieHeaders) {
    return lookup(cookieHeaders).found();
  }

  /**
   * The raw lookup, for callers that want to log why no session was found. A malformed value is
   * reported as {@link CookieHeader.Lookup#ABSENT}.
   */
  public CookieHeader.Result lookup(List<String> cookieHeaders) {
    CookieHeader.Result r = CookieHeader.find(cookieHeaders, name);
    if (r.lookup() == CookieHeader.Lookup.FOUND && !SessionIds.isWellFormed(r.value())) {
      return new CookieHeader.Result(CookieHeader.Lookup.ABSENT, null);
    }
    return r;
  }

  /**
   * The {@code Set-Cookie} value that installs {@code id}. A null or zero {@code maxAge} makes a
   * browser-session cookie (no Max-Age).
   */
  public String setCookie(String id, Duration maxAge) {
    if (!SessionIds.isWellFormed(id)) {
      throw new IllegalArgumentException("id: not a session id");
    }
    StringBuilder sb = new StringBuilder(name).append('=').append(id).append("; Path=/");
    if (maxAge != null && !maxAge.isZero()) {
      if (maxAge.isNegative()) {
        throw new IllegalArgumentException("maxAge: must not be negative");
      }
      sb.append("; Max-Age=").append(maxAge.getSeconds());
    }
    return attributes(sb);
  }

  /** The {@code Set-Cookie} value that removes the cookie. */
  public String clearCookie() {
    return attributes(new StringBuilder(name).append("=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"));
  }

  private String attributes(StringBuilder sb) {
    sb.append("; HttpOnly; SameSite=Lax");
    if (secure) {
      sb.append("; Secure");
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "SessionCookie[" + name + (secure ? ", Secure" : "") + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SessionCookie c && c.name.equals(name) && c.secure == secure;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, secure);
  }
}
