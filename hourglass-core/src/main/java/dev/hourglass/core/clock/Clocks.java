package dev.hourglass.core.clock;

import java.time.Clock;
import java.util.Locale;
import java.util.Optional;

/**
 * The only place that touches the machine's time. Entry points call {@link #create(String)} once
 * and pass the result down; nothing else may read the system time (the build enforces it).
 */
public final class Clocks {
  private Clocks() {}

  /** The machine's clock, in UTC. */
  public static Clock system() {
    return Clock.systemUTC();
  }

  /**
   * The clock for a {@code clock:} setting: {@code system} or {@code virtual} (a
   * {@link ControllableClock} starting at the real now).
   *
   * @throws IllegalArgumentException for any other value
   */
  public static Clock create(String mode) {
    return switch (mode == null ? "" : mode.toLowerCase(Locale.ROOT)) {
      case "system" -> system();
      case "virtual" -> ControllableClock.startingNow();
      default -> throw new IllegalArgumentException("clock: expected system or virtual, got '" + mode + "'");
    };
  }

  /** The controllable clock behind {@code clock}, if it is one. */
  public static Optional<ControllableClock> controllable(Clock clock) {
    return clock instanceof ControllableClock c ? Optional.of(c) : Optional.empty();
  }
}
