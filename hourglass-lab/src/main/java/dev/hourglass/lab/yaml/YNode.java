package dev.hourglass.lab.yaml;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML value that remembers its line, so a malformed scenario is reported as
 * {@code file:line: reason} rather than "somewhere in the file".
 */
public sealed interface YNode {
  int line();

  /** What the node is, for error messages: "a mapping", "a list", "a string" … */
  String kind();

  /** A scalar: string, number, boolean; or null. */
  record Scalar(Object value, int line) implements YNode {
    public String text() {
      return value == null ? null : String.valueOf(value);
    }

    @Override
    public String kind() {
      if (value == null) return "nothing (null)";
      if (value instanceof Number) return "a number";
      if (value instanceof Boolean) return "true/false";
      return "a string";
    }
  }

  /** A list. */
  record Seq(List<YNode> items, int line) implements YNode {
    public Seq {
      items = Collections.unmodifiableList(items);
    }

    @Override
    public String kind() {
      return "a list";
    }
  }

  /** A mapping, in document order. */
  record Map_(Map<String, YNode> entries, Map<String, Integer> keyLines, int line) implements YNode {
    public Map_ {
      entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
      keyLines = Collections.unmodifiableMap(new LinkedHashMap<>(keyLines));
    }

    public YNode get(String key) {
      return entries.get(key);
    }

    public int lineOf(String key) {
      return keyLines.getOrDefault(key, line);
    }

    @Override
    public String kind() {
      return "a mapping";
    }
  }

  /** Plain Java value (Map/List/scalars) for handing a subtree to a config binder. */
  static Object toPlain(YNode n) {
    if (n instanceof Scalar s) return s.value();
    if (n instanceof Seq q) return q.items().stream().map(YNode::toPlain).toList();
    Map<String, Object> m = new LinkedHashMap<>();
    ((Map_) n).entries().forEach((k, v) -> m.put(k, toPlain(v)));
    return m;
  }
}
