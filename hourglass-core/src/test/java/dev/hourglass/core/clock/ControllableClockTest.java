package dev.hourglass.core.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControllableClockTest {
  private final Instant start = Instant.parse("2026-01-01T00:00:00Z");
  private final ControllableClock clock = ControllableClock.startingAt(start);

  @Test
  void standsStillUntilMoved() {
    assertThat(clock.instant()).isEqualTo(start);
    assertThat(clock.instant()).isEqualTo(start);
    assertThat(clock.offset()).isZero();
  }

  @Test
  void advanceMovesForwardAndReportsOffset() {
    clock.advance(Duration.ofHours(1));
    assertThat(clock.instant()).isEqualTo(start.plusSeconds(3600));
    assertThat(clock.millis()).isEqualTo(start.plusSeconds(3600).toEpochMilli());
    assertThat(clock.offset()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void advanceByNegativeAmountIsRefused() {
    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only moves forward");
    assertThat(clock.instant()).isEqualTo(start);
  }

  @Test
  void advancePastTheEndOfTimeIsRefusedAndTheClockDoesNotMove() {
    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(Long.MAX_VALUE)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("end of time");
    assertThat(clock.instant()).isEqualTo(start);
  }

  @Test
  void setToThePastIsRefusedAndTheClockDoesNotMove() {
    clock.advance(Duration.ofMinutes(5));
    assertThatThrownBy(() -> clock.set(start))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only moves forward");
    assertThat(clock.instant()).isEqualTo(start.plusSeconds(300));
  }

  @Test
  void listenersHearEveryMoveButNotANoOp() {
    List<ControllableClock.Change> heard = new ArrayList<>();
    clock.onChange(heard::add);
    clock.advance(Duration.ofMinutes(1));
    clock.advance(Duration.ZERO);
    clock.set(start.plusSeconds(3600));
    assertThat(heard).extracting(ControllableClock.Change::delta)
        .containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(59));
  }

  @Test
  void zoneViewMovesWithTheClock() {
    var view = clock.withZone(java.time.ZoneId.of("Europe/Paris"));
    clock.advance(Duration.ofSeconds(10));
    assertThat(view.instant()).isEqualTo(start.plusSeconds(10));
  }

  @Test
  void tickerFollowsTheClock() {
    ClockTicker ticker = new ClockTicker(clock);
    long before = ticker.read();
    clock.advance(Duration.ofMillis(1500));
    assertThat(ticker.read() - before).isEqualTo(1_500_000_000L);
  }

  @Test
  void clocksCreateRefusesUnknownMode() {
    assertThat(Clocks.create("virtual")).isInstanceOf(ControllableClock.class);
    assertThat(Clocks.controllable(Clocks.create("system"))).isEmpty();
    assertThatThrownBy(() -> Clocks.create("sundial")).hasMessageContaining("system or virtual");
  }
}
