package dev.hourglass.core.event;

import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one actor (the OP, the gateway) did, in clock order. Bounded: the oldest events drop off
 * after {@code capacity}. Each event is also logged as one JSON line on the logger
 * {@code hourglass.events.<actor>}, so "why was I logged out?" is one grep.
 */
public final class EventLog {
  private static final AtomicLong SEQ = new AtomicLong();

  private final String actor;
  private final Clock clock;
  private final int capacity;
  private final ArrayDeque<Event> events;
  private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
  private final Logger log;

  public EventLog(String actor, Clock clock, int capacity) {
    this.actor = Objects.requireNonNull(actor, "actor");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (capacity < 1) throw new IllegalArgumentException("capacity: must be at least 1");
    this.capacity = capacity;
    this.events = new ArrayDeque<>(Math.min(capacity, 1024));
    this.log = LoggerFactory.getLogger("hourglass.events." + actor);
  }

  public EventLog(String actor, Clock clock) {
    this(actor, clock, 10_000);
  }

  public String actor() {
    return actor;
  }

  /** Records an event at the clock's current time. Field pairs: name, value, name, value… */
  public Event record(String type, Object... fieldPairs) {
    if (fieldPairs.length % 2 != 0) {
      throw new IllegalArgumentException("fieldPairs: expected name/value pairs");
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    for (int i = 0; i < fieldPairs.length; i += 2) {
      if (fieldPairs[i + 1] != null) {
        fields.put(String.valueOf(fieldPairs[i]), fieldPairs[i + 1]);
      }
    }
    return record(type, fields);
  }

  /** Records an event at the clock's current time. */
  public Event record(String type, Map<String, Object> fields) {
    Event e = new Event(SEQ.incrementAndGet(), clock.instant(), actor, type, fields);
    synchronized (events) {
      if (events.size() == capacity) {
        events.removeFirst();
      }
      events.addLast(e);
    }
    if (log.isInfoEnabled()) {
      log.info(new JsonObject(e.toMap()).encode());
    }
    for (Consumer<Event> l : listeners) {
      l.accept(e);
    }
    return e;
  }

  /** All events still held, oldest first. */
  public List<Event> snapshot() {
    synchronized (events) {
      return new ArrayList<>(events);
    }
  }

  /** The held events that match. */
  public List<Event> matching(Predicate<Event> filter) {
    return snapshot().stream().filter(filter).toList();
  }

  /** How many held events have this type. */
  public long count(String type) {
    return matching(e -> e.type().equals(type)).size();
  }

  /** Called for every new event, on the recording thread; keep it quick. */
  public void onEvent(Consumer<Event> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public void clear() {
    synchronized (events) {
      events.clear();
    }
  }
}
