package dev.hourglass.op;

import dev.hourglass.core.config.ConfigException;
import dev.hourglass.core.config.EnvSubstitution;
import dev.hourglass.core.config.YamlConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The dev OP's configuration ({@code hourglass op --config op.yaml}). Keys are kebab-case and are
 * the contract of issue 2; every optional key has a default applied here, so a record read from
 * an empty file is a working OP.
 *
 * @param issuer the issuer URL; {@code null} means {@code http://127.0.0.1:<actual port>}
 * @param port the port; 0 picks a free one
 * @param host the address to bind (default {@code 127.0.0.1})
 * @param clock {@code virtual} (controllable, starts at the real now) or {@code system}; read by
 *     the CLI, which builds the clock it hands to {@link DevOp#start}
 * @param autoLogin issue the code without a page when the request carries {@code login_hint}
 * @param signingAlg {@code RS256} (default) or {@code ES256}
 * @param adminToken when set, {@code /_hourglass/} needs {@code Authorization: Bearer <token>}
 * @param adminLoopbackOnly {@code /_hourglass/} answers loopback callers only (default true)
 * @param eventLoops how many event loops serve HTTP (one server per loop, all on the same port);
 *     default one per CPU, because minting tokens is CPU-bound signing
 */
public record OpConfig(
    String issuer,
    Integer port,
    String host,
    String clock,
    Boolean autoLogin,
    String signingAlg,
    Tokens tokens,
    Logout logout,
    Keys keys,
    String adminToken,
    Boolean adminLoopbackOnly,
    List<Client> clients,
    List<User> users,
    Tamper tamper,
    Integer eventLoops) {

  /** Without the hostile-mode settings (the shape before issue 6). */
  public OpConfig(String issuer, Integer port, String host, String clock, Boolean autoLogin, String signingAlg,
      Tokens tokens, Logout logout, Keys keys, String adminToken, Boolean adminLoopbackOnly, List<Client> clients,
      List<User> users) {
    this(issuer, port, host, clock, autoLogin, signingAlg, tokens, logout, keys, adminToken, adminLoopbackOnly, clients,
        users, null, null);
  }

  /** Without the event-loop count (the shape before the OP served on several event loops). */
  public OpConfig(String issuer, Integer port, String host, String clock, Boolean autoLogin, String signingAlg,
      Tokens tokens, Logout logout, Keys keys, String adminToken, Boolean adminLoopbackOnly, List<Client> clients,
      List<User> users, Tamper tamper) {
    this(issuer, port, host, clock, autoLogin, signingAlg, tokens, logout, keys, adminToken, adminLoopbackOnly, clients,
        users, tamper, null);
  }

  /** How many event loops serve when {@code event-loops} is not set: one per CPU (signing is CPU-bound). */
  public static int defaultEventLoops() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  /**
   * The hostile mode ({@code docs/hostile-op.md}).
   *
   * @param perRequest honour {@code tamper=<case>} on authorization requests (default false)
   */
  public record Tamper(Boolean perRequest) {
    public Tamper {
      perRequest = perRequest == null ? Boolean.FALSE : perRequest;
    }
  }

  public OpConfig {
    if (issuer != null) {
      issuer = stripTrailingSlash(requireAbsoluteUri("issuer", issuer));
      URI u = URI.create(issuer);
      if (u.getQuery() != null || u.getFragment() != null) {
        throw new IllegalArgumentException("issuer: must not have a query or fragment");
      }
    }
    port = port == null ? 9090 : port;
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: must be between 0 and 65535, got " + port);
    }
    host = host == null || host.isBlank() ? "127.0.0.1" : host;
    clock = clock == null ? "virtual" : clock.trim().toLowerCase(Locale.ROOT);
    if (!clock.equals("virtual") && !clock.equals("system")) {
      throw new IllegalArgumentException("clock: expected virtual or system, got '" + clock + "'");
    }
    autoLogin = autoLogin == null ? Boolean.FALSE : autoLogin;
    signingAlg = signingAlg == null ? "RS256" : signingAlg.trim().toUpperCase(Locale.ROOT);
    if (!signingAlg.equals("RS256") && !signingAlg.equals("ES256")) {
      throw new IllegalArgumentException("signing-alg: expected RS256 or ES256, got '" + signingAlg + "'");
    }
    tokens = Tokens.defaults().overriddenBy(tokens);
    logout = logout == null ? new Logout(null) : logout;
    keys = keys == null ? new Keys(null) : keys;
    adminLoopbackOnly = adminLoopbackOnly == null ? Boolean.TRUE : adminLoopbackOnly;
    clients = clients == null ? List.of() : List.copyOf(clients);
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < clients.size(); i++) {
      Client c = Objects.requireNonNull(clients.get(i), "clients[" + i + "]");
      if (!ids.add(c.clientId())) {
        throw new IllegalArgumentException("clients[" + i + "].client-id: duplicate client id '" + c.clientId() + "'");
      }
    }
    tamper = tamper == null ? new Tamper(null) : tamper;
    eventLoops = eventLoops == null ? defaultEventLoops() : eventLoops;
    if (eventLoops < 1 || eventLoops > 64) {
      throw new IllegalArgumentException("event-loops: must be between 1 and 64, got " + eventLoops);
    }
    users = users == null ? List.of() : List.copyOf(users);
    Set<String> names = new HashSet<>();
    for (int i = 0; i < users.size(); i++) {
      if (!names.add(users.get(i).username())) {
        throw new IllegalArgumentException("users[" + i + "].username: duplicate user '" + users.get(i).username() + "'");
      }
    }
  }

  /** Lifetimes and refresh behaviour; at the top level every field is set, in a client only the overrides. */
  public record Tokens(
      Duration codeTtl,
      Duration accessTtl,
      Duration idTtl,
      Duration refreshTtl,
      Duration refreshIdleTtl,
      Duration sessionTtl,
      Boolean refreshRotation,
      String reuseDetection,
      Boolean refreshReturnsIdToken,
      String accessTokenFormat) {

    /** Without the access-token format (the shape before opaque access tokens). */
    public Tokens(Duration codeTtl, Duration accessTtl, Duration idTtl, Duration refreshTtl, Duration refreshIdleTtl,
        Duration sessionTtl, Boolean refreshRotation, String reuseDetection, Boolean refreshReturnsIdToken) {
      this(codeTtl, accessTtl, idTtl, refreshTtl, refreshIdleTtl, sessionTtl, refreshRotation, reuseDetection,
          refreshReturnsIdToken, null);
    }

    public Tokens {
      positive("code-ttl", codeTtl);
      positive("access-ttl", accessTtl);
      positive("id-ttl", idTtl);
      positive("refresh-ttl", refreshTtl);
      positive("session-ttl", sessionTtl);
      if (refreshIdleTtl != null && refreshIdleTtl.isNegative()) {
        throw new IllegalArgumentException("refresh-idle-ttl: must not be negative");
      }
      if (reuseDetection != null) {
        try {
          reuseDetection = ReuseDetection.parse(reuseDetection).configName();
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("reuse-detection: " + e.getMessage());
        }
      }
      if (accessTokenFormat != null) {
        accessTokenFormat = accessTokenFormat.trim().toLowerCase(Locale.ROOT);
        if (!accessTokenFormat.equals("jwt") && !accessTokenFormat.equals("opaque")) {
          throw new IllegalArgumentException("access-token-format: expected jwt or opaque, got '" + accessTokenFormat + "'");
        }
      }
    }

    /** Defaults: code 1m, access and ID 1h, refresh 8h (no idle limit), session 10h, rotation with revoke-family. */
    public static Tokens defaults() {
      return new Tokens(Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(8),
          Duration.ZERO, Duration.ofHours(10), true, "revoke-family", true, "jwt");
    }

    /** No overrides at all. */
    public static Tokens none() {
      return new Tokens(null, null, null, null, null, null, null, null, null);
    }

    /** These values with each non-null field of {@code o} taking precedence. */
    public Tokens overriddenBy(Tokens o) {
      if (o == null) {
        return this;
      }
      return new Tokens(
          o.codeTtl != null ? o.codeTtl : codeTtl,
          o.accessTtl != null ? o.accessTtl : accessTtl,
          o.idTtl != null ? o.idTtl : idTtl,
          o.refreshTtl != null ? o.refreshTtl : refreshTtl,
          o.refreshIdleTtl != null ? o.refreshIdleTtl : refreshIdleTtl,
          o.sessionTtl != null ? o.sessionTtl : sessionTtl,
          o.refreshRotation != null ? o.refreshRotation : refreshRotation,
          o.reuseDetection != null ? o.reuseDetection : reuseDetection,
          o.refreshReturnsIdToken != null ? o.refreshReturnsIdToken : refreshReturnsIdToken,
          o.accessTokenFormat != null ? o.accessTokenFormat : accessTokenFormat);
    }

    /** Whether access tokens are opaque handles (like oidc-provider's default) instead of RFC 9068 JWTs. */
    public boolean opaqueAccessTokens() {
      return "opaque".equals(accessTokenFormat);
    }

    /** The reuse-detection mode; only meaningful on resolved (non-null) values. */
    public ReuseDetection reuseMode() {
      return ReuseDetection.parse(reuseDetection);
    }

    private static void positive(String key, Duration d) {
      if (d != null && (d.isZero() || d.isNegative())) {
        throw new IllegalArgumentException(key + ": must be longer than 0");
      }
    }
  }

  /** RP-Initiated Logout settings. */
  public record Logout(String expiredHint) {
    public Logout {
      expiredHint = expiredHint == null ? "accept" : expiredHint;
      try {
        expiredHint = ExpiredHintPolicy.parse(expiredHint).configName();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("expired-hint: " + e.getMessage());
      }
    }

    public ExpiredHintPolicy expiredHintPolicy() {
      return ExpiredHintPolicy.parse(expiredHint);
    }
  }

  /**
   * Signing keys.
   *
   * @param rotationGrace how long a rotated-out public key stays in the JWKS (default 1h, the
   *     default access and ID token lifetime, so tokens signed just before a rotation still verify)
   */
  public record Keys(Duration rotationGrace) {
    public Keys {
      rotationGrace = rotationGrace == null ? Duration.ofHours(1) : rotationGrace;
      if (rotationGrace.isNegative()) {
        throw new IllegalArgumentException("rotation-grace: must not be negative");
      }
    }
  }

  /**
   * A registered client. Without {@code client-secret} it is public and must use PKCE.
   *
   * @param tokens per-client overrides of any {@code tokens.*} key
   * @param refreshReturnsIdToken shorthand for {@code tokens.refresh-returns-id-token}
   */
  public record Client(
      String clientId,
      String clientSecret,
      List<String> redirectUris,
      List<String> postLogoutRedirectUris,
      String backchannelLogoutUri,
      String frontchannelLogoutUri,
      Tokens tokens,
      Boolean refreshReturnsIdToken,
      String name,
      String tamper) {

    /** Without a tamper case (the shape before issue 6). */
    public Client(String clientId, String clientSecret, List<String> redirectUris, List<String> postLogoutRedirectUris,
        String backchannelLogoutUri, String frontchannelLogoutUri, Tokens tokens, Boolean refreshReturnsIdToken, String name) {
      this(clientId, clientSecret, redirectUris, postLogoutRedirectUris, backchannelLogoutUri, frontchannelLogoutUri, tokens,
          refreshReturnsIdToken, name, null);
    }

    public Client {
      if (clientId == null || clientId.isBlank()) {
        throw new IllegalArgumentException("client-id: required");
      }
      if (clientId.length() > 200 || clientId.chars().anyMatch(ch -> ch < 0x21 || ch > 0x7e)) {
        throw new IllegalArgumentException("client-id: printable ASCII without spaces, at most 200 characters");
      }
      if (clientSecret != null && clientSecret.isEmpty()) {
        throw new IllegalArgumentException("client-secret: empty; omit the key for a public client");
      }
      redirectUris = uris("redirect-uris", redirectUris);
      postLogoutRedirectUris = uris("post-logout-redirect-uris", postLogoutRedirectUris);
      if (backchannelLogoutUri != null) {
        requireHttpUri("backchannel-logout-uri", backchannelLogoutUri);
      }
      if (frontchannelLogoutUri != null) {
        requireHttpUri("frontchannel-logout-uri", frontchannelLogoutUri);
      }
      tokens = tokens == null ? Tokens.none() : tokens;
      if (tamper != null) {
        // Hostile mode: every response of this case's kind to this client is broken.
        tamper = dev.hourglass.op.tamper.TamperCase.parse(tamper).configName();
      }
    }

    /** This client with a tamper case (null: none). */
    public Client withTamper(String tamperCase) {
      return new Client(clientId, clientSecret, redirectUris, postLogoutRedirectUris, backchannelLogoutUri, frontchannelLogoutUri, tokens, refreshReturnsIdToken, name, tamperCase);
    }

    /** A confidential client with one redirect URI. */
    public static Client confidential(String clientId, String secret, String redirectUri) {
      return new Client(clientId, secret, List.of(redirectUri), List.of(), null, null, null, null, null);
    }

    /** A public client (PKCE required) with one redirect URI. */
    public static Client publicClient(String clientId, String redirectUri) {
      return new Client(clientId, null, List.of(redirectUri), List.of(), null, null, null, null, null);
    }

    public boolean isPublic() {
      return clientSecret == null;
    }

    public Client withPostLogoutRedirectUris(List<String> uris) {
      return new Client(clientId, clientSecret, redirectUris, uris, backchannelLogoutUri, frontchannelLogoutUri, tokens, refreshReturnsIdToken, name, tamper);
    }

    public Client withBackchannelLogoutUri(String uri) {
      return new Client(clientId, clientSecret, redirectUris, postLogoutRedirectUris, uri, frontchannelLogoutUri, tokens, refreshReturnsIdToken, name, tamper);
    }

    public Client withFrontchannelLogoutUri(String uri) {
      return new Client(clientId, clientSecret, redirectUris, postLogoutRedirectUris, backchannelLogoutUri, uri, tokens, refreshReturnsIdToken, name, tamper);
    }

    public Client withTokens(Tokens overrides) {
      return new Client(clientId, clientSecret, redirectUris, postLogoutRedirectUris, backchannelLogoutUri, frontchannelLogoutUri, overrides, refreshReturnsIdToken, name, tamper);
    }

    public Client withRefreshReturnsIdToken(Boolean value) {
      return new Client(clientId, clientSecret, redirectUris, postLogoutRedirectUris, backchannelLogoutUri, frontchannelLogoutUri, tokens, value, name, tamper);
    }

    /** This client's effective token settings on top of {@code global}. */
    public Tokens effectiveTokens(Tokens global) {
      Tokens t = global.overriddenBy(tokens);
      if (refreshReturnsIdToken != null) {
        t = t.overriddenBy(new Tokens(null, null, null, null, null, null, null, null, refreshReturnsIdToken));
      }
      return t;
    }
  }

  /** A user offered on the login page; missing {@code sub}, {@code name}, {@code email} get defaults. */
  public record User(String username, Map<String, Object> claims) {
    public User {
      if (username == null || username.isBlank()) {
        throw new IllegalArgumentException("username: required");
      }
      claims = claims == null ? Map.of() : Map.copyOf(claims);
      Object sub = claims.get("sub");
      if (sub != null && !(sub instanceof String)) {
        throw new IllegalArgumentException("claims.sub: must be a string");
      }
    }

    /** The claims a token carries: configured ones plus defaults for sub, name, email. */
    public Map<String, Object> effectiveClaims() {
      Map<String, Object> m = new LinkedHashMap<>(defaultClaims(username));
      m.putAll(claims);
      return m;
    }

    /** Claims of a user nobody configured: sub and name are the user name, email is name@example.test. */
    public static Map<String, Object> defaultClaims(String username) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("sub", username);
      m.put("name", username);
      m.put("preferred_username", username);
      m.put("email", username + "@example.test");
      m.put("email_verified", true);
      return m;
    }
  }

  // ---- loading -------------------------------------------------------------------------------

  /**
   * Reads {@code file} with {@code ${VAR}} substitution from {@code env}.
   *
   * @throws ConfigException naming the file, key and reason
   */
  public static OpConfig load(Path file, Map<String, String> env) {
    return new YamlConfig(EnvSubstitution.of(env)).read(file, OpConfig.class);
  }

  /** Parses YAML text (named {@code sourceName} in errors). */
  public static OpConfig parse(String sourceName, String yaml, Map<String, String> env) {
    return new YamlConfig(EnvSubstitution.of(env)).read(sourceName, yaml, OpConfig.class);
  }

  /** A client from YAML or JSON with the same keys as a {@code clients[]} entry. */
  public static Client parseClient(String sourceName, String yamlOrJson) {
    return new YamlConfig(EnvSubstitution.of(Map.of())).read(sourceName, yamlOrJson, Client.class);
  }

  /**
   * The demo: confidential client {@code gateway}/{@code gateway-secret} for a gateway on
   * 127.0.0.1:8080, public client {@code demo-spa} (PKCE) and users alice (admins), bob (users), carol.
   */
  public static OpConfig demo() {
    Client gateway = new Client("gateway", "gateway-secret",
        List.of("http://127.0.0.1:8080/oauth2/callback"),
        List.of("http://127.0.0.1:8080/"),
        "http://127.0.0.1:8080/oauth2/backchannel-logout", null, null, null, "Hourglass gateway");
    Client spa = new Client("demo-spa", null,
        List.of("http://127.0.0.1:5173/callback"), List.of("http://127.0.0.1:5173/"),
        null, null, null, null, "Demo single-page app (public, PKCE)");
    List<User> users = List.of(
        new User("alice", Map.of("sub", "alice", "name", "Alice Liddell", "given_name", "Alice",
            "email", "alice@example.test", "groups", List.of("admins"))),
        new User("bob", Map.of("sub", "bob", "name", "Bob Builder", "given_name", "Bob",
            "email", "bob@example.test", "groups", List.of("users"))),
        new User("carol", Map.of("sub", "carol", "name", "Carol Danvers", "email", "carol@example.test")));
    return new OpConfig(null, 9090, null, "virtual", true, "RS256", null, null, null, null, null,
        List.of(gateway, spa), users);
  }

  /** An OP with no clients and no users, for tests that register their own. */
  public static OpConfig empty() {
    return new OpConfig(null, 0, null, null, null, null, null, null, null, null, null, null, null);
  }

  /**
   * What a person starting {@code hourglass op} wants to see: issuer, clients (with their URIs) and
   * users, one per line. Secrets are shown: this is a development OP with demo credentials.
   */
  public String summary(String actualIssuer) {
    StringBuilder b = new StringBuilder();
    b.append("issuer   ").append(actualIssuer).append('\n');
    b.append("discovery ").append(actualIssuer).append("/.well-known/openid-configuration\n");
    b.append("tokens   access ").append(tokens.accessTtl()).append(", id ").append(tokens.idTtl())
        .append(", refresh ").append(tokens.refreshTtl()).append(", session ").append(tokens.sessionTtl())
        .append(", reuse-detection ").append(tokens.reuseDetection())
        .append(", refresh-returns-id-token ").append(tokens.refreshReturnsIdToken()).append('\n');
    b.append("logout   expired-hint ").append(logout.expiredHint()).append(", auto-login ").append(autoLogin).append('\n');
    for (Client c : clients) {
      b.append("client   ").append(c.clientId())
          .append(c.isPublic() ? " (public, PKCE)" : " / " + c.clientSecret())
          .append("  redirect ").append(String.join(" ", c.redirectUris()));
      if (!c.postLogoutRedirectUris().isEmpty()) {
        b.append("  post-logout ").append(String.join(" ", c.postLogoutRedirectUris()));
      }
      if (c.backchannelLogoutUri() != null) {
        b.append("  backchannel ").append(c.backchannelLogoutUri());
      }
      b.append('\n');
    }
    for (User u : users) {
      b.append("user     ").append(u.username()).append("  ").append(u.effectiveClaims()).append('\n');
    }
    return b.toString();
  }

  // ---- copies for command-line flags ------------------------------------------------------------

  public OpConfig withPort(int port) {
    return new OpConfig(issuer, port, host, clock, autoLogin, signingAlg, tokens, logout, keys, adminToken, adminLoopbackOnly, clients, users, tamper, eventLoops);
  }

  /** This config served on {@code n} event loops (one HTTP server per loop, sharing the port). */
  public OpConfig withEventLoops(int n) {
    return new OpConfig(issuer, port, host, clock, autoLogin, signingAlg, tokens, logout, keys, adminToken, adminLoopbackOnly, clients, users, tamper, n);
  }

  public OpConfig withIssuer(String issuer) {
    return new OpConfig(issuer, port, host, clock, autoLogin, signingAlg, tokens, logout, keys, adminToken, adminLoopbackOnly, clients, users, tamper, eventLoops);
  }

  public OpConfig withHost(String host) {
    return new OpConfig(issuer, port, host, clock, autoLogin, signingAlg, tokens, logout, keys, adminToken, adminLoopbackOnly, clients, users, tamper, eventLoops);
  }

  public OpConfig withClock(String clock) {
    return new OpConfig(issuer, port, host, clock, autoLogin, signingAlg, tokens, logout, keys, adminToken, adminLoopbackOnly, clients, users, tamper, eventLoops);
  }

  public OpConfig withAutoLogin(boolean autoLogin) {
    return new OpConfig(issuer, port, host, clock, autoLogin, signingAlg, tokens, logout, keys, adminToken, adminLoopbackOnly, clients, users, tamper, eventLoops);
  }

  public OpConfig withSigningAlg(String alg) {
    return new OpConfig(issuer, port, host, clock, autoLogin, alg, tokens, logout, keys, adminToken, adminLoopbackOnly, clients, users, tamper, eventLoops);
  }

  public OpConfig withAdminToken(String token) {
    return new OpConfig(issuer, port, host, clock, autoLogin, signingAlg, tokens, logout, keys, token, adminLoopbackOnly, clients, users, tamper, eventLoops);
  }

  public OpConfig withTokens(Tokens overrides) {
    return new OpConfig(issuer, port, host, clock, autoLogin, signingAlg, tokens.overriddenBy(overrides), logout, keys, adminToken, adminLoopbackOnly, clients, users, tamper, eventLoops);
  }

  public OpConfig withAccessTtl(Duration ttl) {
    return withTokens(new Tokens(null, ttl, null, null, null, null, null, null, null));
  }

  public OpConfig withIdTtl(Duration ttl) {
    return withTokens(new Tokens(null, null, ttl, null, null, null, null, null, null));
  }

  public OpConfig withRefreshTtl(Duration ttl) {
    return withTokens(new Tokens(null, null, null, ttl, null, null, null, null, null));
  }

  public OpConfig withSessionTtl(Duration ttl) {
    return withTokens(new Tokens(null, null, null, null, null, ttl, null, null, null));
  }

  public OpConfig withReuseDetection(ReuseDetection mode) {
    return withTokens(new Tokens(null, null, null, null, null, null, null, mode.configName(), null));
  }

  public OpConfig withRefreshRotation(boolean rotation) {
    return withTokens(new Tokens(null, null, null, null, null, null, rotation, null, null));
  }

  public OpConfig withRefreshReturnsIdToken(boolean value) {
    return withTokens(new Tokens(null, null, null, null, null, null, null, null, value));
  }

  public OpConfig withExpiredHint(ExpiredHintPolicy policy) {
    return new OpConfig(issuer, port, host, clock, autoLogin, signingAlg, tokens, new Logout(policy.configName()), keys, adminToken, adminLoopbackOnly, clients, users, tamper, eventLoops);
  }

  public OpConfig withKeyRotationGrace(Duration grace) {
    return new OpConfig(issuer, port, host, clock, autoLogin, signingAlg, tokens, logout, new Keys(grace), adminToken, adminLoopbackOnly, clients, users, tamper, eventLoops);
  }

  /** These clients, replacing any with the same id. */
  public OpConfig withClient(Client client) {
    List<Client> list = new ArrayList<>();
    for (Client c : clients) {
      if (!c.clientId().equals(client.clientId())) {
        list.add(c);
      }
    }
    list.add(client);
    return new OpConfig(issuer, port, host, clock, autoLogin, signingAlg, tokens, logout, keys, adminToken, adminLoopbackOnly, list, users, tamper, eventLoops);
  }

  public OpConfig withUser(User user) {
    List<User> list = new ArrayList<>();
    for (User u : users) {
      if (!u.username().equals(user.username())) {
        list.add(u);
      }
    }
    list.add(user);
    return new OpConfig(issuer, port, host, clock, autoLogin, signingAlg, tokens, logout, keys, adminToken, adminLoopbackOnly, clients, list, tamper, eventLoops);
  }

  public Optional<Client> client(String clientId) {
    return clients.stream().filter(c -> c.clientId().equals(clientId)).findFirst();
  }

  public Optional<User> user(String username) {
    return users.stream().filter(u -> u.username().equals(username)).findFirst();
  }

  // ---- validation helpers ---------------------------------------------------------------------

  static String requireAbsoluteUri(String key, String value) {
    try {
      URI u = new URI(value);
      if (!u.isAbsolute() || u.getHost() == null) {
        throw new IllegalArgumentException(key + ": '" + value + "' is not an absolute http(s) URL");
      }
      String scheme = u.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalArgumentException(key + ": '" + value + "' must be http or https");
      }
      return value;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(key + ": '" + value + "' is not a URL: " + e.getReason());
    }
  }

  private static void requireHttpUri(String key, String value) {
    requireAbsoluteUri(key, value);
  }

  private static List<String> uris(String key, List<String> values) {
    if (values == null) {
      return List.of();
    }
    for (int i = 0; i < values.size(); i++) {
      String v = values.get(i);
      if (v == null) {
        throw new IllegalArgumentException(key + "[" + i + "]: must not be empty");
      }
      try {
        URI u = new URI(v);
        if (!u.isAbsolute()) {
          throw new IllegalArgumentException(key + "[" + i + "]: '" + v + "' is not an absolute URI");
        }
        if (u.getFragment() != null) {
          throw new IllegalArgumentException(key + "[" + i + "]: '" + v + "' must not have a fragment");
        }
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(key + "[" + i + "]: '" + v + "' is not a URI: " + e.getReason());
      }
    }
    return List.copyOf(values);
  }

  private static String stripTrailingSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
