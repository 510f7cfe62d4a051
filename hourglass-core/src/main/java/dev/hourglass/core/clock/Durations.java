package dev.hourglass.core.clock;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in config and on the command line: {@code 90s}, {@code 5m},
 * {@code 1h}, {@code 8h}, {@code 2d}, {@code 1h30m}, {@code 250ms}, a bare {@code 0}, or ISO-8601
 * ({@code PT1H}).
 */
public final class Durations {
  private Durations() {}

  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  /**
   * Parses a duration.
   *
   * @throws IllegalArgumentException with a message that shows the accepted forms
   */
  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty duration; write it like 90s, 5m, 1h or PT1H");
    }
    String s = text.trim();
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    String upper = s.toUpperCase(Locale.ROOT);
    if (upper.startsWith("P") || upper.startsWith("-P")) {
      try {
        Duration d = Duration.parse(upper);
        if (d.isNegative()) {
          throw new IllegalArgumentException("negative duration '" + text + "'");
        }
        return d;
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("'" + text + "' is not an ISO-8601 duration such as PT1H");
      }
    }
    Matcher m = PART.matcher(s.toLowerCase(Locale.ROOT));
    Duration total = Duration.ZERO;
    int pos = 0;
    while (pos < s.length()) {
      if (!m.find(pos) || m.start() != pos) {
        throw new IllegalArgumentException(
            "'" + text + "' is not a duration; write it like 90s, 5m, 1h, 1h30m or PT1H");
      }
      long n;
      try {
        n = Long.parseLong(m.group(1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + text + "' is too large");
      }
      try {
        total = total.plus(switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        });
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("'" + text + "' is too large");
      }
      pos = m.end();
    }
    return total;
  }

  /** Formats like people write it: {@code 1h30m}, {@code 90s} → {@code 1m30s}, {@code 0s}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder b = new StringBuilder();
    if (d.isNegative()) {
      b.append('-');
      d = d.negated();
    }
    long days = d.toDays();
    long hours = d.toHoursPart();
    long minutes = d.toMinutesPart();
    long seconds = d.toSecondsPart();
    long millis = d.toMillisPart();
    if (days > 0) b.append(days).append('d');
    if (hours > 0) b.append(hours).append('h');
    if (minutes > 0) b.append(minutes).append('m');
    if (seconds > 0) b.append(seconds).append('s');
    if (millis > 0) b.append(millis).append("ms");
    return b.toString();
  }
}
