package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CdsTrainingCommandTest {
  @Test
  void trainingRunStartsAnOpAndAGatewayUpToReadyAndExits0() {
    CliRun r = CliRun.execute("cds-training");
    assertThat(r.exitCode()).as(r.err()).isZero();
    // /ready is 200 only once discovery and the JWKS have loaded from the in-process OP
    assertThat(r.out()).startsWith("cds-training: gateway ready against http://127.0.0.1:")
        .contains("/ready 200", "/ping 200", "/oauth2/start?rd=/ 302", "/oauth2/session 401");
  }

  @Test
  void theTrainingCommandIsNotListedInHelp() {
    CliRun r = CliRun.execute("--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("gateway").doesNotContain("cds-training");
  }
}
