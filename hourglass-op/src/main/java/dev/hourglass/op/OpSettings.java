package dev.hourglass.op;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Switches a running OP reads on every request, so a lab or a test can flip them without a
 * restart: the expired-hint policy, auto-login, and refresh-returns-id-token (global or per client;
 * a per-client value wins).
 */
public final class OpSettings {
  private volatile ExpiredHintPolicy expiredHint;
  private volatile Boolean refreshReturnsIdToken;
  private volatile boolean autoLogin;
  private final Map<String, Boolean> refreshReturnsIdTokenByClient = new ConcurrentHashMap<>();

  public OpSettings(OpConfig config) {
    this.expiredHint = config.logout().expiredHintPolicy();
    this.autoLogin = config.autoLogin();
  }

  public ExpiredHintPolicy expiredHintPolicy() {
    return expiredHint;
  }

  public void setExpiredHintPolicy(ExpiredHintPolicy policy) {
    this.expiredHint = Objects.requireNonNull(policy, "policy");
  }

  public boolean autoLogin() {
    return autoLogin;
  }

  public void setAutoLogin(boolean autoLogin) {
    this.autoLogin = autoLogin;
  }

  /**
   * Overrides refresh-returns-id-token for one client, or for all clients when {@code clientId}
   * is null (clearing the per-client overrides, so "global" means every client).
   */
  public void setRefreshReturnsIdToken(String clientId, boolean value) {
    if (clientId == null) {
      refreshReturnsIdTokenByClient.clear();
      refreshReturnsIdToken = value;
    } else {
      refreshReturnsIdTokenByClient.put(clientId, value);
    }
  }

  /** The runtime override for {@code clientId}, if any (per-client first, then global). */
  public Optional<Boolean> refreshReturnsIdToken(String clientId) {
    Boolean perClient = refreshReturnsIdTokenByClient.get(clientId);
    return Optional.ofNullable(perClient != null ? perClient : refreshReturnsIdToken);
  }

  public JsonObject describe() {
    JsonObject o = new JsonObject()
        .put("expired-hint", expiredHint.configName())
        .put("auto-login", autoLogin);
    if (refreshReturnsIdToken != null) {
      o.put("refresh-returns-id-token", refreshReturnsIdToken);
    }
    JsonObject clients = new JsonObject();
    refreshReturnsIdTokenByClient.forEach((k, v) -> clients.put(k, new JsonObject().put("refresh-returns-id-token", v)));
    return o.put("clients", clients);
  }
}
