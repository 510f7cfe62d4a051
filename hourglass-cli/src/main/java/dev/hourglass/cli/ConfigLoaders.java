package dev.hourglass.cli;

import dev.hourglass.gateway.GatewayConfig;
import dev.hourglass.op.OpConfig;
import java.nio.file.Path;
import java.util.Map;

/** The servers' own loaders: whatever they reject, {@code config check} rejects the same way. */
final class ConfigLoaders {
  private ConfigLoaders() {}

  static OpConfig loadOp(Path file, Map<String, String> env) {
    return OpConfig.load(file, env);
  }

  static GatewayConfig loadGateway(Path file, Map<String, String> env) {
    return GatewayConfig.load(file, env);
  }
}
