package dev.hourglass.op.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.core.event.EventLog;
import dev.hourglass.op.DevOp;
import dev.hourglass.op.OpConfig;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

class DevOpExtensionTest {
  static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

  @RegisterExtension
  static DevOpExtension op = DevOpExtension.builder()
      .configure(c -> c.withAccessTtl(Duration.ofMinutes(5)))
      .clockStartingAt(START)
      .build();

  static DevOp first;

  @Test
  void injectsTheOpItsClockAndItsEventLog(DevOp injected, ControllableClock clock, EventLog events) throws Exception {
    assertThat(injected).isSameAs(op.op());
    assertThat(clock).isSameAs(op.clock());
    assertThat(events).isSameAs(injected.events());
    assertThat(injected.issuer()).isEqualTo("http://127.0.0.1:" + injected.port());
    assertThat(injected.port()).isNotEqualTo(9090);
    assertThat(clock.instant()).isAfterOrEqualTo(START);

    JsonObject m = WebClient.create(op.vertx()).getAbs(injected.issuer() + "/.well-known/openid-configuration").send()
        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).bodyAsJsonObject();
    assertThat(m.getString("issuer")).isEqualTo(injected.issuer());
  }

  @Test
  void aStaticFieldMeansOneOpForTheClass(DevOp injected) {
    if (first == null) {
      first = injected;
    }
    assertThat(injected).isSameAs(first);
    assertThat(op.op().client("gateway")).isPresent();
  }

  @Test
  void aStaticFieldMeansOneOpForTheClassAgain(DevOp injected) {
    aStaticFieldMeansOneOpForTheClass(injected);
  }

  @Nested
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  class PerTest {
    @RegisterExtension
    DevOpExtension perTest = DevOpExtension.builder().config(OpConfig.empty()).build();

    @Test
    @Order(1)
    void anInstanceFieldGivesAFreshOpAndClockPerTest() {
      perTest.clock().advance(Duration.ofHours(3));
      perTest.op().events().record("marker");
      assertThat(perTest.op()).isNotSameAs(op.op());
      assertThat(perTest.op().client("gateway")).isEmpty();
    }

    @Test
    @Order(2)
    void theNextTestStartsClean() {
      assertThat(perTest.events().count("marker")).isZero();
      assertThat(perTest.clock().offset()).isEqualTo(Duration.ZERO);
    }
  }
}
