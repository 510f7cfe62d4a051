package dev.hourglass.cli;

import dev.hourglass.op.OpConfig;
import java.nio.file.Path;
import java.util.Map;

/** The servers' own loaders: whatever they reject, {@code config check} rejects the same way. */
final class ConfigLoaders {
  private ConfigLoaders() {}

  static OpConfig loadOp(Path file, Map<String, String> env) {
    return OpConfig.load(file, env);
  }

  /** TEMPORARY until the gateway branch lands. */
  static Object loadGateway(Path file, Map<String, String> env) {
    throw CliException.failure("gateway config loading is not available in this build yet");
  }
}
