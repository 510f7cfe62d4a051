package dev.hourglass.gateway.authz;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Claim lookups by dotted path ({@code realm_access.roles}) over ID token + userinfo claims. */
public final class Claims {
  private Claims() {}

  /** ID token claims overlaid by userinfo claims (userinfo is fresher for profile data; sub is equal). */
  public static Map<String, Object> merged(Map<String, Object> idToken, Map<String, Object> userinfo) {
    Map<String, Object> m = new LinkedHashMap<>(idToken == null ? Map.of() : idToken);
    if (userinfo != null) {
      m.putAll(userinfo);
    }
    return m;
  }

  /** The value at a dotted path; a key containing dots is tried whole first. */
  public static Optional<Object> at(Map<String, Object> claims, String path) {
    if (claims == null || path == null) return Optional.empty();
    if (claims.containsKey(path)) return Optional.ofNullable(claims.get(path));
    Object cur = claims;
    for (String part : path.split("\\.")) {
      if (cur instanceof Map<?, ?> m) {
        cur = m.get(part);
      } else if (cur instanceof io.vertx.core.json.JsonObject j) {
        cur = j.getValue(part);
      } else {
        return Optional.empty();
      }
      if (cur == null) return Optional.empty();
    }
    return Optional.of(cur);
  }

  /** The claim as a list of strings: a list's elements, or a single scalar. */
  public static List<String> strings(Object value) {
    List<String> out = new ArrayList<>();
    if (value instanceof Collection<?> c) {
      for (Object o : c) if (o != null && !(o instanceof Map) && !(o instanceof Collection)) out.add(String.valueOf(o));
    } else if (value instanceof io.vertx.core.json.JsonArray a) {
      for (Object o : a) if (o != null) out.add(String.valueOf(o));
    } else if (value != null && !(value instanceof Map)) {
      out.add(String.valueOf(value));
    }
    return out;
  }

  /** A scalar claim as a string; empty for lists/objects. */
  public static Optional<String> string(Map<String, Object> claims, String path) {
    return at(claims, path).filter(v -> !(v instanceof Map) && !(v instanceof Collection)
        && !(v instanceof io.vertx.core.json.JsonObject) && !(v instanceof io.vertx.core.json.JsonArray)).map(String::valueOf);
  }
}
