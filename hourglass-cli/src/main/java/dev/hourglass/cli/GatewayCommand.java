package dev.hourglass.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hourglass gateway --config gateway.yaml}: the OIDC relying-party gateway. */
@Command(name = "gateway", sortOptions = false,
    description = {"Start the gateway (OIDC login, sessions, refresh, identity to the upstream).", "Ctrl-C stops it."})
final class GatewayCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", required = true, description = "gateway.yaml (see docs/gateway.md).")
  Path config;

  @Override
  public Integer call() throws Exception {
    return GatewayLauncher.run(this, main.env(), spec.commandLine().getOut());
  }
}
