package dev.hourglass.core.clock;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * A Caffeine {@link Ticker} that reads the injected clock, so cache expiry follows the lab clock.
 * Nanosecond precision from the clock's instant; with a controllable clock it stands still between
 * moves, as it should.
 */
public final class ClockTicker implements Ticker {
  private final Clock clock;

  public ClockTicker(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public long read() {
    Instant now = clock.instant();
    return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
  }
}
