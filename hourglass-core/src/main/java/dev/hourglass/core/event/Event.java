package dev.hourglass.core.event;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One thing the OP or the gateway did, and why. {@code type} is stable and documented: OP event
 * types such as {@code token_issued}, gateway reason codes such as {@code REFRESH_OK} or
 * {@code ID_TOKEN_REJECTED:aud}. {@code fields} hold the details (client_id, sub, sid,
 * grant_type, session hash, error, …); never a secret or a token.
 *
 * @param seq order of recording within one log, for a stable sort among equal clock times
 */
public record Event(long seq, Instant time, String actor, String type, Map<String, Object> fields) {
  public Event {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(type, "type");
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields == null ? Map.of() : fields));
  }

  /** The field, if present, as a string. */
  public String field(String name) {
    Object v = fields.get(name);
    return v == null ? null : String.valueOf(v);
  }

  /** A flat map for JSON: time, actor, type, then the fields. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("time", time.toString());
    m.put("actor", actor);
    m.put("type", type);
    fields.forEach(m::putIfAbsent);
    return m;
  }
}
