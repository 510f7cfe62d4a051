package dev.hourglass.lab;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.core.config.ConfigException;
import dev.hourglass.core.event.EventLog;
import dev.hourglass.gateway.Gateway;
import dev.hourglass.gateway.GatewayConfig;
import dev.hourglass.lab.scenario.LabHandle;
import dev.hourglass.op.DevOp;
import dev.hourglass.op.OpConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lab: the dev OP, the gateway and a demo upstream app in one process, on ONE controllable
 * clock. {@code ./hourglass lab} runs one for a person; the scenario runner starts a fresh one per
 * scenario.
 *
 * <p>The OP starts first (its issuer is the gateway's provider), then the upstream, then the
 * gateway, whose client registration at the OP is made to match its actual port.
 */
public final class Lab implements LabHandle {
  /** The lab's confidential client at its OP. */
  public static final String CLIENT_ID = "gateway";

  private final Vertx vertx;
  private final ControllableClock clock;
  private final DevOp op;
  private final DemoUpstream upstream;
  private final Gateway gateway;
  private final URI gatewayUrl;
  private final boolean ownsVertx;
  private final OpAdminClient admin;

  private Lab(Vertx vertx, ControllableClock clock, DevOp op, DemoUpstream upstream, Gateway gateway, URI gatewayUrl,
      boolean ownsVertx, OpAdminClient admin) {
    this.vertx = vertx;
    this.clock = clock;
    this.op = op;
    this.upstream = upstream;
    this.gateway = gateway;
    this.gatewayUrl = gatewayUrl;
    this.ownsVertx = ownsVertx;
    this.admin = admin;
  }

  /**
   * Starts a lab. Config mistakes in {@code options.op()} / {@code options.gateway()} fail the
   * future with a {@link ConfigException} naming {@code sourceName} and the key.
   */
  public static Future<Lab> start(Vertx vertx, ControllableClock clock, LabOptions options, String sourceName) {
    return start(vertx, clock, options, sourceName, false);
  }

  /** Starts a lab on its own Vert.x instance, which {@link #close()} also closes. */
  public static Future<Lab> startOwned(ControllableClock clock, LabOptions options, String sourceName) {
    Vertx vertx = Vertx.vertx();
    return start(vertx, clock, options, sourceName, true).onFailure(e -> vertx.close());
  }

  private static Future<Lab> start(Vertx vertx, ControllableClock clock, LabOptions options, String sourceName,
      boolean ownsVertx) {
    OpConfig opConfig;
    int gatewayPort;
    try {
      opConfig = opConfig(options, sourceName);
      gatewayPort = options.gatewayPort() == 0 ? freePort() : options.gatewayPort();
    } catch (RuntimeException | IOException e) {
      return Future.failedFuture(e);
    }
    URI gatewayUrl = URI.create("http://127.0.0.1:" + gatewayPort);
    return DevOp.start(vertx, clock, opConfig).compose(op -> {
      op.registerClient(new OpConfig.Client(CLIENT_ID, "gateway-secret",
          List.of(gatewayUrl + "/oauth2/callback"),
          List.of(gatewayUrl + "/", gatewayUrl + "/oauth2/lab"),
          gatewayUrl + "/oauth2/backchannel-logout", gatewayUrl + "/oauth2/frontchannel-logout",
          null, null, "Hourglass lab gateway"));
      return DemoUpstream.start(vertx, options.upstreamPort()).compose(up -> {
        GatewayConfig gwConfig;
        try {
          gwConfig = gatewayConfig(options, sourceName, gatewayUrl, op.issuer(), up.port());
        } catch (RuntimeException e) {
          return up.close().compose(v -> op.close()).compose(v -> Future.failedFuture(e));
        }
        // One admin client for the OP, shared by the lab's Java API and the lab page's routes.
        OpAdminClient admin = new OpAdminClient(vertx, URI.create(op.issuer()));
        return Gateway.start(vertx, clock, gwConfig, (router, services) -> new LabRoutes(clock, op, admin, services).mount(router))
            .compose(gw -> gw.ready().map(v -> new Lab(vertx, clock, op, up, gw, gatewayUrl, ownsVertx, admin)))
            .recover(e -> {
              admin.close();
              return up.close().compose(v -> op.close()).compose(v -> Future.failedFuture(e));
            });
      });
    }).recover(e -> ownsVertx ? vertx.close().compose(v -> Future.failedFuture(e)) : Future.failedFuture(e));
  }

  static OpConfig opConfig(LabOptions options, String sourceName) {
    Map<String, Object> base = new LinkedHashMap<>();
    base.put("port", options.opPort());
    base.put("auto-login", true);
    base.put("clock", "virtual");
    Map<String, Object> merged = deepMerge(base, options.op());
    OpConfig parsed = OpConfig.parse(sourceName + " (op)", new JsonObject(merged).encode(), Map.of());
    // Demo users unless the scenario brings its own; the gateway client is registered at start.
    if (!options.op().containsKey("users")) {
      parsed = new OpConfig(parsed.issuer(), parsed.port(), parsed.host(), parsed.clock(), parsed.autoLogin(),
          parsed.signingAlg(), parsed.tokens(), parsed.logout(), parsed.keys(), parsed.adminToken(),
          parsed.adminLoopbackOnly(), parsed.clients(), OpConfig.demo().users());
    }
    return parsed;
  }

  static GatewayConfig gatewayConfig(LabOptions options, String sourceName, URI gatewayUrl, String issuer, int upstreamPort) {
    Map<String, Object> base = new LinkedHashMap<>();
    base.put("listen", "127.0.0.1:" + gatewayUrl.getPort());
    base.put("public-url", gatewayUrl.toString());
    base.put("upstream", "http://127.0.0.1:" + upstreamPort);
    base.put("provider", new LinkedHashMap<>(Map.of("issuer", issuer, "client-id", CLIENT_ID, "client-secret", "gateway-secret",
        "scopes", List.of("openid", "profile", "email", "offline_access"))));
    // Lab defaults let a person advance an hour or two without the session idling out.
    base.put("session", new LinkedHashMap<>(Map.of("secret", randomSecret(), "idle-timeout", "2h", "max-lifetime", "12h")));
    base.put("logout", new LinkedHashMap<>(Map.of("post-logout-redirect", "/oauth2/lab")));
    base.put("clock", "virtual");
    Map<String, Object> merged = deepMerge(base, options.gateway());
    return GatewayConfig.parse(sourceName + " (gateway)", new JsonObject(merged).encode(), Map.of());
  }

  /** {@code overrides} on top of {@code base}; nested maps merge, anything else replaces. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> deepMerge(Map<String, Object> base, Map<String, Object> overrides) {
    Map<String, Object> out = new LinkedHashMap<>(base);
    overrides.forEach((k, v) -> {
      Object b = out.get(k);
      if (b instanceof Map<?, ?> bm && v instanceof Map<?, ?> vm) {
        out.put(k, deepMerge((Map<String, Object>) bm, (Map<String, Object>) vm));
      } else {
        out.put(k, v);
      }
    });
    return out;
  }

  private static String randomSecret() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  // ---- LabHandle ------------------------------------------------------------------------------

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public ControllableClock clock() {
    return clock;
  }

  public DevOp op() {
    return op;
  }

  public Gateway gateway() {
    return gateway;
  }

  public int upstreamPort() {
    return upstream.port();
  }

  @Override
  public EventLog opEvents() {
    return op.events();
  }

  @Override
  public EventLog gatewayEvents() {
    return gateway.events();
  }

  @Override
  public URI gatewayUrl() {
    return gatewayUrl;
  }

  @Override
  public URI opUrl() {
    return URI.create(op.issuer());
  }

  @Override
  public void rotateKeys() {
    op.rotateKeys();
  }

  @Override
  public Future<Void> injectFault(Map<String, Object> spec) {
    return admin.call("POST", "/_hourglass/faults", new JsonObject(spec)).mapEmpty();
  }

  @Override
  public Future<Void> clearFaults() {
    return admin.call("DELETE", "/_hourglass/faults", null).mapEmpty();
  }

  @Override
  public Future<Void> opSettings(Map<String, Object> settings) {
    return admin.call("POST", "/_hourglass/settings", new JsonObject(settings)).mapEmpty();
  }

  @Override
  public Future<Void> refreshNow(String sessionCookieValue) {
    return LabRoutes.refreshNow(gateway.services(), sessionCookieValue).mapEmpty();
  }

  @Override
  public String sessionCookieName() {
    return gateway.services().sessionCookie().name();
  }

  @Override
  public Future<Void> close() {
    admin.close();
    Future<Void> all = gateway.close().compose(v -> upstream.close()).compose(v -> op.close())
        .recover(e -> Future.succeededFuture());
    return ownsVertx ? all.compose(v -> vertx.close()) : all;
  }
}
