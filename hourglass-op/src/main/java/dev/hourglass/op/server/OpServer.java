package dev.hourglass.op.server;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.core.event.EventLog;
import dev.hourglass.core.http.ExtraEventLoops;
import dev.hourglass.op.Faults;
import dev.hourglass.op.OpConfig;
import dev.hourglass.op.OpSettings;
import dev.hourglass.op.keys.SigningKeys;
import dev.hourglass.op.tamper.TamperCase;
import dev.hourglass.op.tamper.Tampering;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * The running OP: HTTP server, state, keys and the shared logic of its endpoints (minting tokens,
 * ending sessions, logout notifications). Every time decision reads the injected clock once per
 * operation and passes {@code now} down.
 */
public final class OpServer {
  static final String SESSION_COOKIE = "hourglass_op_session";
  static final String BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout";
  private static final SecureRandom RANDOM = new SecureRandom();

  final Vertx vertx;
  final Clock clock;
  final OpConfig config;
  final EventLog events;
  final SigningKeys keys;
  final OpSettings settings;
  final Faults faults = new Faults();
  /** The hostile mode: broken answers armed by config, admin API or the authorize request. */
  final Tampering tampering;
  /** How many times the JWKS was served (hostile tests prove an RP does not hammer it). */
  final java.util.concurrent.atomic.AtomicLong jwksRequests = new java.util.concurrent.atomic.AtomicLong();
  final OpState state = new OpState();
  final Map<String, OpConfig.Client> clients = new ConcurrentHashMap<>();
  final WebClient web;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile String issuer;
  private volatile String basePath = "";
  private volatile HttpServer server;
  /** The deployment holding the servers of the extra event loops (null with one loop). */
  private volatile String extraDeployment;
  /** Threads that accepted a connection: one per serving event loop (tests and the startup line read it). */
  private final Set<String> servingThreads = ConcurrentHashMap.newKeySet();
  private long purgeTimer = -1;

  private OpServer(Vertx vertx, Clock clock, OpConfig config, EventLog events, SigningKeys keys) {
    this.vertx = vertx;
    this.clock = clock;
    this.config = config;
    this.events = events;
    this.keys = keys;
    this.settings = new OpSettings(config);
    this.tampering = new Tampering(keys, events, () -> this.issuer);
    config.clients().forEach(c -> clients.put(c.clientId(), c));
    this.web = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(3000).setFollowRedirects(false)
        .setUserAgent("hourglass-op"));
  }

  /** Generates keys (off the event loop), binds the port and sets the issuer. */
  public static Future<OpServer> start(Vertx vertx, Clock clock, OpConfig config, EventLog events) {
    return vertx.executeBlocking(() -> new SigningKeys(config.signingAlg(), config.keys().rotationGrace()), false)
        .compose(keys -> {
          OpServer op = new OpServer(vertx, clock, config, events, keys);
          // clients[].tamper: armed for every response of that kind (may generate decoy keys: off the loop).
          return vertx.executeBlocking(() -> {
            for (OpConfig.Client c : config.clients()) {
              if (c.tamper() != null) {
                op.tampering.arm(TamperCase.parse(c.tamper()), c.clientId(), Tampering.UNLIMITED, "config");
              }
            }
            return op;
          }, false).compose(OpServer::listen);
        });
  }

  private Future<OpServer> listen() {
    if (config.issuer() != null) {
      setIssuer(config.issuer());
    }
    Router root = Router.router(vertx);
    OpRoutes.errorHandlers(root);
    Router main = new OpRoutes(this).router();
    int bindPort = listenPort();
    return newServer(root)
        .listen(bindPort, config.host())
        .map(s -> {
          this.server = s;
          if (issuer == null) {
            setIssuer("http://127.0.0.1:" + s.actualPort());
          }
          if (basePath.isEmpty()) {
            root.route("/*").subRouter(main);
          } else {
            root.route(basePath + "/*").subRouter(main);
            // The admin API also answers at the root, where `hourglass clock --op URL` may look.
            new OpRoutes(this).mountAdmin(root);
          }
          if (clock instanceof ControllableClock c) {
            c.onChange(change -> {
              if (!closed.get()) {
                events.record("clock_changed", "from", change.from().toString(), "to", change.to().toString(),
                    "advanced", change.delta().toString());
              }
            });
          }
          purgeTimer = vertx.setPeriodic(60_000, id -> state.purge(clock.instant()));
          return s.actualPort();
        })
        .compose(port -> moreEventLoops(root, bindPort, port))
        .map(v -> this);
  }

  private static final java.util.concurrent.atomic.AtomicInteger RANDOM_PORT_KEYS = new java.util.concurrent.atomic.AtomicInteger();

  /**
   * The port every server of this OP listens on. For port 0 with several loops: a negative port,
   * Vert.x's way of sharing ONE random port between the servers asking for that same negative
   * number (a port-0 server is never shared). The number is unique per OP in this JVM, so two OPs
   * on one Vertx (tests) never share a socket.
   */
  private int listenPort() {
    if (config.port() != 0 || config.eventLoops() <= 1) {
      return config.port();
    }
    return -(1000 + Math.floorMod(RANDOM_PORT_KEYS.getAndIncrement(), 60_000));
  }

  private HttpServer newServer(Router root) {
    // No websockets here: without their compression extension, every connection's pipeline has one
    // handler fewer to pass each request and response through.
    HttpServerOptions opts = new HttpServerOptions().setMaxInitialLineLength(16 * 1024).setMaxHeaderSize(16 * 1024)
        .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false);
    return vertx.createHttpServer(opts)
        .connectionHandler(conn -> servingThreads.add(Thread.currentThread().getName()))
        .requestHandler(root);
  }

  /**
   * One more server per extra event loop ({@link ExtraEventLoops}). Why for the OP: a token grant is
   * CPU-bound signing (issue 7's profile: 64 % of the OP's samples in RSA signing, all on one
   * event loop). The handlers are thread-safe (concurrent maps, a lock per family/code/session).
   * The extra servers ask for the first one's port (see {@link #listenPort}), so port 0 (tests)
   * gets N loops as well.
   */
  private Future<Void> moreEventLoops(Router root, int bindPort, int port) {
    return ExtraEventLoops.deploy(vertx, config.eventLoops() - 1, port,
        () -> newServer(root).listen(bindPort, config.host()), "op").map(id -> {
          extraDeployment = id;
          return null;
        });
  }

  /** The names of the event-loop threads that have accepted connections so far. */
  public Set<String> servingThreads() {
    return Set.copyOf(servingThreads);
  }

  private void setIssuer(String iss) {
    this.issuer = iss;
    String path = URI.create(iss).getRawPath();
    this.basePath = path == null || path.equals("/") ? "" : path;
  }

  public String issuer() {
    return issuer;
  }

  public int port() {
    return server.actualPort();
  }

  public OpSettings settings() {
    return settings;
  }

  public Faults faults() {
    return faults;
  }

  public Tampering tampering() {
    return tampering;
  }

  public long jwksRequests() {
    return jwksRequests.get();
  }

  /** Rotates the signing key; the previous public key stays in the JWKS for {@code keys.rotation-grace}. */
  public String rotateKeys() {
    Instant now = clock.instant();
    String previous = keys.currentKid();
    String kid = keys.rotate(now);
    events.record("keys_rotated", "kid", kid, "previous_kid", previous,
        "grace", config.keys().rotationGrace().toString());
    return kid;
  }

  public void registerClient(OpConfig.Client client) {
    clients.put(client.clientId(), client);
    events.record("client_registered", "client_id", client.clientId());
    if (client.tamper() != null) {
      tampering.arm(TamperCase.parse(client.tamper()), client.clientId(), Tampering.UNLIMITED, "config");
    }
  }

  /**
   * Ends every active session whose sid or sub is {@code subOrSid}, as if the user logged out at
   * the OP (back-channel and grant revocation included). Completes with how many ended.
   */
  public Future<Integer> endSessions(String subOrSid, String via) {
    Instant now = clock.instant();
    List<Future<List<String>>> ends = new ArrayList<>();
    for (OpState.Session s : state.sessions.values()) {
      if (s.activeAt(now) && (s.sid.equals(subOrSid) || s.sub.equals(subOrSid))) {
        ends.add(endSession(s, now, via, null));
      }
    }
    return Future.join(ends).transform(ar -> Future.succeededFuture(ends.size()));
  }

  /** Revokes every live grant (refresh-token family and its access tokens) of {@code sub}. Returns how many. */
  public int revokeGrants(String sub, String reason) {
    int n = 0;
    for (OpState.Family f : state.families.values()) {
      if (f.sub.equals(sub) && !f.revoked) {
        revokeFamily(f, reason);
        n++;
      }
    }
    return n;
  }

  public Optional<OpConfig.Client> client(String clientId) {
    return clientId == null ? Optional.empty() : Optional.ofNullable(clients.get(clientId));
  }

  public Future<Void> close() {
    if (!closed.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    if (purgeTimer >= 0) {
      vertx.cancelTimer(purgeTimer);
    }
    web.close();
    Future<Void> extras = extraDeployment == null ? Future.succeededFuture()
        : vertx.undeploy(extraDeployment).recover(e -> Future.succeededFuture());
    return extras.compose(v -> server == null ? Future.succeededFuture() : server.close());
  }

  // ---- endpoint URLs -------------------------------------------------------------------------

  String url(String path) {
    return issuer + path;
  }

  // ---- users and sessions --------------------------------------------------------------------

  Map<String, Object> claimsOf(String username) {
    return config.user(username).map(OpConfig.User::effectiveClaims)
        .orElseGet(() -> OpConfig.User.defaultClaims(username));
  }

  /** A new OP session, lasting the session-ttl of the client the user logged in for. */
  OpState.Session newSession(String username, OpConfig.Client client, Instant now, String method) {
    Map<String, Object> claims = claimsOf(username);
    OpState.Session s = new OpState.Session(randomToken(24), username, claims, now, now.plus(tokensFor(client).sessionTtl()));
    state.sessions.put(s.sid, s);
    events.record("login", "client_id", client.clientId(), "sub", s.sub, "sid", s.sid, "username", username,
        "method", method, "expires_at", s.expiresAt.toString());
    return s;
  }

  /** The active session named by the cookie, if any. */
  Optional<OpState.Session> cookieSession(RoutingContext ctx, Instant now) {
    Cookie c = ctx.request().getCookie(SESSION_COOKIE);
    if (c == null) {
      return Optional.empty();
    }
    OpState.Session s = state.sessions.get(c.getValue());
    return s != null && s.activeAt(now) ? Optional.of(s) : Optional.empty();
  }

  void setSessionCookie(RoutingContext ctx, OpState.Session s) {
    ctx.response().addCookie(Cookie.cookie(SESSION_COOKIE, s.sid).setPath("/").setHttpOnly(true)
        .setSameSite(CookieSameSite.LAX).setSecure(issuer.startsWith("https:")));
  }

  void clearSessionCookie(RoutingContext ctx) {
    ctx.response().addCookie(Cookie.cookie(SESSION_COOKIE, "").setPath("/").setHttpOnly(true).setMaxAge(0)
        .setSameSite(CookieSameSite.LAX).setSecure(issuer.startsWith("https:")));
  }

  /**
   * Ends {@code s} (if not ended yet): revokes the grants bound to it, records {@code logout},
   * sends back-channel logout tokens and completes with the front-channel iframe URLs once every
   * back-channel call has been answered (or failed).
   */
  Future<List<String>> endSession(OpState.Session s, Instant now, String via, String clientId) {
    synchronized (s) {
      if (s.endedAt != null) {
        return Future.succeededFuture(List.of());
      }
      s.endedAt = now;
    }
    for (OpState.Family f : state.families.values()) {
      if (s.sid.equals(f.sid) && !f.revoked) {
        revokeFamily(f, "logout");
      }
    }
    events.record("logout", "sid", s.sid, "sub", s.sub, "client_id", clientId, "via", via);
    List<Future<?>> sends = new ArrayList<>();
    List<String> frames = new ArrayList<>();
    for (String cid : s.clients) {
      OpConfig.Client c = clients.get(cid);
      if (c == null) continue;
      if (c.backchannelLogoutUri() != null) {
        sends.add(sendBackchannel(c, s, now));
      }
      if (c.frontchannelLogoutUri() != null) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("iss", issuer);
        q.put("sid", s.sid);
        frames.add(appendQuery(c.frontchannelLogoutUri(), q));
      }
    }
    return Future.join(sends).transform(ar -> Future.succeededFuture(frames));
  }

  /** Back-Channel Logout 1.0 §2.4/§2.5: a signed logout token POSTed as a form. */
  private Future<Void> sendBackchannel(OpConfig.Client c, OpState.Session s, Instant now) {
    Instant iat = now.truncatedTo(ChronoUnit.SECONDS);
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(issuer)
        .audience(c.clientId())
        .issueTime(Date.from(iat))
        .expirationTime(Date.from(iat.plus(Duration.ofMinutes(2))))
        .jwtID(randomToken(16))
        .subject(s.sub)
        .claim("sid", s.sid)
        .claim("events", Map.of(BACKCHANNEL_EVENT, Map.of()))
        .build();
    Optional<TamperCase> tamper = tampering.take(TamperCase.Kind.LOGOUT, c.clientId(), "backchannel");
    if (tamper.isPresent()) {
      List<String> tokens = tampering.logoutTokens(tamper.get(), claims, () -> idTokenFor(c, s, iat), now);
      // Sequential: a replay must arrive after the original.
      Future<Void> chain = Future.succeededFuture();
      for (String t : tokens) {
        chain = chain.compose(v -> postLogoutToken(c, s, t, tamper.get().configName()));
      }
      return chain;
    }
    String token = keys.sign(claims, "logout+jwt").serialize();
    return postLogoutToken(c, s, token, null);
  }

  /** An ID token for {@code s} as {@code c} would get it (the {@code logout-id-token} case sends it as a logout token). */
  private String idTokenFor(OpConfig.Client c, OpState.Session s, Instant iat) {
    JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).subject(s.sub).audience(c.clientId())
        .issueTime(Date.from(iat)).expirationTime(Date.from(iat.plus(Duration.ofHours(1))))
        .claim("auth_time", s.authTime.getEpochSecond()).claim("sid", s.sid).claim("nonce", randomToken(12))
        .jwtID(randomToken(16)).build();
    return keys.sign(claims, "JWT").serialize();
  }

  private Future<Void> postLogoutToken(OpConfig.Client c, OpState.Session s, String token, String tamperCase) {
    return web.postAbs(c.backchannelLogoutUri())
        .timeout(5000)
        .putHeader("Cache-Control", "no-store")
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("logout_token", token))
        .transform(ar -> {
          if (ar.succeeded()) {
            events.record("backchannel_sent", "client_id", c.clientId(), "sid", s.sid, "sub", s.sub,
                "uri", c.backchannelLogoutUri(), "status", ar.result().statusCode(), "tamper", tamperCase,
                "cache_control", tamperCase == null ? null : ar.result().getHeader("Cache-Control"));
          } else {
            events.record("backchannel_sent", "client_id", c.clientId(), "sid", s.sid, "sub", s.sub,
                "uri", c.backchannelLogoutUri(), "status", 0, "error", String.valueOf(ar.cause().getMessage()),
                "tamper", tamperCase);
          }
          return Future.<Void>succeededFuture();
        });
  }

  // ---- grants -----------------------------------------------------------------------------------

  OpConfig.Tokens tokensFor(OpConfig.Client c) {
    return c.effectiveTokens(config.tokens());
  }

  boolean refreshReturnsIdToken(OpConfig.Client c) {
    return settings.refreshReturnsIdToken(c.clientId()).orElseGet(() -> tokensFor(c).refreshReturnsIdToken());
  }

  /**
   * Under the family's lock, as the refresh grant's decisions are: a grant either finished its
   * bookkeeping first (its access token is in accessJtis and is revoked here) or sees the
   * family revoked.
   */
  void revokeFamily(OpState.Family f, String reason) {
    synchronized (f) {
      if (f.revoked) {
        return;
      }
      f.revoked = true;
      for (String jti : f.accessJtis) {
        OpState.Access a = state.accessTokens.get(jti);
        if (a != null) a.revoked = true;
      }
    }
    events.record("family_revoked", "client_id", f.clientId, "sub", f.sub, "sid", f.sid, "family", f.id, "reason", reason);
  }

  /** An access token issued at {@code iat} (whole seconds), remembered by jti; its value goes to {@code serialized}. */
  OpState.Access mintAccess(Instant iat, OpConfig.Client c, String sub, String scope, String sid, String familyId,
      Map<String, Object> claims, Instant authTime, StringBuilder serialized) {
    PendingAccess p = newAccess(iat, c, sub, scope, sid, familyId, claims, authTime);
    serialized.append(p.value(keys));
    return p.access();
  }

  /**
   * An access token that is registered (so revocation and introspection see it) but not signed
   * yet: callers decide state under a lock and sign outside it. Two grants of one family then
   * sign in parallel on different event loops.
   */
  record PendingAccess(OpState.Access access, JWTClaimsSet claims) {
    /** The token the client gets: the opaque handle, or the signed RFC 9068 JWT. */
    String value(SigningKeys keys) {
      return access.handle != null ? access.handle : keys.sign(claims, "at+jwt").serialize();
    }
  }

  /** Registers an access token issued at {@code iat} (whole seconds) as the client's access-token-format says. */
  PendingAccess newAccess(Instant iat, OpConfig.Client c, String sub, String scope, String sid, String familyId,
      Map<String, Object> claims, Instant authTime) {
    iat = iat.truncatedTo(ChronoUnit.SECONDS);
    OpConfig.Tokens t = tokensFor(c);
    Instant exp = iat.plusSeconds(seconds(t.accessTtl()));
    String jti = randomToken(16);
    if (t.opaqueAccessTokens()) {
      // Like oidc-provider's default: a random handle, meaningful only to this OP (introspection, userinfo).
      String handle = randomToken(32);
      OpState.Access a = new OpState.Access(jti, handle, c.clientId(), sub, scope, sid, familyId, claims, iat, exp);
      state.accessTokens.put(jti, a);
      state.opaqueAccessTokens.put(handle, a);
      return new PendingAccess(a, null);
    }
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
        .issuer(issuer)
        .subject(sub)
        .audience(c.clientId())
        .issueTime(Date.from(iat))
        .expirationTime(Date.from(exp))
        .jwtID(jti)
        .claim("client_id", c.clientId());
    if (scope != null && !scope.isEmpty()) b.claim("scope", scope);
    if (authTime != null) b.claim("auth_time", authTime.getEpochSecond());
    if (sid != null) b.claim("sid", sid);
    OpState.Access a = new OpState.Access(jti, null, c.clientId(), sub, scope, sid, familyId, claims, iat, exp);
    state.accessTokens.put(jti, a);
    return new PendingAccess(a, b.build());
  }

  /** An ID token; {@code nonce} only on the first one (a renewed one omits it, Core 12.2). */
  String mintIdToken(Instant iat, OpConfig.Client c, OpState.Family f, String nonce, String accessToken) {
    return mintIdToken(iat, c, f, nonce, accessToken, false);
  }

  /** As above; {@code refresh} says whether it answers a refresh grant (which tamper cases apply). */
  String mintIdToken(Instant iat, OpConfig.Client c, OpState.Family f, String nonce, String accessToken, boolean refresh) {
    Instant now = iat;
    iat = iat.truncatedTo(ChronoUnit.SECONDS);
    long ttl = seconds(tokensFor(c).idTtl());
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
        .issuer(issuer)
        .subject(f.sub)
        .audience(c.clientId())
        .issueTime(Date.from(iat))
        .expirationTime(Date.from(iat.plusSeconds(ttl)))
        .jwtID(randomToken(16))
        .claim("auth_time", f.authTime.getEpochSecond());
    if (f.azp) b.claim("azp", c.clientId());
    if (f.sid != null) b.claim("sid", f.sid);
    if (nonce != null) b.claim("nonce", nonce);
    if (accessToken != null) b.claim("at_hash", halfHash(accessToken));
    scopedClaims(f.claims, f.scope).forEach((k, v) -> {
      if (!Set.of("sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "sid", "azp", "at_hash", "jti").contains(k)) {
        b.claim(k, v);
      }
    });
    Optional<TamperCase> tamper = tampering.take(refresh ? TamperCase.Kind.REFRESH_ID_TOKEN : TamperCase.Kind.ID_TOKEN,
        c.clientId(), "token");
    if (tamper.isPresent()) {
      return tampering.idToken(tamper.get(), b.build(), c.clientId(), now);
    }
    return keys.sign(b.build(), "JWT").serialize();
  }

  /** The user claims a scope releases: profile → everything but email; email → email*; groups → groups. */
  static Map<String, Object> scopedClaims(Map<String, Object> claims, String scope) {
    Set<String> scopes = scopes(scope);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("sub", claims.get("sub"));
    for (Map.Entry<String, Object> e : claims.entrySet()) {
      String k = e.getKey();
      boolean email = k.equals("email") || k.equals("email_verified");
      boolean groups = k.equals("groups");
      if ((email && scopes.contains("email")) || (groups && (scopes.contains("groups") || scopes.contains("profile")))
          || (!email && !groups && scopes.contains("profile"))) {
        out.put(k, e.getValue());
      }
    }
    return out;
  }

  static Set<String> scopes(String scope) {
    if (scope == null || scope.isBlank()) return Set.of();
    return Arrays.stream(scope.trim().split(" +")).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
  }

  static long seconds(Duration d) {
    return Math.max(1, d.toSeconds());
  }

  /** Core 3.1.3.6 at_hash / PKCE S256 style: base64url of the left half (or all) of SHA-256. */
  static String halfHash(String value) {
    byte[] h = sha256(value);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(h, h.length / 2));
  }

  static String s256(String verifier) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(verifier));
  }

  static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static boolean constantTimeEquals(String a, String b) {
    if (a == null || b == null) return false;
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  static String randomToken(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static String appendQuery(String uri, Map<String, String> params) {
    StringBuilder b = new StringBuilder(uri);
    boolean first = !uri.contains("?");
    for (Map.Entry<String, String> e : params.entrySet()) {
      if (e.getValue() == null) continue;
      b.append(first ? '?' : '&');
      first = false;
      b.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
    }
    return b.toString();
  }

  /** Parses and verifies one of our own JWTs (signature by a published key, issuer); null if not ours. */
  SignedJWT verifyOwn(String token, Instant now) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!keys.verify(jwt, now)) return null;
      if (!issuer.equals(jwt.getJWTClaimsSet().getIssuer())) return null;
      return jwt;
    } catch (java.text.ParseException | RuntimeException e) {
      return null;
    }
  }
}
