package dev.hourglass.lab.scenario;

import dev.hourglass.core.clock.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;

/** {@code now}, {@code now+5m}, {@code now-1h} or epoch seconds, resolved against the lab clock. */
final class RelativeTime {
  private RelativeTime() {}

  static Optional<Function<Instant, Instant>> parse(String text) {
    String s = text.trim();
    try {
      if (s.equals("now")) return Optional.of(now -> now);
      if (s.startsWith("now+")) {
        Duration d = Durations.parse(s.substring(4));
        return Optional.of(now -> now.plus(d));
      }
      if (s.startsWith("now-")) {
        Duration d = Durations.parse(s.substring(4));
        return Optional.of(now -> now.minus(d));
      }
      long epoch = Long.parseLong(s);
      return Optional.of(now -> Instant.ofEpochSecond(epoch));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
