package dev.hourglass.cli;

import java.io.PrintWriter;
import java.util.Map;

/** TEMPORARY until the gateway branch lands. */
final class GatewayLauncher {
  private GatewayLauncher() {}
  static int run(GatewayCommand cmd, Map<String, String> env, PrintWriter out) { throw CliException.failure("hourglass gateway is not available in this build"); }
}
