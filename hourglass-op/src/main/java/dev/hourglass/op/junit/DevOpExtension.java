package dev.hourglass.op.junit;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.core.event.EventLog;
import dev.hourglass.op.DevOp;
import dev.hourglass.op.OpConfig;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts the dev OP on a random port and a {@link ControllableClock} for a JUnit 5 test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static DevOpExtension op = DevOpExtension.builder().config(OpConfig.demo()).build(); // one OP per class
 *
 * @Test
 * void refreshesAfterAnHour(DevOp op, ControllableClock clock, EventLog events) { ... }
 * }</pre>
 *
 * A static field gives one OP for the whole class; an instance field a fresh OP (and clock) per
 * test. Parameters of type {@link DevOp}, {@link ControllableClock} and {@link EventLog} are
 * injected.
 */
public final class DevOpExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {

  private final OpConfig config;
  private final Instant start;
  private final Vertx sharedVertx;
  private final ControllableClock sharedClock;
  private boolean perClass;
  private Vertx vertx;
  private ControllableClock clock;
  private DevOp op;

  private DevOpExtension(Builder b) {
    this.config = b.config;
    this.start = b.start;
    this.sharedVertx = b.vertx;
    this.sharedClock = b.clock;
  }

  /** An OP with the demo config ({@link OpConfig#demo()}), auto-login on. */
  public DevOpExtension() {
    this(new Builder());
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private OpConfig config = OpConfig.demo();
    private Instant start;
    private Vertx vertx;
    private ControllableClock clock;

    /**
     * Run the OP on this clock (e.g. one shared with a gateway under test) instead of a fresh one.
     * With an instance field the clock is then NOT reset between tests.
     */
    public Builder clock(ControllableClock clock) {
      this.clock = clock;
      return this;
    }

    /** The config; its port is replaced by 0 (random) and a null issuer follows the port. */
    public Builder config(OpConfig config) {
      this.config = config;
      return this;
    }

    /** Changes the config, e.g. {@code c -> c.withAccessTtl(Duration.ofMinutes(5))}. */
    public Builder configure(UnaryOperator<OpConfig> change) {
      this.config = change.apply(config);
      return this;
    }

    /** Where the clock starts (default: the real now, to the millisecond). */
    public Builder clockStartingAt(Instant start) {
      this.start = start;
      return this;
    }

    /** Run on this Vert.x instead of a private one (it is then not closed by the extension). */
    public Builder vertx(Vertx vertx) {
      this.vertx = vertx;
      return this;
    }

    public DevOpExtension build() {
      return new DevOpExtension(this);
    }
  }

  public DevOp op() {
    requireStarted();
    return op;
  }

  public ControllableClock clock() {
    requireStarted();
    return clock;
  }

  public EventLog events() {
    return op().events();
  }

  public String issuer() {
    return op().issuer();
  }

  public Vertx vertx() {
    requireStarted();
    return vertx;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    perClass = true;
    startOp();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    stopOp();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    if (!perClass) {
      startOp();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    if (!perClass) {
      stopOp();
    }
  }

  private void startOp() throws Exception {
    vertx = sharedVertx != null ? sharedVertx : Vertx.vertx();
    clock = sharedClock != null ? sharedClock
        : start != null ? ControllableClock.startingAt(start) : ControllableClock.startingNow();
    op = DevOp.start(vertx, clock, config.withPort(0)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private void stopOp() throws Exception {
    try {
      if (op != null) {
        op.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } finally {
      if (sharedVertx == null && vertx != null) {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      op = null;
      vertx = null;
    }
  }

  private void requireStarted() {
    if (op == null) {
      throw new IllegalStateException("the dev OP is not running: register DevOpExtension with @RegisterExtension");
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    Class<?> t = p.getParameter().getType();
    return t == DevOp.class || t == ControllableClock.class || t == EventLog.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    Class<?> t = p.getParameter().getType();
    if (op == null) {
      throw new ParameterResolutionException("the dev OP is not running yet");
    }
    if (t == DevOp.class) return op;
    if (t == ControllableClock.class) return clock;
    return op.events();
  }

  /** The clock as a plain {@link Clock}, for code that takes one. */
  public Clock plainClock() {
    return clock();
  }
}
