package dev.hourglass.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** Runs the CLI in-process: parse only (no I/O), or execute with captured stdout/stderr. */
record CliRun(int exitCode, String out, String err) {
  static CliRun execute(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine(new Main(env));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }

  static CliRun execute(String... args) {
    return execute(Map.of(), args);
  }

  /** The innermost command object after parsing {@code args}, without running it. */
  @SuppressWarnings("unchecked")
  static <T> T parse(String... args) {
    ParseResult pr = Main.commandLine(new Main(Map.of())).parseArgs(args);
    while (pr.hasSubcommand()) {
      pr = pr.subcommand();
    }
    return (T) pr.commandSpec().userObject();
  }
}
