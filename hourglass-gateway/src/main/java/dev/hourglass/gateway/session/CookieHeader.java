package dev.hourglass.gateway.session;

import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Optional;

/**
 * A bounded, linear-time lookup of one cookie in {@code Cookie} request headers.
 *
 * <p>Why not a general cookie parser: the gateway needs at most a handful of named cookies, and
 * parsing every cookie into a map is where hostile headers (64 KB values, 500 cookies, odd
 * quoting) turn into allocation storms or exceptions. This scans once, allocates only for the
 * name it looks for, and reports a name that appears with two different values as ambiguous
 * (a sibling-domain or path-shadowing cookie injection), which callers treat as absent.
 */
public final class CookieHeader {
  /** Headers longer than this (summed) are not scanned at all: treated as carrying no cookie. */
  public static final int MAX_SCANNED_CHARS = 256 * 1024;

  private CookieHeader() {}

  /** The outcome of looking for one name. */
  public enum Lookup { ABSENT, FOUND, AMBIGUOUS, TOO_LARGE }

  /** One lookup's result: the value is set only for {@link Lookup#FOUND}. */
  public record Result(Lookup lookup, String value) {
    public Optional<String> found() {
      return lookup == Lookup.FOUND ? Optional.of(value) : Optional.empty();
    }
  }

  /** Looks in every {@code Cookie} header of the request (HTTP/2 may send several). */
  public static Result find(HttpServerRequest request, String name) {
    List<String> headers = request.headers().getAll("Cookie");
    return find(headers, name);
  }

  public static Result find(List<String> headers, String name) {
    if (headers == null || headers.isEmpty()) {
      return new Result(Lookup.ABSENT, null);
    }
    long total = 0;
    for (String h : headers) {
      total += h == null ? 0 : h.length();
    }
    if (total > MAX_SCANNED_CHARS) {
      return new Result(Lookup.TOO_LARGE, null);
    }
    String value = null;
    for (String h : headers) {
      if (h == null) {
        continue;
      }
      Result r = find(h, name, value);
      if (r.lookup == Lookup.AMBIGUOUS || r.lookup == Lookup.TOO_LARGE) {
        return r;
      }
      if (r.lookup == Lookup.FOUND) {
        value = r.value;
      }
    }
    return new Result(value == null ? Lookup.ABSENT : Lookup.FOUND, value);
  }

  /** Looks in one header value ({@code a=1; b=2}). */
  public static Result find(String header, String name) {
    if (header != null && header.length() > MAX_SCANNED_CHARS) {
      return new Result(Lookup.TOO_LARGE, null);
    }
    Result r = find(header, name, null);
    return r;
  }

  private static Result find(String header, String name, String seen) {
    if (header == null || name == null || name.isEmpty()) {
      return new Result(seen == null ? Lookup.ABSENT : Lookup.FOUND, seen);
    }
    String value = seen;
    int n = header.length();
    int i = 0;
    while (i < n) {
      int end = header.indexOf(';', i);
      if (end < 0) {
        end = n;
      }
      // Trim optional whitespace around the pair (RFC 6265 5.2).
      int s = i;
      while (s < end && isOws(header.charAt(s))) {
        s++;
      }
      // Look for '=' only inside this pair: indexOf over the rest of the header would make a
      // header of many '='-less pairs quadratic.
      int eq = -1;
      for (int k = s; k < end; k++) {
        if (header.charAt(k) == '=') {
          eq = k;
          break;
        }
      }
      if (eq >= 0) {
        int ne = eq;
        while (ne > s && isOws(header.charAt(ne - 1))) {
          ne--;
        }
        if (ne - s == name.length() && header.regionMatches(s, name, 0, name.length())) {
          int vs = eq + 1;
          int ve = end;
          while (vs < ve && isOws(header.charAt(vs))) {
            vs++;
          }
          while (ve > vs && isOws(header.charAt(ve - 1))) {
            ve--;
          }
          if (ve - vs >= 2 && header.charAt(vs) == '"' && header.charAt(ve - 1) == '"') {
            vs++;
            ve--;
          }
          String v = header.substring(vs, ve);
          if (value != null && !value.equals(v)) {
            return new Result(Lookup.AMBIGUOUS, null);
          }
          value = v;
        }
      }
      i = end + 1;
    }
    return new Result(value == null ? Lookup.ABSENT : Lookup.FOUND, value);
  }

  private static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }
}
