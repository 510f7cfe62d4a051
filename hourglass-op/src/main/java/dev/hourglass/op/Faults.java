package dev.hourglass.op;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The fault injector behind {@code POST/DELETE /_hourglass/faults}. Faults on one endpoint apply
 * in the order they were added; a counted fault is used up call by call, a {@code down-for} fault
 * lasts until the clock passes its end (decided on each call with that call's {@code now}).
 */
public final class Faults {
  private final List<Fault> active = new ArrayList<>();
  private final List<Integer> remaining = new ArrayList<>();

  public synchronized void inject(Fault fault) {
    active.add(fault);
    remaining.add(fault.count());
  }

  public synchronized void clear() {
    active.clear();
    remaining.clear();
  }

  /** The fault that applies to this call of {@code endpoint} at {@code now}, used up by one. */
  public synchronized Optional<Fault> take(String endpoint, Instant now) {
    Iterator<Fault> it = active.iterator();
    int i = 0;
    while (it.hasNext()) {
      Fault f = it.next();
      if (f.downUntil() != null && !now.isBefore(f.downUntil())) {
        it.remove();
        remaining.remove(i);
        continue;
      }
      if (f.endpoint().equals(endpoint)) {
        if (f.downUntil() == null) {
          int left = remaining.get(i) - 1;
          if (left <= 0) {
            it.remove();
            remaining.remove(i);
          } else {
            remaining.set(i, left);
          }
        }
        return Optional.of(f);
      }
      i++;
    }
    return Optional.empty();
  }

  /** The faults still pending, for {@code GET /_hourglass/faults}. */
  public synchronized JsonArray describe(Instant now) {
    JsonArray a = new JsonArray();
    for (int i = 0; i < active.size(); i++) {
      Fault f = active.get(i);
      if (f.downUntil() != null && !now.isBefore(f.downUntil())) {
        continue;
      }
      JsonObject o = new JsonObject().put("endpoint", f.endpoint());
      if (f.downUntil() != null) {
        o.put("down-until", f.downUntil().toString());
      } else {
        o.put("remaining", remaining.get(i));
      }
      if (f.error() != null) o.put("error", f.error());
      if (f.status() != null) o.put("status", f.status());
      if (f.delay() != null) o.put("delay", f.delay().toString());
      a.add(o);
    }
    return a;
  }
}
