package dev.hourglass.cli;

import java.io.PrintWriter;
import java.util.Map;

/** TEMPORARY until the op branch lands. */
final class OpLauncher {
  private OpLauncher() {}
  static int run(OpCommand cmd, Map<String, String> env, PrintWriter out) { throw CliException.failure("hourglass op is not available in this build"); }
}
