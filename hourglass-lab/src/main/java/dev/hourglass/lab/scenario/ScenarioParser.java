package dev.hourglass.lab.scenario;

import dev.hourglass.core.clock.Durations;
import dev.hourglass.core.config.ConfigException;
import dev.hourglass.lab.yaml.LocatedYaml;
import dev.hourglass.lab.yaml.YNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads scenario files. A file holds one scenario, or several separated by {@code ---}. Every
 * problem is a {@link ConfigException} with the file, the line and what to write instead.
 *
 * <pre>
 * name: seed-logout-after-expiry
 * description: …
 * op:        { tokens: { access-ttl: 1h }, logout: { expired-hint: reject } }   # op.yaml keys
 * gateway:   { logout: { expired-hint: send } }                                  # gateway.yaml keys
 * steps:
 *   - login: alice
 *   - advance: 61m
 *   - request: GET /
 *     concurrency: 50
 *     expect: { status: 200, op-events: { token_issued: { grant_type: refresh_token, count: 1 } } }
 *   - logout:
 *     expect: { op-events: { logout_rejected: 1 } }
 * </pre>
 */
public final class ScenarioParser {
  private static final long MAX_BYTES = 256 * 1024;
  private static final int MAX_CONCURRENCY = 1000;
  private static final Set<String> SCENARIO_KEYS = Set.of("name", "description", "op", "gateway", "steps");
  private static final Set<String> STEP_KINDS = Set.of("login", "advance", "request", "session", "refresh",
      "logout", "op-logout", "rotate-keys", "fault", "clear-faults", "op-settings", "expect");
  private static final Set<String> STEP_OPTIONS = Set.of("expect", "headers", "concurrency", "api", "rd", "confirm");
  private static final Set<String> EXPECT_KEYS = Set.of("status", "headers", "location", "json", "op-events",
      "gateway-events", "session-active");
  private static final Set<String> MATCHERS = Set.of("equals", "not", "present", "absent", "gt", "lt", "after",
      "before", "contains", "matches");
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");

  private ScenarioParser() {}

  public static List<Scenario> parse(Path file) {
    String name = file.toString();
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new ConfigException(name, "", "scenario file is larger than 256 KiB");
      }
      return parse(name, Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      throw new ConfigException(name, "", "file not found");
    } catch (IOException e) {
      throw new ConfigException(name, "", "cannot read: " + e.getMessage());
    }
  }

  public static List<Scenario> parse(String file, String text) {
    List<YNode> docs = LocatedYaml.parseAll(file, text);
    if (docs.isEmpty()) {
      throw new ConfigException(file, "", 1, "empty scenario file; expected name:, steps: …");
    }
    List<Scenario> out = new ArrayList<>();
    for (YNode doc : docs) {
      if (doc instanceof YNode.Scalar s && s.value() == null) continue;
      out.add(scenario(file, doc));
    }
    return out;
  }

  private static Scenario scenario(String file, YNode doc) {
    YNode.Map_ m = map(file, "", doc);
    unknownKeys(file, "", m, SCENARIO_KEYS);
    String name = m.get("name") == null ? null : string(file, "name", m.get("name"));
    if (name == null || name.isBlank()) {
      throw new ConfigException(file, "name", m.line(), "every scenario needs a name");
    }
    String description = m.get("description") == null ? "" : string(file, "description", m.get("description"));
    Map<String, Object> op = m.get("op") == null ? Map.of() : plainMap(file, "op", m.get("op"));
    Map<String, Object> gateway = m.get("gateway") == null ? Map.of() : plainMap(file, "gateway", m.get("gateway"));
    YNode stepsNode = m.get("steps");
    if (!(stepsNode instanceof YNode.Seq seq) || seq.items().isEmpty()) {
      throw new ConfigException(file, "steps", stepsNode == null ? m.line() : stepsNode.line(),
          "expected a non-empty list of steps (- login: alice, - advance: 61m, …)");
    }
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < seq.items().size(); i++) {
      steps.add(step(file, "steps[" + i + "]", seq.items().get(i)));
    }
    return new Scenario(file, m.line(), name, description, op, gateway, steps);
  }

  private static Step step(String file, String key, YNode node) {
    YNode.Map_ m;
    if (node instanceof YNode.Scalar s && s.value() instanceof String word) {
      // "- session" and "- refresh" may be written bare.
      m = new YNode.Map_(Map.of(word, new YNode.Scalar(null, s.line())), Map.of(word, s.line()), s.line());
    } else {
      m = map(file, key, node);
    }
    List<String> kinds = m.entries().keySet().stream().filter(STEP_KINDS::contains)
        .filter(k -> !k.equals("expect") || m.entries().keySet().stream().noneMatch(o -> !o.equals("expect") && STEP_KINDS.contains(o)))
        .toList();
    for (String k : m.entries().keySet()) {
      if (!STEP_KINDS.contains(k) && !STEP_OPTIONS.contains(k)) {
        throw new ConfigException(file, key + "." + k, m.lineOf(k),
            "unknown step or option; steps are " + String.join(", ", sorted(STEP_KINDS))
                + "; options are " + String.join(", ", sorted(STEP_OPTIONS)));
      }
    }
    if (kinds.size() != 1) {
      throw new ConfigException(file, key, m.line(),
          kinds.isEmpty() ? "a step needs one of " + String.join(", ", sorted(STEP_KINDS))
              : "a step does one thing; found " + kinds);
    }
    String kind = kinds.get(0);
    YNode arg = m.get(kind);
    int line = m.lineOf(kind);
    Optional<Expectations> expect = m.get("expect") == null ? Optional.empty()
        : Optional.of(expectations(file, key + ".expect", m.get("expect"), kind.equals("expect")));
    allowOptions(file, key, m, kind);
    return switch (kind) {
      case "login" -> new Step.Login(required(file, key + ".login", arg, "a user name, e.g. login: alice"),
          m.get("rd") == null ? null : string(file, key + ".rd", m.get("rd")), line, expect);
      case "advance" -> new Step.Advance(duration(file, key + ".advance", arg), line, expect);
      case "request" -> request(file, key, m, arg, line, expect);
      case "session" -> new Step.SessionRead(line, expect);
      case "refresh" -> new Step.Refresh(line, expect);
      case "logout" -> new Step.Logout(m.get("confirm") == null || bool(file, key + ".confirm", m.get("confirm")), line, expect);
      case "op-logout" -> new Step.OpLogout(line, expect);
      case "rotate-keys" -> new Step.RotateKeys(line, expect);
      case "fault" -> new Step.Fault(plainMap(file, key + ".fault", arg), line, expect);
      case "clear-faults" -> new Step.ClearFaults(line, expect);
      case "op-settings" -> new Step.OpSettings(plainMap(file, key + ".op-settings", arg), line, expect);
      default -> new Step.Check(line, expect);
    };
  }

  private static void allowOptions(String file, String key, YNode.Map_ m, String kind) {
    Set<String> allowed = switch (kind) {
      case "request" -> Set.of("expect", "headers", "concurrency", "api");
      case "login" -> Set.of("expect", "rd");
      case "logout" -> Set.of("expect", "confirm");
      default -> Set.of("expect");
    };
    for (String k : m.entries().keySet()) {
      if (!k.equals(kind) && !allowed.contains(k)) {
        throw new ConfigException(file, key + "." + k, m.lineOf(k), "'" + k + "' does not apply to a " + kind + " step");
      }
    }
  }

  private static Step request(String file, String key, YNode.Map_ m, YNode arg, int line, Optional<Expectations> expect) {
    String text = string(file, key + ".request", arg).trim();
    String[] parts = text.split("\\s+");
    if (parts.length != 2 || !METHODS.contains(parts[0].toUpperCase(Locale.ROOT)) || !parts[1].startsWith("/")) {
      throw new ConfigException(file, key + ".request", line, "write it as METHOD /path, e.g. GET /api/orders");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    if (m.get("headers") != null) {
      YNode.Map_ h = map(file, key + ".headers", m.get("headers"));
      h.entries().forEach((k, v) -> headers.put(k, scalarText(file, key + ".headers." + k, v)));
    }
    int concurrency = 1;
    if (m.get("concurrency") != null) {
      concurrency = integer(file, key + ".concurrency", m.get("concurrency"));
      if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
        throw new ConfigException(file, key + ".concurrency", m.lineOf("concurrency"), "must be between 1 and " + MAX_CONCURRENCY);
      }
    }
    boolean api = m.get("api") != null && bool(file, key + ".api", m.get("api"));
    return new Step.Request(parts[0].toUpperCase(Locale.ROOT), parts[1], headers, concurrency, api, line, expect);
  }

  private static Expectations expectations(String file, String key, YNode node, boolean standalone) {
    YNode.Map_ m = map(file, key, node);
    unknownKeys(file, key, m, EXPECT_KEYS);
    Integer status = null;
    if (m.get("status") != null) {
      status = integer(file, key + ".status", m.get("status"));
      if (status < 100 || status > 599) {
        throw new ConfigException(file, key + ".status", m.lineOf("status"), "not an HTTP status");
      }
    }
    Map<String, String> headers = new LinkedHashMap<>();
    if (m.get("headers") != null) {
      map(file, key + ".headers", m.get("headers")).entries().forEach((k, v) -> {
        String val = string(file, key + ".headers." + k, v);
        if (val.startsWith("~")) regex(file, key + ".headers." + k, v.line(), val.substring(1));
        headers.put(k, val);
      });
    }
    String location = m.get("location") == null ? null : string(file, key + ".location", m.get("location"));
    Map<String, Expectations.Matcher> json = new LinkedHashMap<>();
    if (m.get("json") != null) {
      YNode.Map_ j = map(file, key + ".json", m.get("json"));
      j.entries().forEach((path, v) -> json.put(path, matcher(file, key + ".json." + path, v)));
    }
    List<Expectations.EventCount> op = m.get("op-events") == null ? List.of()
        : eventCounts(file, key + ".op-events", m.get("op-events"), standalone);
    List<Expectations.EventCount> gw = m.get("gateway-events") == null ? List.of()
        : eventCounts(file, key + ".gateway-events", m.get("gateway-events"), standalone);
    Boolean active = m.get("session-active") == null ? null : bool(file, key + ".session-active", m.get("session-active"));
    return new Expectations(status, headers, location, json, op, gw, active, m.line());
  }

  /**
   * Event counts: {@code {type: N}} or {@code {type: {count: N | at-least: N, scope: step|scenario, field: value}}}.
   */
  private static List<Expectations.EventCount> eventCounts(String file, String key, YNode node, boolean standalone) {
    YNode.Map_ m = map(file, key, node);
    List<Expectations.EventCount> out = new ArrayList<>();
    m.entries().forEach((type, v) -> {
      String k = key + "." + type;
      int line = m.lineOf(type);
      if (v instanceof YNode.Scalar) {
        out.add(new Expectations.EventCount(type, Map.of(), integer(file, k, v), null, standalone, line));
        return;
      }
      YNode.Map_ spec = map(file, k, v);
      Integer exactly = null;
      Integer atLeast = null;
      boolean whole = standalone;
      Map<String, String> where = new LinkedHashMap<>();
      for (var e : spec.entries().entrySet()) {
        switch (e.getKey()) {
          case "count" -> exactly = integer(file, k + ".count", e.getValue());
          case "at-least" -> atLeast = integer(file, k + ".at-least", e.getValue());
          case "scope" -> {
            String s = string(file, k + ".scope", e.getValue());
            if (!s.equals("step") && !s.equals("scenario")) {
              throw new ConfigException(file, k + ".scope", e.getValue().line(), "expected step or scenario");
            }
            whole = s.equals("scenario");
          }
          default -> where.put(e.getKey(), string(file, k + "." + e.getKey(), e.getValue()));
        }
      }
      if ((exactly == null) == (atLeast == null)) {
        throw new ConfigException(file, k, line, "give exactly one of count: N or at-least: N");
      }
      out.add(new Expectations.EventCount(type, where, exactly, atLeast, whole, line));
    });
    return out;
  }

  private static Expectations.Matcher matcher(String file, String key, YNode v) {
    if (v instanceof YNode.Scalar s) {
      return new Expectations.Matcher("equals", s.value(), s.line());
    }
    if (v instanceof YNode.Seq) {
      return new Expectations.Matcher("equals", YNode.toPlain(v), v.line());
    }
    YNode.Map_ m = (YNode.Map_) v;
    if (m.entries().size() != 1 || !MATCHERS.contains(m.entries().keySet().iterator().next())) {
      throw new ConfigException(file, key, m.line(), "expected a value or one of {" + String.join(", ", sorted(MATCHERS)) + ": …}");
    }
    String op = m.entries().keySet().iterator().next();
    YNode operand = m.get(op);
    if (op.equals("matches")) {
      regex(file, key + ".matches", operand.line(), string(file, key + ".matches", operand));
    }
    if ((op.equals("after") || op.equals("before"))) {
      RelativeTime.parse(string(file, key + "." + op, operand)).orElseThrow(() -> new ConfigException(
          file, key + "." + op, operand.line(), "expected now, now+5m, now-1h or epoch seconds"));
    }
    return new Expectations.Matcher(op, YNode.toPlain(operand), m.line());
  }

  // ---- small typed readers, each naming the key and line on failure ----

  private static YNode.Map_ map(String file, String key, YNode n) {
    if (n instanceof YNode.Map_ m) return m;
    throw new ConfigException(file, key, n.line(), "expected a mapping (key: value), found " + n.kind());
  }

  private static Map<String, Object> plainMap(String file, String key, YNode n) {
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) YNode.toPlain(map(file, key, n));
    return m;
  }

  private static String string(String file, String key, YNode n) {
    if (n instanceof YNode.Scalar s && s.value() != null && !(s.value() instanceof Boolean)) {
      return s.text();
    }
    throw new ConfigException(file, key, n.line(), "expected a string, found " + n.kind());
  }

  private static String required(String file, String key, YNode n, String what) {
    if (n instanceof YNode.Scalar s && s.value() instanceof String str && !str.isBlank()) return str;
    throw new ConfigException(file, key, n.line(), "expected a string: " + what);
  }

  /** Header values: YAML may read "yes" or 42 as non-strings; a header is text either way. */
  private static String scalarText(String file, String key, YNode n) {
    if (n instanceof YNode.Scalar s && s.value() != null) return s.text();
    throw new ConfigException(file, key, n.line(), "expected a header value, found " + n.kind());
  }

  private static int integer(String file, String key, YNode n) {
    if (n instanceof YNode.Scalar s && s.value() instanceof Integer i) return i;
    if (n instanceof YNode.Scalar s && s.value() instanceof Long l && l == (int) (long) l) return (int) (long) l;
    throw new ConfigException(file, key, n.line(), "expected a whole number, found " + n.kind());
  }

  private static boolean bool(String file, String key, YNode n) {
    if (n instanceof YNode.Scalar s && s.value() instanceof Boolean b) return b;
    throw new ConfigException(file, key, n.line(), "expected true or false, found " + n.kind());
  }

  private static java.time.Duration duration(String file, String key, YNode n) {
    String s = string(file, key, n);
    try {
      return Durations.parse(s);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(file, key, n.line(), e.getMessage());
    }
  }

  private static void regex(String file, String key, int line, String re) {
    try {
      Pattern.compile(re);
    } catch (PatternSyntaxException e) {
      throw new ConfigException(file, key, line, "not a valid regular expression: " + e.getDescription());
    }
  }

  private static void unknownKeys(String file, String key, YNode.Map_ m, Set<String> known) {
    for (String k : m.entries().keySet()) {
      if (!known.contains(k)) {
        throw new ConfigException(file, key.isEmpty() ? k : key + "." + k, m.lineOf(k),
            "unknown key; expected one of " + String.join(", ", sorted(known)));
      }
    }
  }

  private static List<String> sorted(Set<String> s) {
    return s.stream().sorted().toList();
  }
}
