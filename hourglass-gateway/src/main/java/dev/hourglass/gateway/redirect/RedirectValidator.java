package dev.hourglass.gateway.redirect;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides whether a redirect target ({@code rd}, the post-login return, the post-logout target)
 * is safe to put in a {@code Location} header.
 *
 * <p>Why so strict: open redirects are the largest CVE cluster of mod_auth_openidc and
 * oauth2-proxy. Browsers "repair" URLs before resolving them (tabs/CR/LF dropped, {@code \} read as
 * {@code /}, {@code //host} and {@code /\host} are other origins, userinfo before {@code @} is
 * ignored, IDNA folds {@code ｡ ． ／} into ASCII), and upstream apps and proxies decode
 * percent-escapes again. So a target is accepted only if every reading of it is harmless:
 * <ul>
 *   <li>a same-origin path: starts with exactly one {@code /}; no {@code //}, no {@code \}, no
 *       control character, no dot segment, no scheme-like or {@code @}-carrying first segment, no
 *       Unicode look-alike of a URL delimiter and no invisible format character, checked on the
 *       raw text and on every percent-decoding of it (up to {@value #MAX_DECODE_ROUNDS} rounds;
 *       deeper nesting is refused); or
 *   <li>an absolute {@code http(s)} URL whose origin (scheme, host, port) exactly equals an
 *       allow-listed origin, without userinfo, and whose path passes the same checks.
 * </ul>
 * Harmless characters a browser would percent-encode anyway (space, non-ASCII letters, {@code "}
 * {@code <} {@code >} {@code `} {@code ^} {@code {} {@code |} {@code }}) are percent-encoded, so
 * the returned target is a valid RFC 3986 reference. Anything longer than {@value #MAX_LENGTH}
 * characters is refused unread. Every refusal carries a reason code
 * ({@code REDIRECT_REFUSED:<why>}) for the event log; the gateway then falls back to {@code /}.
 * Total: never throws.
 */
public final class RedirectValidator {
  public static final int MAX_LENGTH = 2048;
  public static final int MAX_DECODE_ROUNDS = 4;
  public static final String OK = "REDIRECT_OK";
  public static final String REFUSED = "REDIRECT_REFUSED:";

  private static final Pattern ABSOLUTE_PREFIX = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://");
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
  private static final Pattern HOST = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\\[[0-9a-f:.]+\\]");
  // Delimiters whose look-alikes browsers or IDNA may fold into the real thing.
  private static final String DELIMITERS = "/\\.:@?#%";
  // Look-alikes that NFKC does not fold but that still read as delimiters (IDNA dots, slashes).
  private static final Set<Integer> LOOKALIKES = Set.of(
      0x2215, 0x2044, 0x29F8, 0x29F5, 0x29F9, 0x2216, 0x2571, 0x2572, 0x27CB, 0x27CD, 0x0338, 0x20E5,
      0x3002, 0xFF61, 0xFF0E, 0xFE52, 0x2024, 0x2025, 0x2026, 0x00B7, 0x0589, 0x06D4, 0x3001,
      0xFF0F, 0xFF3C, 0xFE68, 0xFF20, 0xFE6B, 0xFF1A, 0xFE55, 0xFF1F, 0xFE56, 0xFF03, 0xFE5F, 0xFF05, 0xFE6A,
      0x1735, 0x2E2E, 0x2E4F, 0x0337,
      // Kana repeat marks and prolonged-sound marks that payload lists use as slash stand-ins.
      0x3031, 0x3032, 0x3033, 0x3034, 0x3035, 0x309D, 0x309E, 0x30FC, 0x30FD, 0x30FE, 0xFF70);

  /** A verdict: the safe (possibly normalised) target, or the reason it was refused. */
  public record Decision(Optional<String> target, String reason) {
    public boolean accepted() {
      return target.isPresent();
    }

    /** The safe target, or {@code fallback} (normally {@code /}). */
    public String targetOr(String fallback) {
      return target.orElse(fallback);
    }
  }

  private record Origin(String scheme, String host, int port) {
    String render() {
      boolean defaultPort = (scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80);
      return scheme + "://" + host + (defaultPort ? "" : ":" + port);
    }
  }

  private final Set<Origin> allowedOrigins;

  /** Same-origin paths only. */
  public RedirectValidator() {
    this(List.of());
  }

  /**
   * @param allowedOrigins absolute origins ({@code https://app.example.com}, {@code http://127.0.0.1:3000})
   *     that targets may point to besides the gateway itself
   * @throws IllegalArgumentException naming the bad entry
   */
  public RedirectValidator(Collection<String> allowedOrigins) {
    Set<Origin> set = new LinkedHashSet<>();
    for (String o : allowedOrigins == null ? List.<String>of() : allowedOrigins) {
      set.add(parseAllowedOrigin(o));
    }
    this.allowedOrigins = Set.copyOf(set);
  }

  /** The allow-listed origins, rendered canonically. */
  public List<String> allowedOrigins() {
    List<String> out = new ArrayList<>();
    allowedOrigins.forEach(o -> out.add(o.render()));
    return out;
  }

  /** The safe target, or empty (then redirect to {@code /}). */
  public Optional<String> safeTarget(String target) {
    return check(target).target();
  }

  /** The full verdict with its reason code. */
  public Decision check(String target) {
    try {
      return decide(target);
    } catch (RuntimeException e) {
      // Defence in depth: the checks are total, but a validator must never turn into a 500.
      return refuse("internal");
    }
  }

  private Decision decide(String target) {
    if (target == null || target.isEmpty()) {
      return refuse("empty");
    }
    if (target.length() > MAX_LENGTH) {
      return refuse("too_long");
    }
    StringBuilder norm = new StringBuilder(target.length() + 16);
    boolean seenHash = false;
    // In an absolute URL the authority keeps its brackets (IPv6 literals); everything else gets
    // the encoding a browser would apply.
    int pathStart = 0;
    java.util.regex.Matcher abs = ABSOLUTE_PREFIX.matcher(target);
    if (abs.find()) {
      pathStart = abs.end();
      while (pathStart < target.length() && "/?#".indexOf(target.charAt(pathStart)) < 0) {
        pathStart++;
      }
    }
    for (int i = 0; i < target.length(); ) {
      int at = i;
      int cp = target.codePointAt(i);
      i += Character.charCount(cp);
      String why = charProblem(cp);
      if (why != null) {
        return refuse(why);
      }
      if (cp == '%') {
        if (i + 1 >= target.length() || !isHex(target.charAt(i)) || !isHex(target.charAt(i + 1))) {
          return refuse("encoding");
        }
        norm.append('%');
      } else if (cp == '#' && seenHash) {
        norm.append("%23");
      } else if ((cp == '[' || cp == ']') && at < pathStart) {
        norm.appendCodePoint(cp);
      } else if (cp >= 0x80 || " \"<>`^{}|[]".indexOf(cp) >= 0) {
        percentEncode(norm, cp);
      } else {
        if (cp == '#') {
          seenHash = true;
        }
        norm.appendCodePoint(cp);
      }
    }
    String s = norm.toString();
    if (s.length() > MAX_LENGTH) {
      return refuse("too_long");
    }
    if (s.startsWith("/")) {
      String why = pathProblem(s);
      return why == null ? new Decision(Optional.of(s), OK) : refuse(why);
    }
    if (SCHEME.matcher(s).find()) {
      return absolute(s);
    }
    return refuse("not_path");
  }

  private Decision absolute(String s) {
    int colon = s.indexOf(':');
    String scheme = s.substring(0, colon).toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return refuse("scheme");
    }
    if (!s.startsWith("//", colon + 1)) {
      return refuse("scheme"); // "http:evil.com" and friends: browsers read these inconsistently
    }
    if (allowedOrigins.isEmpty()) {
      return refuse("origin");
    }
    int authStart = colon + 3;
    int authEnd = authStart;
    while (authEnd < s.length() && "/?#".indexOf(s.charAt(authEnd)) < 0) {
      authEnd++;
    }
    String authority = s.substring(authStart, authEnd);
    if (authority.indexOf('@') >= 0 || authority.indexOf('%') >= 0) {
      return refuse("userinfo");
    }
    Optional<Origin> origin = parseAuthority(scheme, authority);
    if (origin.isEmpty() || !allowedOrigins.contains(origin.get())) {
      return refuse("origin");
    }
    String rest = s.substring(authEnd);
    if (rest.isEmpty() || rest.charAt(0) != '/') {
      rest = "/" + rest;
    }
    String why = pathProblem(rest);
    return why == null ? new Decision(Optional.of(origin.get().render() + rest), OK) : refuse(why);
  }

  /** Checks the path reference and every percent-decoding of it; null when safe. */
  private static String pathProblem(String s) {
    String current = s;
    for (int round = 0; ; round++) {
      String why = decodedProblem(current);
      if (why != null) {
        return why;
      }
      String next = percentDecode(current);
      if (next.equals(current)) {
        return null;
      }
      if (round >= MAX_DECODE_ROUNDS) {
        return "encoding";
      }
      current = next;
    }
  }

  private static String decodedProblem(String s) {
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
        return "control_char";
      }
      if (cp == '\\') {
        return "backslash";
      }
      if (cp >= 0x80 && isLookalikeOrInvisible(cp)) {
        return "lookalike";
      }
    }
    int end = s.length();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '?' || c == '#') {
        end = i;
        break;
      }
    }
    String path = s.substring(0, end);
    if (!path.startsWith("/")) {
      return "not_path";
    }
    if (path.startsWith("//")) {
      return "protocol_relative";
    }
    if (path.contains("//")) {
      return "double_slash";
    }
    int firstEnd = path.indexOf('/', 1);
    String first = firstEnd < 0 ? path.substring(1) : path.substring(1, firstEnd);
    if (SCHEME.matcher(first).find()) {
      return "scheme";
    }
    if (first.indexOf('@') >= 0) {
      return "userinfo";
    }
    for (String seg : path.split("/", -1)) {
      if (seg.equals(".") || seg.equals("..")) {
        return "dot_segment";
      }
    }
    return null;
  }

  /** A problem with a raw character, or null. */
  private static String charProblem(int cp) {
    if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
      return "control_char";
    }
    if (cp == '\\') {
      return "backslash";
    }
    if (cp >= 0x80 && isLookalikeOrInvisible(cp)) {
      return "lookalike";
    }
    return null;
  }

  static boolean isLookalikeOrInvisible(int cp) {
    if (LOOKALIKES.contains(cp)) {
      return true;
    }
    int type = Character.getType(cp);
    if (type == Character.FORMAT || type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR || type == Character.CONTROL || type == Character.UNASSIGNED
        || type == Character.PRIVATE_USE || type == Character.SURROGATE || cp == 0xFFFD) {
      return true;
    }
    String folded = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKC);
    for (int i = 0; i < folded.length(); i++) {
      char c = folded.charAt(i);
      if (c < 0x20 || DELIMITERS.indexOf(c) >= 0 || LOOKALIKES.contains((int) c)) {
        return true;
      }
    }
    return false;
  }

  /** One round of percent-decoding (UTF-8; invalid sequences become U+FFFD, which is refused). */
  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); ) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
        bytes.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
        i += 3;
        continue;
      }
      if (bytes.size() > 0) {
        out.append(new String(bytes.toByteArray(), StandardCharsets.UTF_8));
        bytes.reset();
      }
      out.append(c);
      i++;
    }
    if (bytes.size() > 0) {
      out.append(new String(bytes.toByteArray(), StandardCharsets.UTF_8));
    }
    return out.toString();
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static void percentEncode(StringBuilder sb, int cp) {
    for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
      sb.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
          .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
    }
  }

  private static Optional<Origin> parseAuthority(String scheme, String authority) {
    String a = authority.toLowerCase(Locale.ROOT);
    String host = a;
    int port = scheme.equals("https") ? 443 : 80;
    int portSep = a.startsWith("[") ? a.indexOf("]:") + 1 : a.lastIndexOf(':');
    if (a.startsWith("[") && a.indexOf(']') < 0) {
      return Optional.empty();
    }
    if (portSep > 0) {
      host = a.substring(0, portSep);
      String p = a.substring(portSep + 1);
      if (p.isEmpty() || p.length() > 5 || !p.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
        return Optional.empty();
      }
      port = Integer.parseInt(p);
      if (port < 1 || port > 65535) {
        return Optional.empty();
      }
    }
    if (host.isEmpty() || host.length() > 253 || !HOST.matcher(host).matches()) {
      return Optional.empty();
    }
    return Optional.of(new Origin(scheme, host, port));
  }

  private static Origin parseAllowedOrigin(String o) {
    String bad = "allowed-redirect-origins: '" + o + "' must be an origin like https://app.example.com[:port]";
    if (o == null) {
      throw new IllegalArgumentException(bad);
    }
    String s = o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    int sep = s.indexOf("://");
    if (sep < 0) {
      throw new IllegalArgumentException(bad);
    }
    String scheme = s.substring(0, sep).toLowerCase(Locale.ROOT);
    String authority = s.substring(sep + 3);
    if (!(scheme.equals("http") || scheme.equals("https")) || authority.isEmpty()
        || authority.chars().anyMatch(ch -> "/?#@\\%".indexOf(ch) >= 0 || ch <= 0x20 || ch >= 0x7f)) {
      throw new IllegalArgumentException(bad);
    }
    return parseAuthority(scheme, authority).orElseThrow(() -> new IllegalArgumentException(bad));
  }

  private static Decision refuse(String why) {
    return new Decision(Optional.empty(), REFUSED + why);
  }
}
