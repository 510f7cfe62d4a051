package dev.hourglass.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FaultsTest {
  final Instant t0 = Instant.parse("2030-01-01T00:00:00Z");

  @Test
  void countedFaultsAreUsedUpInOrderPerEndpoint() {
    Faults f = new Faults();
    f.inject(Fault.failNext("token", 2, "invalid_grant", null));
    f.inject(Fault.failNext("token", 1, null, 502));
    f.inject(Fault.failNext("userinfo", 1, "invalid_token", null));
    assertThat(f.take("jwks", t0)).isEmpty();
    assertThat(f.take("token", t0).orElseThrow().error()).isEqualTo("invalid_grant");
    assertThat(f.take("token", t0).orElseThrow().error()).isEqualTo("invalid_grant");
    Fault third = f.take("token", t0).orElseThrow();
    assertThat(third.effectiveStatus()).isEqualTo(502);
    assertThat(third.effectiveError()).isEqualTo("server_error");
    assertThat(f.take("token", t0)).isEmpty();
    assertThat(f.take("userinfo", t0).orElseThrow().effectiveStatus()).isEqualTo(401);
  }

  @Test
  void downUntilLastsUntilTheClockReachesIt() {
    Faults f = new Faults();
    f.inject(Fault.downUntil("discovery", t0.plusSeconds(60), null, null));
    assertThat(f.take("discovery", t0).orElseThrow().effectiveStatus()).isEqualTo(503);
    assertThat(f.take("discovery", t0.plusSeconds(59))).isPresent();
    assertThat(f.take("discovery", t0.plusSeconds(60))).isEmpty();
    assertThat(f.describe(t0)).isEmpty();
  }

  @Test
  void invalidFaultsAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> Fault.failNext("tokens", 1, null, null)).hasMessageStartingWith("endpoint:");
    assertThatThrownBy(() -> Fault.failNext("token", 0, null, null)).hasMessageStartingWith("count:");
    assertThatThrownBy(() -> Fault.failNext("token", 1, "bad\"quote", null)).hasMessageStartingWith("error:");
    assertThatThrownBy(() -> Fault.delayNext("token", 1, Duration.ofHours(1))).hasMessageStartingWith("delay:");
  }
}
