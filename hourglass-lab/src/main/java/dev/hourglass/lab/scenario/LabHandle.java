package dev.hourglass.lab.scenario;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.core.event.EventLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.Map;

/** What the scenario runner needs from a running lab (dev OP + gateway + upstream on one clock). */
public interface LabHandle {
  Vertx vertx();

  ControllableClock clock();

  EventLog opEvents();

  EventLog gatewayEvents();

  /** The gateway's public URL, such as {@code http://127.0.0.1:8080}. */
  URI gatewayUrl();

  /** The OP's issuer URL. */
  URI opUrl();

  void rotateKeys();

  /** Same JSON as {@code POST /_hourglass/faults}; a bad spec fails with the OP's explanation. */
  Future<Void> injectFault(Map<String, Object> spec);

  Future<Void> clearFaults();

  /** Same keys as {@code POST /_hourglass/settings}: expired-hint, refresh-returns-id-token. */
  Future<Void> opSettings(Map<String, Object> settings);

  /** Refreshes the tokens of the session with this cookie value now, whatever their expiry. */
  Future<Void> refreshNow(String sessionCookieValue);

  /** The name of the gateway's session cookie. */
  String sessionCookieName();

  Future<Void> close();
}
