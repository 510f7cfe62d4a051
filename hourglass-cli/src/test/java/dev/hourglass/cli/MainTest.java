package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;

class MainTest {
  @Test
  void helpMentionsEverySubcommand() {
    CliRun r = CliRun.execute("--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("op", "gateway", "config", "clock", "help")
        .containsPattern("(?m)^\\s+op\\s+Start the dev OpenID Provider")
        .containsPattern("(?m)^\\s+gateway\\s+Start the gateway")
        .containsPattern("(?m)^\\s+config\\s+")
        .containsPattern("(?m)^\\s+clock\\s+");
  }

  @Test
  void opHelpListsTheContractFlags() {
    CliRun r = CliRun.execute("op", "--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("--config", "--port", "--issuer", "--access-ttl", "--id-ttl", "--refresh-ttl",
        "--expired-hint", "--refresh-returns-id-token", "--auto-login", "--clock");
  }

  @Test
  void noCommandIsAUsageErrorWithExitCode2() {
    CliRun r = CliRun.execute();
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Missing a command").contains("Usage: hourglass");
  }

  @Test
  void unknownCommandAndUnknownFlagExitWith2AndUsage() {
    assertThat(CliRun.execute("frobnicate").exitCode()).isEqualTo(2);
    CliRun r = CliRun.execute("op", "--no-such-flag");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown option: '--no-such-flag'").contains("Usage: hourglass op");
  }

  @Test
  void opFlagsParseIntoTheCommand() {
    OpCommand op = CliRun.parse("op", "--config", "op.yaml", "--port", "9191", "--issuer", "http://127.0.0.1:9191",
        "--access-ttl", "20s", "--id-ttl", "PT1H", "--refresh-ttl", "8h", "--expired-hint", "reject",
        "--refresh-returns-id-token=false", "--auto-login", "--clock", "virtual");
    assertThat(op.config).isEqualTo(Path.of("op.yaml"));
    assertThat(op.port).isEqualTo(9191);
    assertThat(op.issuer).isEqualTo("http://127.0.0.1:9191");
    assertThat(op.accessTtl).isEqualTo(Duration.ofSeconds(20));
    assertThat(op.idTtl).isEqualTo(Duration.ofHours(1));
    assertThat(op.refreshTtl).isEqualTo(Duration.ofHours(8));
    assertThat(op.expiredHint).isEqualTo(OpCommand.ExpiredHint.reject);
    assertThat(op.refreshReturnsIdToken).isFalse();
    assertThat(op.autoLogin).isTrue();
    assertThat(op.clock).isEqualTo(OpCommand.ClockMode.virtual);
  }

  @Test
  void opFlagsLeftOutStayUnsetSoTheConfigFileDecides() {
    OpCommand op = CliRun.parse("op");
    assertThat(op.config).isNull();
    assertThat(op.port).isNull();
    assertThat(op.accessTtl).isNull();
    assertThat(op.refreshReturnsIdToken).isNull();
    assertThat(op.autoLogin).isNull();
    assertThat(op.clock).isNull();
    assertThat(op.expiredHint).isNull();
  }

  @Test
  void booleanFlagsTakeAnExplicitValue() {
    OpCommand op = CliRun.parse("op", "--auto-login=false", "--refresh-returns-id-token", "true");
    assertThat(op.autoLogin).isFalse();
    assertThat(op.refreshReturnsIdToken).isTrue();
  }

  @Test
  void durationFlagsAcceptEveryDocumentedForm() {
    assertThat(((OpCommand) CliRun.parse("op", "--access-ttl", "90s")).accessTtl).isEqualTo(Duration.ofSeconds(90));
    assertThat(((OpCommand) CliRun.parse("op", "--access-ttl", "5m")).accessTtl).isEqualTo(Duration.ofMinutes(5));
    assertThat(((OpCommand) CliRun.parse("op", "--access-ttl", "1h30m")).accessTtl).isEqualTo(Duration.ofMinutes(90));
    assertThat(((OpCommand) CliRun.parse("op", "--access-ttl", "pt1h")).accessTtl).isEqualTo(Duration.ofHours(1));
    assertThat(((OpCommand) CliRun.parse("op", "--access-ttl", "0")).accessTtl).isZero();
  }

  @Test
  void badDurationIsAUsageErrorThatNamesTheFlagAndValue() {
    CliRun r = CliRun.execute("op", "--access-ttl", "5 minutes");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--access-ttl").contains("5 minutes").contains("90s, 5m, 1h");
    assertThat(r.err()).doesNotContain("\tat ");
  }

  @Test
  void hostileFlagValuesAreUsageErrors() {
    assertThat(CliRun.execute("op", "--access-ttl", "-PT1H").exitCode()).isEqualTo(2);
    assertThat(CliRun.execute("op", "--access-ttl", "99999999999999999999h").exitCode()).isEqualTo(2);
    assertThat(CliRun.execute("op", "--port", "http").exitCode()).isEqualTo(2);
    assertThat(CliRun.execute("op", "--expired-hint", "maybe").exitCode()).isEqualTo(2);
    assertThat(CliRun.execute("op", "--clock", "sundial").exitCode()).isEqualTo(2);
    assertThat(CliRun.execute("op", "--auto-login=perhaps").exitCode()).isEqualTo(2);
  }

  @Test
  void enumFlagsIgnoreCase() {
    assertThat(((OpCommand) CliRun.parse("op", "--clock", "VIRTUAL")).clock).isEqualTo(OpCommand.ClockMode.virtual);
  }

  @Test
  void gatewayNeedsAConfig() {
    CliRun r = CliRun.execute("gateway");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--config");
    GatewayCommand g = CliRun.parse("gateway", "--config", "gw.yaml");
    assertThat(g.config).isEqualTo(Path.of("gw.yaml"));
  }

  @Test
  void debugIsAcceptedOnEveryCommand() {
    OpCommand op = CliRun.parse("op", "--debug", "--port", "1");
    assertThat(op.port).isEqualTo(1);
    assertThatThrownBy(() -> CliRun.parse("op", "--debugx")).isInstanceOf(ParameterException.class);
  }

  @Test
  void versionPrintsAVersion() {
    CliRun r = CliRun.execute("--version");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("hourglass ");
  }

  @Test
  void runtimeFailuresAreOneLineAndDebugAddsTheStackTrace() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    CliRun plain = CliRun.execute("clock", "show", "--op", "http://127.0.0.1:" + port);
    assertThat(plain.exitCode()).isEqualTo(1);
    assertThat(plain.err()).doesNotContain("\tat ");
    CliRun debug = CliRun.execute("clock", "show", "--op", "http://127.0.0.1:" + port, "--debug");
    assertThat(debug.exitCode()).isEqualTo(1);
    assertThat(debug.err()).contains("cannot reach").contains("\tat dev.hourglass.cli.");
  }

  // ---- a start builds only the subcommand it names (issue 7: start time) ---------------------------

  /** Runs {@code args} through the command line {@link Main#main} uses (built for these args). */
  private static CliRun asMainRuns(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cl = Main.commandLine(new Main(java.util.Map.of()), args);
    cl.setOut(new java.io.PrintWriter(out, true));
    cl.setErr(new java.io.PrintWriter(err, true));
    return new CliRun(cl.execute(args), out.toString(), err.toString());
  }

  @Test
  void aNamedCommandIsTheOnlySubcommandBuilt() {
    assertThat(Main.commandLine(new Main(java.util.Map.of()), new String[] {"gateway", "--config", "g.yaml"})
        .getSubcommands()).containsOnlyKeys("gateway");
    assertThat(Main.commandLine(new Main(java.util.Map.of()), new String[] {"--debug", "op"})
        .getSubcommands()).containsOnlyKeys("op");
  }

  @Test
  void helpVersionUnknownAndNoCommandBuildEverySubcommand() {
    for (String[] args : new String[][] {{}, {"help", "gateway"}, {"-h", "gateway"}, {"--help"}, {"-V"},
        {"--", "gateway"}, {"frobnicate"}, {"gatewa"}, {"--debug"}, {"--debug", "--help", "op"}}) {
      assertThat(Main.commandLine(new Main(java.util.Map.of()), args).getSubcommands().keySet())
          .as(String.join(" ", args)).containsExactlyElementsOf(Main.COMMANDS.keySet());
    }
  }

  @Test
  void aCommandBuiltAloneParsesFailsAndPrintsUsageAsWithAllCommands() {
    for (String[] args : new String[][] {
        {"gateway", "--help"}, {"gateway"}, {"gateway", "--bogus"}, {"gateway", "--config", "/no/such/file.yaml"},
        {"op", "--access-ttl", "soon"}, {"op", "--help"}, {"config", "check", "/no/such/file.yaml"},
        {"clock", "--help"}, {"lab", "--help"}, {"scenario", "--help"}, {"help", "gateway"}, {"gatewy"}}) {
      CliRun all = CliRun.execute(args);
      CliRun alone = asMainRuns(args);
      assertThat(alone).as(String.join(" ", args)).isEqualTo(all);
    }
    // the inherited root options still reach a command built alone
    assertThat(asMainRuns("gateway", "--help").out()).contains("--debug", "--config", "-V");
    CliRun debug = asMainRuns("--debug", "gateway", "--config", "/no/such/file.yaml");
    assertThat(debug.exitCode()).isEqualTo(2);
    assertThat(debug.err()).startsWith("/no/such/file.yaml: file not found\n").contains("\tat ");
  }
}
