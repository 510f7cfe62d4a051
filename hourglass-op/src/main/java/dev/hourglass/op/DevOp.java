package dev.hourglass.op;

import dev.hourglass.core.event.EventLog;
import dev.hourglass.op.server.OpServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * The dev OpenID Provider ({@code hourglass op}) as a library: start it on a Vert.x instance with
 * one clock, point an RP at {@link #issuer()}, move the clock, read {@link #events()}.
 *
 * <pre>{@code
 * ControllableClock clock = ControllableClock.startingNow();
 * DevOp op = DevOp.start(vertx, clock, OpConfig.demo().withPort(0)).await();
 * // ... log in, then:
 * clock.advance(Duration.ofHours(1));
 * assertThat(op.events().count("token_issued")).isEqualTo(2);
 * }</pre>
 */
public final class DevOp {
  private final OpServer server;
  private final Clock clock;
  private final EventLog events;

  private DevOp(OpServer server, Clock clock, EventLog events) {
    this.server = server;
    this.clock = clock;
    this.events = events;
  }

  /**
   * Starts the OP. Port 0 picks a free port; a null issuer becomes
   * {@code http://127.0.0.1:<actual port>}.
   */
  public static Future<DevOp> start(Vertx vertx, Clock clock, OpConfig config) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(config, "config");
    EventLog events = new EventLog("op", clock);
    return OpServer.start(vertx, clock, config, events).map(s -> new DevOp(s, clock, events));
  }

  /** The issuer URL (also the base of every endpoint). */
  public String issuer() {
    return server.issuer();
  }

  public int port() {
    return server.port();
  }

  public Clock clock() {
    return clock;
  }

  /** What the OP did, oldest first; the same as {@code GET /_hourglass/events}. */
  public EventLog events() {
    return events;
  }

  /** Rotates the signing key; returns the new kid. The old public key stays in the JWKS for {@code keys.rotation-grace}. */
  public String rotateKeys() {
    return server.rotateKeys();
  }

  /** Adds or replaces a client at runtime (e.g. a test's redirect URI on a random port). */
  public void registerClient(OpConfig.Client client) {
    server.registerClient(Objects.requireNonNull(client, "client"));
  }

  public Optional<OpConfig.Client> client(String clientId) {
    return server.client(clientId);
  }

  /** Runtime switches (expired-hint, refresh-returns-id-token, auto-login). */
  public OpSettings settings() {
    return server.settings();
  }

  public void setExpiredHintPolicy(ExpiredHintPolicy policy) {
    server.settings().setExpiredHintPolicy(policy);
  }

  /** Whether refresh responses carry an ID token, for one client or (null) for all. */
  public void setRefreshReturnsIdToken(String clientIdOrNull, boolean value) {
    server.settings().setRefreshReturnsIdToken(clientIdOrNull, value);
  }

  public void setAutoLogin(boolean autoLogin) {
    server.settings().setAutoLogin(autoLogin);
  }

  /**
   * Ends the OP sessions of a user (by sub) or one session (by sid) as an OP-side logout would:
   * grants revoked, back-channel logout tokens sent. Completes with how many sessions ended.
   */
  public Future<Integer> endSessions(String subOrSid) {
    return server.endSessions(Objects.requireNonNull(subOrSid, "subOrSid"), "admin");
  }

  /** Revokes every refresh-token family (and its access tokens) of {@code sub}; the next refresh gets invalid_grant. */
  public int revokeGrants(String sub) {
    return server.revokeGrants(Objects.requireNonNull(sub, "sub"), "admin");
  }

  /** The hostile mode ({@code POST /_hourglass/tamper}, {@code docs/hostile-op.md}). */
  public dev.hourglass.op.tamper.Tampering tampering() {
    return server.tampering();
  }

  /**
   * Arms one broken answer: the next {@code count} responses of the case's kind to {@code clientId}
   * (null: any client) are tampered. May generate keys; fine to call from a test thread.
   */
  public void tamper(String caseName, String clientId, int count) {
    server.tampering().arm(dev.hourglass.op.tamper.TamperCase.parse(caseName), clientId, count, "library");
  }

  /** How many times the JWKS has been served since the start. */
  public long jwksRequests() {
    return server.jwksRequests();
  }

  /** The fault injector ({@code POST /_hourglass/faults}). */
  public Faults faults() {
    return server.faults();
  }

  /**
   * The event-loop threads that have accepted connections so far: at most {@code event-loops}
   * of them (one HTTP server per loop, all on {@link #port()}).
   */
  public java.util.Set<String> servingThreads() {
    return server.servingThreads();
  }

  /** Stops listening; state is dropped. */
  public Future<Void> close() {
    return server.close();
  }
}
