package dev.hourglass.cli;

import java.nio.file.Path;
import java.util.Map;

/** TEMPORARY until the op and gateway branches land. */
final class ConfigLoaders {
  private ConfigLoaders() {}
  static Object loadOp(Path file, Map<String, String> env) { throw CliException.failure("OP config loading is not available in this build"); }
  static Object loadGateway(Path file, Map<String, String> env) { throw CliException.failure("gateway config loading is not available in this build"); }
}
