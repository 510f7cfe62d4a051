package dev.hourglass.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hourglass config check FILE}: validates a config file without starting anything. */
@Command(name = "config", description = "Work with configuration files.",
    synopsisSubcommandLabel = "check", subcommands = ConfigCommand.Check.class)
final class ConfigCommand implements Runnable {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing a config command: check");
  }

  @Command(name = "check",
      description = {"Validate a gateway config (or an OP config: --op, or detected from its keys).",
          "Prints OK, or the file, key and reason with exit code 2."})
  static final class Check implements Callable<Integer> {
    @ParentCommand ConfigCommand parent;
    @Spec CommandSpec spec;

    static final class KindFlags {
      @Option(names = "--gateway", description = "The file is a gateway config.") boolean gateway;
      @Option(names = "--op", description = "The file is an OP config (op.yaml).") boolean op;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    KindFlags kindFlags;

    @Parameters(index = "0", paramLabel = "FILE", description = "The YAML file to check.")
    Path file;

    /** The kind forced by a flag, if any. */
    java.util.Optional<ConfigChecker.Kind> forcedKind() {
      if (kindFlags == null) return java.util.Optional.empty();
      return java.util.Optional.of(kindFlags.op ? ConfigChecker.Kind.op : ConfigChecker.Kind.gateway);
    }

    @Override
    public Integer call() {
      String summary = ConfigChecker.check(file, forcedKind(), parent.main.env());
      spec.commandLine().getOut().println("OK: " + summary);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
