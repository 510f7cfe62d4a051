package dev.hourglass.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hourglass op}: the dev OpenID Provider. Flags override the config file; with no file the
 * demo configuration is used and its clients and users are printed.
 */
@Command(name = "op", sortOptions = false,
    description = {"Start the dev OpenID Provider (a demo client and users when no --config is given).",
        "Ctrl-C stops it."})
final class OpCommand implements Callable<Integer> {
  enum ExpiredHint { accept, reject }
  enum ClockMode { system, virtual }

  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "op.yaml (see docs/op.md). Default: the demo setup.")
  Path config;

  @Option(names = "--port", paramLabel = "N", description = "Port to listen on (0 = any free port).")
  Integer port;

  @Option(names = "--issuer", paramLabel = "URL", description = "Issuer URL (default: http://127.0.0.1:<port>).")
  String issuer;

  @Option(names = "--access-ttl", paramLabel = "D", converter = DurationConverter.class,
      description = "Access token lifetime: 90s, 5m, 1h, PT1H …")
  Duration accessTtl;

  @Option(names = "--id-ttl", paramLabel = "D", converter = DurationConverter.class,
      description = "ID token lifetime.")
  Duration idTtl;

  @Option(names = "--refresh-ttl", paramLabel = "D", converter = DurationConverter.class,
      description = "Refresh token (family) lifetime.")
  Duration refreshTtl;

  @Option(names = "--expired-hint", paramLabel = "accept|reject",
      description = "What /logout does with an expired id_token_hint: ${COMPLETION-CANDIDATES}.")
  ExpiredHint expiredHint;

  @Option(names = "--refresh-returns-id-token", arity = "0..1", paramLabel = "true|false", fallbackValue = "true",
      description = "Whether a refresh response carries a new ID token.")
  Boolean refreshReturnsIdToken;

  @Option(names = "--auto-login", arity = "0..1", paramLabel = "true|false", fallbackValue = "true",
      description = "Issue the code without a login page when the request has login_hint.")
  Boolean autoLogin;

  @Option(names = "--clock", paramLabel = "system|virtual",
      description = "system, or virtual (starts at the real now; moves only when told).")
  ClockMode clock;

  @Override
  public Integer call() throws Exception {
    return OpLauncher.run(this, main.env(), spec.commandLine().getOut());
  }
}
