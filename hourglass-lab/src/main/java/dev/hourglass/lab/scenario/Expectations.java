package dev.hourglass.lab.scenario;

import java.util.List;
import java.util.Map;

/**
 * What must hold after a step.
 *
 * @param status the HTTP status of the step's response(s); for a concurrent request, of every one
 * @param headers response headers that must match (value: exact, or {@code ~regex})
 * @param location where the last redirect pointed: {@code op}, {@code gateway}, {@code upstream}
 *     or a path prefix
 * @param json dotted paths into the JSON body (the session for {@code session}) and their matchers
 * @param opEvents OP event counts
 * @param gatewayEvents gateway reason-code counts
 * @param sessionActive whether the browser still has a gateway session afterwards
 */
public record Expectations(
    Integer status,
    Map<String, String> headers,
    String location,
    Map<String, Matcher> json,
    List<EventCount> opEvents,
    List<EventCount> gatewayEvents,
    Boolean sessionActive,
    int line) {

  /** A count of events of a type, optionally with field filters, within the step or the whole scenario. */
  public record EventCount(String type, Map<String, String> where, Integer exactly, Integer atLeast,
      boolean wholeScenario, int line) {
    public String describe() {
      StringBuilder b = new StringBuilder();
      if (exactly != null) b.append("exactly ").append(exactly);
      else b.append("at least ").append(atLeast);
      b.append(' ').append(type);
      if (!where.isEmpty()) b.append(' ').append(where);
      b.append(wholeScenario ? " (whole scenario)" : " (this step)");
      return b.toString();
    }
  }

  /**
   * A check on one JSON value. {@code op} is one of equals, not, present, absent, gt, lt, after,
   * before, contains, matches. For after/before, {@code operand} may be {@code now}, {@code now+5m},
   * {@code now-1h} or epoch seconds.
   */
  public record Matcher(String op, Object operand, int line) {
    public String describe() {
      return switch (op) {
        case "present", "absent" -> op;
        default -> op + " " + operand;
      };
    }
  }
}
