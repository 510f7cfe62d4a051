package dev.hourglass.lab.scenario;

import dev.hourglass.lab.scenario.ScenarioResult.StepResult;
import dev.hourglass.lab.scenario.ScenarioResult.TimelineEntry;
import dev.hourglass.lab.scenario.ScenarioResult.Verdict;
import dev.hourglass.core.http.Html;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Renders results for people (a timeline and verdicts), for tools ({@code --json}) and for CI ({@code --junit-xml}). */
public final class ScenarioReports {
  private ScenarioReports() {}

  /** The readable report: timeline in clock order, then a verdict per expectation. */
  public static String text(ScenarioResult r) {
    StringBuilder b = new StringBuilder();
    b.append("━━ ").append(r.scenario().name()).append("  (").append(r.scenario().file()).append(':')
        .append(r.scenario().line()).append(")\n");
    if (!r.scenario().description().isBlank()) {
      b.append("   ").append(r.scenario().description().strip().replace("\n", "\n   ")).append('\n');
    }
    if (r.setupError() != null) {
      b.append("   ✗ the lab did not start: ").append(r.setupError()).append('\n');
      return b.toString();
    }
    b.append("   timeline (lab clock)\n");
    for (TimelineEntry e : r.timeline()) {
      b.append(String.format(Locale.ROOT, "   %s  %-9s %-32s %s%n", offset(e.at()), e.actor(), e.type(), e.details()));
    }
    b.append("   verdicts\n");
    for (StepResult s : r.steps()) {
      if (s.error() != null) {
        b.append("   ✗ line ").append(s.line()).append(' ').append(s.step()).append(": ").append(s.error()).append('\n');
      }
      for (Verdict v : s.verdicts()) {
        b.append("   ").append(v.passed() ? "✓" : "✗").append(" line ").append(v.line()).append(' ')
            .append(v.expectation());
        if (!v.passed()) b.append("  — got ").append(v.actual());
        b.append('\n');
      }
    }
    b.append("   ").append(r.passed() ? "PASS" : "FAIL").append(" in ")
        .append(String.format(Locale.ROOT, "%.2f s", r.wallTime().toMillis() / 1000.0)).append('\n');
    return b.toString();
  }

  static String offset(Duration d) {
    long s = d.getSeconds();
    return String.format(Locale.ROOT, "+%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }

  /** {@code --json}: one object with every scenario, its verdicts and timeline. */
  public static JsonObject json(List<ScenarioResult> results) {
    JsonArray scenarios = new JsonArray();
    for (ScenarioResult r : results) {
      JsonArray steps = new JsonArray();
      for (StepResult s : r.steps()) {
        JsonArray verdicts = new JsonArray();
        s.verdicts().forEach(v -> verdicts.add(new JsonObject().put("line", v.line()).put("expectation", v.expectation())
            .put("passed", v.passed()).put("actual", v.actual())));
        steps.add(new JsonObject().put("line", s.line()).put("step", s.step()).put("passed", s.passed())
            .put("error", s.error()).put("verdicts", verdicts));
      }
      JsonArray timeline = new JsonArray();
      r.timeline().forEach(e -> timeline.add(new JsonObject().put("at", e.at().toString()).put("actor", e.actor())
          .put("type", e.type()).put("details", e.details())));
      scenarios.add(new JsonObject().put("name", r.scenario().name()).put("file", r.scenario().file())
          .put("passed", r.passed()).put("wall_ms", r.wallTime().toMillis()).put("setup_error", r.setupError())
          .put("steps", steps).put("timeline", timeline));
    }
    long passed = results.stream().filter(ScenarioResult::passed).count();
    return new JsonObject().put("passed", passed).put("failed", results.size() - passed).put("scenarios", scenarios);
  }

  /** {@code --junit-xml}: one testsuite, one testcase per scenario, the timeline as system-out. */
  public static String junitXml(List<ScenarioResult> results) {
    long failures = results.stream().filter(r -> !r.passed()).count();
    double total = results.stream().mapToLong(r -> r.wallTime().toMillis()).sum() / 1000.0;
    StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    b.append(String.format(Locale.ROOT, "<testsuite name=\"hourglass-scenarios\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"0\" time=\"%.3f\">%n",
        results.size(), failures, total));
    for (ScenarioResult r : results) {
      b.append(String.format(Locale.ROOT, "  <testcase classname=\"%s\" name=\"%s\" time=\"%.3f\">%n",
          xml(r.scenario().file()), xml(r.scenario().name()), r.wallTime().toMillis() / 1000.0));
      if (!r.passed()) {
        String msg = r.setupError() != null ? r.setupError()
            : r.steps().stream().filter(s -> s.error() != null).map(s -> "line " + s.line() + ": " + s.error()).findFirst()
                .orElseGet(() -> r.failures().stream().map(v -> "line " + v.line() + ": " + v.expectation() + " — got " + v.actual())
                    .findFirst().orElse("failed"));
        b.append("    <failure message=\"").append(xml(msg)).append("\">").append(xml(text(r))).append("</failure>\n");
      }
      b.append("    <system-out>").append(xml(text(r))).append("</system-out>\n");
      b.append("  </testcase>\n");
    }
    return b.append("</testsuite>\n").toString();
  }

  static String xml(String s) {
    return Html.escape(s);
  }
}
