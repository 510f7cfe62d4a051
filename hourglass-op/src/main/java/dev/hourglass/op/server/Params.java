package dev.hourglass.op.server;

import io.vertx.core.MultiMap;
import java.util.List;

/** Request parameters with RFC 6749 §3.1 rules: a parameter sent twice is an error, an empty one is absent. */
final class Params {
  private static final int MAX_VALUE = 8192;
  private final MultiMap map;

  Params(MultiMap map) {
    this.map = map;
  }

  /** The single value of {@code name}, or null when absent or empty. */
  String get(String name) {
    List<String> all = map.getAll(name);
    if (all.isEmpty()) {
      return null;
    }
    if (all.size() > 1) {
      throw OAuthException.invalidRequest("parameter '" + name + "' was sent more than once");
    }
    String v = all.get(0);
    if (v.length() > MAX_VALUE) {
      throw OAuthException.invalidRequest("parameter '" + name + "' is too long");
    }
    return v.isEmpty() ? null : v;
  }

  String require(String name) {
    String v = get(name);
    if (v == null) {
      throw OAuthException.invalidRequest("missing parameter '" + name + "'");
    }
    return v;
  }

  boolean has(String name) {
    return get(name) != null;
  }
}
