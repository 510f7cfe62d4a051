package dev.hourglass.lab.scenario;

import java.time.Duration;
import java.util.List;

/** How one scenario went: a verdict per expectation, the timeline, the wall time. */
public record ScenarioResult(Scenario scenario, List<StepResult> steps, List<TimelineEntry> timeline, Duration wallTime,
    String setupError) {

  public boolean passed() {
    return setupError == null && steps.stream().allMatch(StepResult::passed);
  }

  public List<Verdict> failures() {
    return steps.stream().flatMap(s -> s.verdicts().stream()).filter(v -> !v.passed()).toList();
  }

  /** One step and its verdicts; {@code error} when the step itself could not run. */
  public record StepResult(int line, String step, List<Verdict> verdicts, String error) {
    public boolean passed() {
      return error == null && verdicts.stream().allMatch(Verdict::passed);
    }
  }

  /** One expectation: what was expected, whether it held, what was seen. */
  public record Verdict(int line, String expectation, boolean passed, String actual) {}

  /** One line of the timeline: clock offset from the scenario's start, who, what, details. */
  public record TimelineEntry(Duration at, long seq, String actor, String type, String details) {}
}
