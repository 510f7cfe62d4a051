package dev.hourglass.lab.scenario;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.lab.Lab;
import dev.hourglass.lab.LabOptions;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Parses scenario files and runs each scenario on a fresh lab with its own clock. All files are
 * parsed before anything runs, so a typo in the last file fails fast (exit 2) instead of after
 * minutes of runs.
 */
public final class ScenarioSuite implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();

  /** Reads every file; a malformed one throws {@link dev.hourglass.core.config.ConfigException}. */
  public static List<Scenario> load(List<Path> files) {
    List<Scenario> all = new ArrayList<>();
    for (Path f : files) {
      all.addAll(ScenarioParser.parse(f));
    }
    return all;
  }

  /** Runs the scenarios one after another; {@code onResult} hears each as it finishes. */
  public List<ScenarioResult> run(List<Scenario> scenarios, Consumer<ScenarioResult> onResult) {
    ScenarioRunner runner = new ScenarioRunner(s -> Lab.start(vertx, ControllableClock.startingNow(),
            LabOptions.ephemeral(s.op(), s.gateway()), s.file() + " [" + s.name() + "]")
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
    List<ScenarioResult> results = new ArrayList<>();
    for (Scenario s : scenarios) {
      ScenarioResult r = runner.run(s);
      results.add(r);
      onResult.accept(r);
    }
    return results;
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // shutting down
    }
  }
}
