package dev.hourglass.gateway;

import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.core.event.EventLog;
import dev.hourglass.core.http.AdminAccess;
import dev.hourglass.core.http.ClockAdminRoutes;
import dev.hourglass.core.http.ExtraEventLoops;
import dev.hourglass.core.jose.BoundedHttp;
import dev.hourglass.gateway.authz.PathRules;
import dev.hourglass.gateway.crypto.SecretKeys;
import dev.hourglass.gateway.http.Pages;
import dev.hourglass.gateway.http.ProtectedHandler;
import dev.hourglass.gateway.http.SessionEndpoint;
import dev.hourglass.gateway.http.SessionResolver;
import dev.hourglass.gateway.http.Unauthenticated;
import dev.hourglass.gateway.login.LoginFlow;
import dev.hourglass.gateway.logout.LogoutRoutes;
import dev.hourglass.gateway.oidc.OidcProvider;
import dev.hourglass.gateway.proxy.IdentityHeaders;
import dev.hourglass.gateway.proxy.UpstreamProxy;
import dev.hourglass.gateway.redirect.RedirectValidator;
import dev.hourglass.gateway.session.FileSessionStore;
import dev.hourglass.gateway.session.MemorySessionStore;
import dev.hourglass.gateway.session.SessionCodec;
import dev.hourglass.gateway.session.SessionCookie;
import dev.hourglass.gateway.session.SessionIds;
import dev.hourglass.gateway.session.SessionStore;
import dev.hourglass.gateway.session.TransactionCookie;
import dev.hourglass.gateway.token.SessionUpdates;
import dev.hourglass.gateway.token.TokenRefresher;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running gateway: an OIDC relying party in front of one upstream application.
 *
 * <pre>{@code
 * Gateway.start(vertx, clock, GatewayConfig.load(path, System.getenv()))
 * }</pre>
 *
 * {@link #start} completes once the port is bound; the provider's discovery document and keys load
 * in the background, from the start on (retried with back-off while the OP is not up), and
 * {@code /ready} answers 200 only after they have. {@code /ping} always answers 200.
 */
public final class Gateway {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
  static final Duration MAX_DISCOVERY_BACKOFF = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final GatewayConfig config;
  private final EventLog events;
  private final GatewayServices services;
  private final HttpClient opClient;
  private final Promise<Void> ready = Promise.promise();
  private final Extension extension;
  private HttpServer server;
  private final java.util.List<HttpServer> extraServers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile String extraDeployment;
  private volatile boolean closed;
  private volatile long retryTimer = -1;

  /**
   * Routes an embedding program adds to the gateway's own port, mounted before the gateway's
   * {@code /oauth2/*} catch-all and the protected catch-all (the lab mounts {@code /oauth2/lab}).
   */
  @FunctionalInterface
  public interface Extension {
    void mount(Router router, GatewayServices services);
  }

  private Gateway(Vertx vertx, GatewayConfig config, EventLog events, GatewayServices services, HttpClient opClient,
      Extension extension) {
    this.extension = extension;
    this.vertx = vertx;
    this.config = config;
    this.events = events;
    this.services = services;
    this.opClient = opClient;
  }

  /** Builds the store, binds the port and starts loading the provider's metadata and keys. */
  public static Future<Gateway> start(Vertx vertx, Clock clock, GatewayConfig config) {
    return start(vertx, clock, config, (router, services) -> { });
  }

  /** As {@link #start(Vertx, Clock, GatewayConfig)}, with extra routes on the gateway's port. */
  public static Future<Gateway> start(Vertx vertx, Clock clock, GatewayConfig config, Extension extension) {
    Objects.requireNonNull(extension, "extension");
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(config, "config");
    if (config.virtualClock() && !(clock instanceof ControllableClock)) {
      return Future.failedFuture(new IllegalArgumentException("clock: virtual needs a controllable clock (Clocks.create(\"virtual\"))"));
    }
    EventLog events = new EventLog("gateway", clock);
    SecretKeys keys = SecretKeys.fromSecret(config.session().secret());
    SessionIds ids = keys.sessionIds();
    Future<SessionStore> storeFuture = switch (config.session().store()) {
      case "file" -> FileSessionStore.open(vertx, Path.of(config.session().fileDir()),
          new SessionCodec(keys.sessionAead(), ids), clock, MemorySessionStore.DEFAULT_MAX_ENTRIES).map(s -> (SessionStore) s);
      default -> Future.succeededFuture(new MemorySessionStore(ids, clock, MemorySessionStore.DEFAULT_MAX_ENTRIES));
    };
    return storeFuture.compose(store -> {
      URI publicUrl = URI.create(config.publicUrl());
      boolean secure = SessionCookie.secureFor(publicUrl);
      HttpClient opClient = vertx.createHttpClient(new HttpClientOptions()
          .setKeepAlive(true)
          .setConnectTimeout(5_000)
          .setSsl(config.provider().issuer().startsWith("https:")));
      BoundedHttp http = new BoundedHttp(vertx, opClient, BoundedHttp.DEFAULT_TIMEOUT, BoundedHttp.DEFAULT_MAX_BYTES);
      OidcProvider provider = new OidcProvider(config.provider(), http, clock, config.clockSkew(), config.redirectUri());
      provider.onKeyRefetch(kid -> events.record("JWKS_REFETCHED", "reason", "unknown_kid", "kid", kid));
      SessionUpdates updates = new SessionUpdates(store, config.session().idleTimeout(), config.session().maxLifetime());
      TokenRefresher refresher = new TokenRefresher(provider, updates, events,
          config.session().refreshBeforeExpiry(), ids::logHandle);
      IdentityHeaders identity = new IdentityHeaders(config.identity());
      GatewayServices services = new GatewayServices(config, clock, events, provider, store, ids,
          new SessionCookie(config.session().cookieName(), secure),
          new TransactionCookie(keys.transactionAead(), clock, secure),
          new RedirectValidator(config.redirect().allowedOrigins()),
          updates, refresher, identity, new PathRules(config.rules()),
          new UpstreamProxy(vertx, config.upstream(), config.upstreamTimeout(), events),
          keys.csrfTokens());
      Gateway gateway = new Gateway(vertx, config, events, services, opClient, extension);
      // Discovery first: its two round trips to the OP (and the OP's answer time) overlap with
      // building the router and binding the port, instead of following them (issue 7: start to
      // /ready). /ready still answers only once both have happened.
      gateway.discover(Duration.ofMillis(100));
      // A port already in use must not leave the store, clients or timers behind.
      return gateway.listen().map(gateway)
          .recover(e -> gateway.close().transform(ignored -> Future.<Gateway>failedFuture(e)));
    });
  }

  private Future<Void> listen() {
    Router router = router();
    server = newServer(router);
    return server.listen().compose(s -> {
      LOG.info("gateway listening on {} for {} (upstream {}; {} transport)", s.actualPort(), config.publicUrl(), config.upstream(),
          vertx.isNativeTransportEnabled() ? "epoll" : "nio");
      return moreEventLoops(router, s.actualPort());
    });
  }

  private HttpServer newServer(Router router) {
    HttpServer s = vertx.createHttpServer(new HttpServerOptions()
        .setHost(config.listenHost())
        .setPort(config.listenPort())
        .setMaxHeaderSize(16 * 1024)
        // HTTP/1.1 only on plain text, so header limits apply the same to every client.
        .setHttp2ClearTextEnabled(false)
        // Slow or stuck clients do not hold connections forever.
        .setIdleTimeout(120)
        .setMaxInitialLineLength(8 * 1024));
    // Malformed or oversized requests get Vert.x's default answer: 400, 414 or 431, never a 500.
    return s.requestHandler(router);
  }

  /** One more server per extra event loop on the same port ({@link ExtraEventLoops}). */
  private Future<Void> moreEventLoops(Router router, int port) {
    // listen port 0 (tests): Vert.x would give each server its own random port, so one loop.
    int extra = config.listenPort() == 0 ? 0 : eventLoops() - 1;
    return ExtraEventLoops.deploy(vertx, extra, port, () -> {
      HttpServer server = newServer(router);
      extraServers.add(server);
      return server.listen();
    }, "gateway").map(id -> {
      extraDeployment = id;
      return null;
    });
  }

  /**
   * Event loops serving requests: half the CPUs (at least one), or
   * {@code -Dhourglass.gateway.event-loops=N}. Why half: the gateway shares the host with its
   * upstream and the kernel's socket work; on the 2-core bench machine one loop measured as fast as
   * two (interleaved A/B with one upstream pool per loop, docs/benchmarks.md) and kept a better p99
   * when other work ran, while a bigger host is not capped at one core.
   */
  static int eventLoops() {
    String v = System.getProperty("hourglass.gateway.event-loops");
    if (v != null && v.matches("[0-9]{1,3}") && Integer.parseInt(v) > 0) {
      return Integer.parseInt(v);
    }
    return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  }

  private Router router() {
    Router router = Router.router(vertx);
    LoginFlow login = new LoginFlow(services);
    SessionResolver resolver = new SessionResolver(services);
    Unauthenticated unauthenticated = new Unauthenticated(services, login);
    SessionEndpoint sessionEndpoint = new SessionEndpoint(services, resolver, unauthenticated);
    ProtectedHandler protectedHandler = new ProtectedHandler(services, resolver, unauthenticated);

    if (config.virtualClock() && services.clock() instanceof ControllableClock) {
      LOG.warn("clock: virtual — this gateway's clock can be moved by anyone on loopback via /_hourglass/clock; never use it in production");
      new ClockAdminRoutes(services.clock(), events).mount(router, AdminAccess.loopbackOnly());
    }
    router.get("/ping").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain").end("pong\n"));
    router.get("/ready").handler(ctx -> {
      boolean ok = services.provider().ready();
      Pages.json(ctx, ok ? 200 : 503, new JsonObject().put("ready", ok)
          .put("issuer", config.provider().issuer()));
    });
    router.get("/oauth2/start").handler(login::start);
    router.get("/oauth2/callback").handler(login::callback);
    router.get("/oauth2/session").handler(sessionEndpoint::session);
    router.get("/oauth2/userinfo").handler(sessionEndpoint::userinfo);
    new LogoutRoutes(services).mount(router);
    extension.mount(router, services);
    router.route("/oauth2/*").handler(ctx -> Pages.jsonError(ctx, 404, "not_found", "no such gateway endpoint"));
    router.route().handler(protectedHandler::handle);
    router.route().failureHandler(ctx -> {
      Throwable failure = ctx.failure();
      if (failure instanceof IllegalArgumentException) {
        // Undecodable percent-escapes and the like in the URI: the client's fault.
        // The message would quote the URI (which may carry a code): never log it.
        events.record("BAD_REQUEST", "detail", "malformed URL");
        Pages.html(ctx, 400, "Bad request", "The request could not be understood (malformed URL).");
        return;
      }
      events.record("INTERNAL_ERROR", "path", ctx.normalizedPath(),
          "detail", failure == null ? String.valueOf(ctx.statusCode()) : failure.getClass().getSimpleName());
      if (failure != null) {
        LOG.warn("request failed: {}", failure.toString());
      }
      int status = ctx.statusCode() >= 400 && ctx.statusCode() < 500 ? ctx.statusCode() : 502;
      Pages.html(ctx, status, "Request failed", "The gateway could not handle this request.");
    });
    return router;
  }

  /** Loads discovery and JWKS; on failure retries with doubling back-off (real time: it is I/O). */
  private void discover(Duration backoff) {
    if (closed) return;
    services.provider().discover().onComplete(ar -> {
      if (closed) return;
      if (ar.succeeded()) {
        events.record("PROVIDER_READY", "issuer", config.provider().issuer(), "jwks_uri", ar.result().jwksUri());
        ready.tryComplete();
      } else {
        events.record("DISCOVERY_FAILED", "issuer", config.provider().issuer(), "detail", ar.cause().getMessage(),
            "retry_in_ms", backoff.toMillis());
        Duration next = backoff.multipliedBy(2).compareTo(MAX_DISCOVERY_BACKOFF) > 0 ? MAX_DISCOVERY_BACKOFF : backoff.multipliedBy(2);
        retryTimer = vertx.setTimer(backoff.toMillis(), id -> discover(next));
      }
    });
  }

  /** The bound port. */
  public int port() {
    return server.actualPort();
  }

  /** The configured public URL (redirect_uri = public URL + /oauth2/callback). */
  public String publicUrl() {
    return config.publicUrl();
  }

  /** Every auth decision, with its reason code as the type (actor {@code gateway}). */
  /** HTTP servers taking requests, one per event loop. */
  int servingEventLoops() {
    return 1 + extraServers.size();
  }

  public EventLog events() {
    return events;
  }

  public GatewayConfig config() {
    return config;
  }

  /** Completes once discovery and the JWKS have loaded (what {@code /ready} reports). */
  public Future<Void> ready() {
    return ready.future();
  }

  /** The session store (the logout issue and tests use it). */
  public SessionStore store() {
    return services.store();
  }

  /** Shared services for handlers added by later issues (logout, lab). */
  public GatewayServices services() {
    return services;
  }

  public Future<Void> close() {
    closed = true;
    if (retryTimer >= 0) vertx.cancelTimer(retryTimer);
    Future<Void> s = server == null ? Future.succeededFuture() : server.close();
    if (extraDeployment != null) {
      String id = extraDeployment;
      s = s.compose(v -> vertx.undeploy(id)).recover(e -> Future.succeededFuture());
    }
    return s.compose(v -> services.upstream().close())
        .compose(v -> opClient.close())
        .compose(v -> services.store().close())
        .recover(e -> Future.succeededFuture());
  }

}
