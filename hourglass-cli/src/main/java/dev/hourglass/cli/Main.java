package dev.hourglass.cli;

import dev.hourglass.core.config.ConfigException;
import java.io.PrintWriter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code hourglass} command. Each subcommand is its own class that parses its arguments into
 * fields (so tests can assert on a parsed command without any I/O) and does its work in
 * {@code call()}. A new command (issue 5: {@code lab}, {@code scenario}) is one class plus one
 * entry in {@link #COMMANDS}.
 *
 * <p>Exit codes: 0 success; 1 a runtime failure (one line on stderr, the stack trace only with
 * {@code --debug}); 2 bad input: a usage error, or a {@link ConfigException} whose message names
 * the file, key and reason.
 */
@Command(
    name = "hourglass",
    mixinStandardHelpOptions = true,
    scope = ScopeType.INHERIT,
    versionProvider = Main.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "An OIDC relying-party gateway, and a lab with a dev OpenID Provider on a controllable clock.",
        "Run 'hourglass COMMAND --help' for a command's options.",
        ""
    })
public final class Main implements Runnable {
  /**
   * The subcommands by name, in the order {@code --help} lists them. Not in the {@code @Command}
   * annotation: picocli builds the model of every listed command (reflection over each class, its
   * options and nested commands) before parsing, and a start of {@code hourglass gateway} needs only
   * one of them (issue 7: start to {@code /ready} within 1 s). See {@link #commandLine(Main, String[])}.
   */
  static final Map<String, Class<?>> COMMANDS = commands();

  private static Map<String, Class<?>> commands() {
    Map<String, Class<?>> m = new LinkedHashMap<>();
    m.put("lab", LabCommand.class);
    m.put("scenario", ScenarioCommand.class);
    m.put("op", OpCommand.class);
    m.put("gateway", GatewayCommand.class);
    m.put("config", ConfigCommand.class);
    m.put("clock", ClockCommand.class);
    m.put("cds-training", CdsTrainingCommand.class);
    m.put("help", CommandLine.HelpCommand.class);
    return Collections.unmodifiableMap(m);
  }

  /** Exit code for bad input: usage errors and configuration problems. */
  public static final int EXIT_USAGE = 2;
  /** Exit code for a runtime failure (unreachable server, port in use …). */
  public static final int EXIT_FAILURE = 1;

  private final Map<String, String> env;

  @Spec CommandSpec spec;

  @Option(names = "--debug", scope = ScopeType.INHERIT,
      description = "Print stack traces for errors.")
  boolean debug;

  public Main(Map<String, String> env) {
    this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
  }

  /** The process environment (for {@code ${VAR}} in config files and defaults such as the admin token). */
  Map<String, String> env() {
    return env;
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing a command");
  }

  public static void main(String[] args) {
    int code = commandLine(new Main(System.getenv()), args).execute(args);
    System.exit(code);
  }

  /** The configured command line with every subcommand: our exit codes, and one-line errors instead of stack traces. */
  public static CommandLine commandLine(Main main) {
    return commandLine(main, null);
  }

  /**
   * As {@link #commandLine(Main)}, for these arguments: when they name a subcommand (after nothing
   * but {@code --debug}), only that subcommand is added; it parses, runs, fails and prints its usage
   * exactly as with all of them. Anything else (no command, an unknown one, {@code help}, {@code -h},
   * {@code -V}, {@code --}) gets every subcommand, for the full usage and picocli's suggestions.
   */
  static CommandLine commandLine(Main main, String[] args) {
    String only = args == null ? null : namedCommand(args);
    CommandLine cl = new CommandLine(main);
    // Before the settings below: picocli applies them to the subcommands present at the time.
    for (Map.Entry<String, Class<?>> c : COMMANDS.entrySet()) {
      if (only == null || only.equals(c.getKey())) {
        cl.addSubcommand(c.getKey(), c.getValue());
      }
    }
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      boolean debug = parseResult.originalArgs().contains("--debug");
      int code;
      if (ex instanceof ConfigException) {
        err.println(ex.getMessage());
        code = EXIT_USAGE;
      } else if (ex instanceof CliException cli) {
        err.println(cli.getMessage());
        code = cli.exitCode();
      } else {
        String what = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        err.println("hourglass: " + what + (debug ? "" : " (run with --debug for details)"));
        code = EXIT_FAILURE;
      }
      if (debug) {
        ex.printStackTrace(err);
      }
      err.flush();
      return code;
    });
    return cl;
  }

  /** The subcommand {@code args} start with (after any {@code --debug}), or null: build them all. */
  static String namedCommand(String[] args) {
    for (String a : args) {
      if ("--debug".equals(a)) {
        continue;
      }
      return COMMANDS.containsKey(a) && !"help".equals(a) ? a : null;
    }
    return null;
  }

  /** The version from the jar manifest (set by the build), or "dev" when run from classes. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"hourglass " + (v == null ? "dev" : v)};
    }
  }
}
