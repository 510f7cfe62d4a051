package dev.hourglass.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.clock.ControllableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventLogTest {
  @Test
  void recordsInClockTimeDropsNullFieldsAndStaysBounded() {
    ControllableClock clock = ControllableClock.startingAt(Instant.parse("2026-01-01T00:00:00Z"));
    EventLog log = new EventLog("op", clock, 2);
    log.record("code_issued", "client_id", "gateway", "sid", null);
    clock.advance(Duration.ofMinutes(1));
    log.record("token_issued", "grant_type", "authorization_code");
    log.record("token_issued", "grant_type", "refresh_token");
    assertThat(log.snapshot()).hasSize(2);
    assertThat(log.count("token_issued")).isEqualTo(2);
    Event last = log.snapshot().get(1);
    assertThat(last.time()).isEqualTo(Instant.parse("2026-01-01T00:01:00Z"));
    assertThat(last.toMap()).containsEntry("type", "token_issued").containsEntry("grant_type", "refresh_token");
    assertThat(log.snapshot().get(0).seq()).isLessThan(last.seq());
  }
}
