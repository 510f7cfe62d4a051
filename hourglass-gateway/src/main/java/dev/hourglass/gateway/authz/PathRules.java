package dev.hourglass.gateway.authz;

import dev.hourglass.gateway.GatewayConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Per-path rules; the first rule whose path matches wins. A path with {@code *} or {@code ?} is a
 * glob ({@code *} = within one segment, {@code **} = across segments); otherwise it is a prefix.
 * Paths are matched after normalisation ({@code /a/../b} is {@code /b}), so encoded tricks do not
 * slip past a rule.
 */
public final class PathRules {
  /** A compiled rule; {@code index} names it in events ({@code AUTHZ_DENIED:rule-2}). */
  public record Compiled(int index, GatewayConfig.Rule rule, Pattern glob, List<Pattern> regexes) {
    public String name() {
      return "rule-" + index;
    }

    boolean matches(String path) {
      return glob != null ? glob.matcher(path).matches() : path.startsWith(rule.path());
    }
  }

  /** Default when no rule matches: authenticated, browser-or-API by request kind, no claim checks. */
  public static final GatewayConfig.Rule DEFAULT = new GatewayConfig.Rule("/", false, false, List.of(), true);

  private final List<Compiled> rules = new ArrayList<>();
  private final Compiled fallback = new Compiled(0, DEFAULT, null, List.of());

  public PathRules(List<GatewayConfig.Rule> configured) {
    int i = 1;
    for (GatewayConfig.Rule r : configured) {
      Pattern glob = r.path().contains("*") || r.path().contains("?") ? globToRegex(r.path()) : null;
      List<Pattern> regexes = r.require().stream()
          .map(q -> q.regex() == null ? null : Pattern.compile(q.regex()))
          .toList();
      rules.add(new Compiled(i++, r, glob, new ArrayList<>(regexes)));
    }
  }

  public Compiled match(String normalisedPath) {
    for (Compiled c : rules) {
      if (c.matches(normalisedPath)) return c;
    }
    return fallback;
  }

  /** The first requirement the claims do not meet, described; empty when all are met. */
  public static Optional<String> unmet(Compiled rule, Map<String, Object> claims) {
    List<GatewayConfig.Requirement> reqs = rule.rule().require();
    for (int i = 0; i < reqs.size(); i++) {
      GatewayConfig.Requirement q = reqs.get(i);
      Optional<Object> v = Claims.at(claims, q.claim());
      List<String> values = v.map(Claims::strings).orElse(List.of());
      boolean ok;
      if (q.equals() != null) {
        ok = values.size() == 1 && values.get(0).equals(q.equals());
      } else if (q.oneOf() != null) {
        ok = values.size() == 1 && q.oneOf().contains(values.get(0));
      } else if (q.regex() != null) {
        Pattern p = rule.regexes().get(i);
        ok = !values.isEmpty() && values.stream().allMatch(s -> p.matcher(s).matches());
      } else {
        ok = values.contains(q.contains());
      }
      if (!ok) {
        return Optional.of("claim '" + q.claim() + "' does not meet the requirement of " + rule.name());
      }
    }
    return Optional.empty();
  }

  static Pattern globToRegex(String glob) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*') {
        if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
          b.append(".*");
          i++;
        } else {
          b.append("[^/]*");
        }
      } else if (c == '?') {
        b.append("[^/]");
      } else {
        b.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(b.toString());
  }
}
