package dev.hourglass.lab;

import java.util.Map;

/**
 * How to start a lab.
 *
 * @param opPort the dev OP's port (0 = any free port)
 * @param gatewayPort the gateway's port (0 = any free port)
 * @param upstreamPort the demo app's port (0 = any free port)
 * @param op overrides of op.yaml keys (tokens, logout, users, …) on top of the lab's demo OP
 * @param gateway overrides of gateway.yaml keys on top of the lab's gateway
 */
public record LabOptions(int opPort, int gatewayPort, int upstreamPort, Map<String, Object> op, Map<String, Object> gateway) {
  /** The ports `./hourglass lab` uses by default; none clashes with the others or with the shared peers. */
  public static final int DEFAULT_OP_PORT = 9090;
  public static final int DEFAULT_GATEWAY_PORT = 8080;
  public static final int DEFAULT_UPSTREAM_PORT = 9093;

  public LabOptions {
    op = op == null ? Map.of() : Map.copyOf(op);
    gateway = gateway == null ? Map.of() : Map.copyOf(gateway);
    for (int p : new int[] {opPort, gatewayPort, upstreamPort}) {
      if (p < 0 || p > 65535) throw new IllegalArgumentException("port: must be between 0 and 65535, got " + p);
    }
  }

  public static LabOptions defaults() {
    return new LabOptions(DEFAULT_OP_PORT, DEFAULT_GATEWAY_PORT, DEFAULT_UPSTREAM_PORT, Map.of(), Map.of());
  }

  /** Free ports everywhere: what each scenario run uses. */
  public static LabOptions ephemeral(Map<String, Object> op, Map<String, Object> gateway) {
    return new LabOptions(0, 0, 0, op, gateway);
  }
}
