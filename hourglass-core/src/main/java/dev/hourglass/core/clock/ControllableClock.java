package dev.hourglass.core.clock;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A clock that stands still until told to move, and only ever moves forward.
 *
 * <p>Every time decision in the OP, the gateway and the lab reads this one clock, so "an hour
 * later" is a method call. Going backwards is refused: tokens issued in the future and sessions
 * that un-expire would make every boundary test meaningless.
 *
 * <p>Thread-safe: reads are lock-free; moves are serialised and notify listeners after the move.
 */
public final class ControllableClock extends Clock {

  /** What a listener learns when the clock moves. */
  public record Change(Instant from, Instant to) {
    public Duration delta() {
      return Duration.between(from, to);
    }
  }

  private final Instant origin;
  private final ZoneId zone;
  private volatile Instant now;
  private final List<Consumer<Change>> listeners;

  private ControllableClock(Instant origin, Instant now, ZoneId zone, List<Consumer<Change>> listeners) {
    this.origin = origin;
    this.now = now;
    this.zone = zone;
    this.listeners = listeners;
  }

  /** A clock standing at {@code start}. */
  public static ControllableClock startingAt(Instant start) {
    Objects.requireNonNull(start, "start");
    return new ControllableClock(start, start, ZoneOffset.UTC, new CopyOnWriteArrayList<>());
  }

  /** A clock standing at the real time of the machine, truncated to whole milliseconds. */
  public static ControllableClock startingNow() {
    return startingAt(Clocks.system().instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public long millis() {
    return now.toEpochMilli();
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    // Shares the state: a zone view of this clock still moves with it.
    return new ZoneView(this, zone);
  }

  /** Where the clock started. */
  public Instant origin() {
    return origin;
  }

  /** How far the clock has been moved since it started. */
  public Duration offset() {
    return Duration.between(origin, now);
  }

  /**
   * Moves the clock forward.
   *
   * @throws IllegalArgumentException if {@code amount} is negative
   */
  public Instant advance(Duration amount) {
    Objects.requireNonNull(amount, "amount");
    if (amount.isNegative()) {
      throw new IllegalArgumentException("amount: the clock only moves forward, got " + amount);
    }
    Change change;
    synchronized (this) {
      Instant from = now;
      try {
        now = from.plus(amount);
      } catch (java.time.DateTimeException | ArithmeticException e) {
        throw new IllegalArgumentException("amount: " + amount + " moves the clock past the end of time");
      }
      change = new Change(from, now);
    }
    notifyListeners(change);
    return change.to();
  }

  /**
   * Sets the clock to {@code target}, which may not be before the current time.
   *
   * @throws IllegalArgumentException if {@code target} is in the clock's past
   */
  public Instant set(Instant target) {
    Objects.requireNonNull(target, "target");
    Change change;
    synchronized (this) {
      Instant from = now;
      if (target.isBefore(from)) {
        throw new IllegalArgumentException(
            "target: the clock only moves forward; " + target + " is before the current time " + from);
      }
      now = target;
      change = new Change(from, target);
    }
    notifyListeners(change);
    return target;
  }

  /** Called after every move, on the thread that moved the clock. */
  public void onChange(Consumer<Change> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  private void notifyListeners(Change change) {
    if (change.delta().isZero()) {
      return;
    }
    for (Consumer<Change> l : listeners) {
      l.accept(change);
    }
  }

  @Override
  public String toString() {
    return "ControllableClock[" + now + ", offset " + offset() + "]";
  }

  private static final class ZoneView extends Clock {
    private final ControllableClock base;
    private final ZoneId zone;

    ZoneView(ControllableClock base, ZoneId zone) {
      this.base = base;
      this.zone = zone;
    }

    @Override
    public ZoneId getZone() {
      return zone;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return new ZoneView(base, zone);
    }

    @Override
    public Instant instant() {
      return base.instant();
    }
  }
}
