package dev.hourglass.cli;

import dev.hourglass.lab.scenario.Scenario;
import dev.hourglass.lab.scenario.ScenarioReports;
import dev.hourglass.lab.scenario.ScenarioResult;
import dev.hourglass.lab.scenario.ScenarioSuite;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hourglass scenario run FILE...}: each scenario on a fresh in-process lab with its own clock. */
@Command(name = "scenario", description = "Run lab scenarios.", synopsisSubcommandLabel = "run",
    subcommands = ScenarioCommand.Run.class)
final class ScenarioCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing a scenario command: run");
  }

  @Command(name = "run", sortOptions = false,
      description = {"Run scenario files (or folders of *.yaml) and print a timeline and a verdict per expectation.",
          "Exit code: 0 all passed, 1 an expectation failed, 2 a malformed scenario (file, line and reason)."})
  static final class Run implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Scenario files or folders.")
    List<Path> files;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write a JSON report ('-' for stdout).")
    Path json;

    @Option(names = "--junit-xml", paramLabel = "FILE", description = "Also write a JUnit XML report.")
    Path junitXml;

    @Option(names = {"-q", "--quiet"}, description = "Only print failures and the summary.")
    boolean quiet;

    /** Folders expand to their *.yaml/*.yml files, sorted; a missing path is a usage error. */
    List<Path> expand() throws IOException {
      List<Path> out = new ArrayList<>();
      for (Path p : files) {
        if (Files.isDirectory(p)) {
          try (Stream<Path> s = Files.list(p)) {
            s.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().forEach(out::add);
          }
        } else if (Files.isRegularFile(p)) {
          out.add(p);
        } else {
          throw CliException.usage("hourglass scenario run: no such file: " + p);
        }
      }
      if (out.isEmpty()) throw CliException.usage("hourglass scenario run: no scenario files found");
      return out;
    }

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      // Parse everything first: a malformed file exits 2 before anything runs.
      List<Scenario> scenarios = ScenarioSuite.load(expand());
      List<ScenarioResult> results;
      try (ScenarioSuite suite = new ScenarioSuite()) {
        results = suite.run(scenarios, r -> {
          if (!quiet || !r.passed()) {
            out.print(ScenarioReports.text(r));
          } else {
            out.println("PASS " + r.scenario().name());
          }
          out.flush();
        });
      }
      if (json != null) {
        String text = ScenarioReports.json(results).encodePrettily();
        if (json.toString().equals("-")) out.println(text);
        else Files.writeString(json, text, StandardCharsets.UTF_8);
      }
      if (junitXml != null) {
        Files.writeString(junitXml, ScenarioReports.junitXml(results), StandardCharsets.UTF_8);
      }
      long passed = results.stream().filter(ScenarioResult::passed).count();
      out.println((passed) + " passed, " + (results.size() - passed) + " failed");
      out.flush();
      return passed == results.size() ? 0 : 1;
    }
  }
}
