package dev.hourglass.core.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @ParameterizedTest
  @CsvSource({"90s,PT1M30S", "5m,PT5M", "1h,PT1H", "8h,PT8H", "2d,PT48H", "1h30m,PT1H30M",
      "250ms,PT0.25S", "0,PT0S", "PT1H,PT1H", "pt15m,PT15M", " 61m ,PT1H1M"})
  void parsesTheFormsPeopleWrite(String text, String iso) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "h", "1x", "1 h", "-5m", "5m-", "1.5h", "PT", "-PT1H", "99999999999999999999s", "9999999999999999d"})
  void refusesAnythingElseWithAHelpfulMessage(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({"PT1H30M,1h30m", "PT90S,1m30s", "PT0S,0s", "PT0.25S,250ms", "PT49H,2d1h"})
  void formatsCompactly(String iso, String text) {
    assertThat(Durations.format(Duration.parse(iso))).isEqualTo(text);
  }
}
