package dev.hourglass.gateway.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.event.Event;
import dev.hourglass.op.tamper.TamperCase;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 6, logout tokens end to end: the tampering OP ends its session and really POSTs the
 * broken logout token to the gateway's back-channel endpoint. Every broken token gets 400 with
 * {@code Cache-Control: no-store} and ends nothing; a replay is refused after the original worked;
 * a valid token for a session the gateway no longer has gets 200.
 */
class HostileLogoutTokenTest {
  private static HostileHarness h;

  @BeforeAll
  static void start() {
    h = new HostileHarness().startOp().startGateway();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @BeforeEach
  void reset() {
    h.untamper();
    h.gateway.events().clear();
    h.op.events().clear();
  }

  static Stream<String> brokenLogoutTokens() {
    return Arrays.stream(TamperCase.values())
        .filter(c -> c.kind() == TamperCase.Kind.LOGOUT && c != TamperCase.LOGOUT_JTI_REPLAY)
        .map(TamperCase::configName);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenLogoutTokens")
  void refusedWith400AndNoStoreAndTheSessionLives(String tamperCase) {
    String user = "u-" + tamperCase;
    HostileHarness.Browser b = h.browser();
    assertThat(b.login(user, "/").statusCode()).isEqualTo(302);
    assertThat(b.signedIn()).isTrue();
    h.tamper(tamperCase);
    assertThat(HostileHarness.await(h.op.endSessions(user))).isEqualTo(1);
    List<Event> sent = h.opEventsOf("backchannel_sent");
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).field("tamper")).isEqualTo(tamperCase);
    assertThat(String.valueOf(sent.get(0).field("status"))).isEqualTo("400");
    assertThat(sent.get(0).field("cache_control")).isEqualTo("no-store");
    assertThat(h.gatewayEventTypes()).anyMatch(t -> t.startsWith("BACKCHANNEL_REJECTED"));
    assertThat(h.gatewayEventTypes()).doesNotContain("BACKCHANNEL_LOGOUT");
    assertThat(b.signedIn()).as("a refused logout token ends nothing").isTrue();
  }

  @Test
  void aReplayedLogoutTokenIsRefusedAfterTheOriginalWorked() {
    HostileHarness.Browser b = h.browser();
    assertThat(b.login("replay-user", "/").statusCode()).isEqualTo(302);
    h.tamper("logout-jti-replay");
    HostileHarness.await(h.op.endSessions("replay-user"));
    List<Event> sent = h.opEventsOf("backchannel_sent");
    assertThat(sent).extracting(e -> String.valueOf(e.field("status"))).containsExactly("200", "400");
    assertThat(sent.get(1).field("cache_control")).isEqualTo("no-store");
    assertThat(b.signedIn()).isFalse();
  }

  @Test
  void aValidTokenForASessionTheGatewayNoLongerHasGets200() {
    HostileHarness.Browser b = h.browser();
    assertThat(b.login("gone-user", "/").statusCode()).isEqualTo(302);
    String id = b.sessionCookie().orElseThrow();
    assertThat(HostileHarness.await(h.gateway.store().delete(id))).isTrue();
    HostileHarness.await(h.op.endSessions("gone-user"));
    List<Event> sent = h.opEventsOf("backchannel_sent");
    assertThat(sent).extracting(e -> String.valueOf(e.field("status"))).containsExactly("200");
  }

  @Test
  void anHonestLogoutTokenEndsTheSession() {
    HostileHarness.Browser b = h.browser();
    assertThat(b.login("honest-user", "/").statusCode()).isEqualTo(302);
    HostileHarness.await(h.op.endSessions("honest-user"));
    assertThat(h.opEventsOf("backchannel_sent")).extracting(e -> String.valueOf(e.field("status"))).containsExactly("200");
    assertThat(b.signedIn()).isFalse();
  }
}
