package dev.hourglass.lab.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every scenario in the repository's scenarios/ folder passes, each well under 5 s of wall time. */
class BundledScenariosTest {
  private static ScenarioSuite suite;

  @BeforeAll
  static void start() {
    suite = new ScenarioSuite();
  }

  @AfterAll
  static void stop() {
    suite.close();
  }

  static Stream<Path> files() throws IOException {
    Path dir = repoRoot().resolve("scenarios");
    assertThat(dir).isDirectory();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(8);
    return files.stream();
  }

  static Path repoRoot() {
    return BundledScenariosTestSupport.repoRoot();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("files")
  void bundledScenarioPasses(Path file) {
    List<Scenario> scenarios = ScenarioSuite.load(List.of(file));
    for (ScenarioResult r : suite.run(scenarios, x -> { })) {
      assertThat(r.passed()).as(ScenarioReports.text(r)).isTrue();
      Duration limit = file.getFileName().toString().startsWith("seed-") ? Duration.ofSeconds(3) : Duration.ofSeconds(5);
      assertThat(r.wallTime()).as("wall time of " + r.scenario().name()).isLessThan(limit);
    }
  }
}
