package dev.hourglass.lab.scenario;

import java.util.List;
import java.util.Map;

/**
 * One scenario: an OP setup, a gateway setup and steps with expectations, run on a fresh lab
 * with its own clock.
 *
 * @param file the file it came from (for messages)
 * @param line where the scenario starts in that file
 * @param op overrides of {@code hourglass op} config keys (same YAML keys as op.yaml)
 * @param gateway overrides of gateway config keys (same YAML keys as gateway.yaml)
 */
public record Scenario(
    String file,
    int line,
    String name,
    String description,
    Map<String, Object> op,
    Map<String, Object> gateway,
    List<Step> steps) {

  public Scenario {
    op = op == null ? Map.of() : Map.copyOf(op);
    gateway = gateway == null ? Map.of() : Map.copyOf(gateway);
    steps = List.copyOf(steps);
  }
}
