package dev.hourglass.gateway;

import dev.hourglass.core.config.ConfigException;
import dev.hourglass.core.config.EnvSubstitution;
import dev.hourglass.core.config.YamlConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The gateway's configuration ({@code gateway.yaml}). Key names are a contract (issue 3); see
 * {@code docs/gateway.md} for every key, its default and its meaning. Records validate themselves;
 * a problem becomes a {@link ConfigException} naming file, key and reason.
 */
public record GatewayConfig(
    String listen,
    String publicUrl,
    String upstream,
    Provider provider,
    SessionSettings session,
    Logout logout,
    Identity identity,
    Duration clockSkew,
    String clock,
    List<Rule> rules,
    List<String> trustedProxies,
    Redirect redirect,
    Duration upstreamTimeout) {

  public static final Duration DEFAULT_SKEW = Duration.ofSeconds(60);

  public GatewayConfig {
    listen = listen == null ? "127.0.0.1:8080" : listen.trim();
    parseListen(listen);
    if (publicUrl == null || publicUrl.isBlank()) {
      throw new IllegalArgumentException("public-url: is required (the URL browsers use to reach the gateway)");
    }
    publicUrl = stripSlash(publicUrl.trim());
    httpUrl("public-url", publicUrl);
    if (URI.create(publicUrl).getRawPath() != null && !URI.create(publicUrl).getRawPath().isEmpty()) {
      throw new IllegalArgumentException("public-url: must be an origin without a path, like https://app.example.com");
    }
    if (upstream == null || upstream.isBlank()) {
      throw new IllegalArgumentException("upstream: is required (the application to protect, like http://127.0.0.1:9000)");
    }
    upstream = stripSlash(upstream.trim());
    httpUrl("upstream", upstream);
    if (provider == null) {
      throw new IllegalArgumentException("provider.issuer: is required");
    }
    if (session == null) {
      throw new IllegalArgumentException("session.secret: is required (any string of at least 32 characters)");
    }
    logout = logout == null ? new Logout(null, null, null) : logout;
    identity = identity == null ? new Identity(null, null, null, null, null, null) : identity;
    clockSkew = clockSkew == null ? DEFAULT_SKEW : clockSkew;
    if (clockSkew.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("clock-skew: must be at most 10m");
    }
    clock = clock == null ? "system" : clock.trim().toLowerCase(Locale.ROOT);
    if (!Set.of("system", "virtual").contains(clock)) {
      throw new IllegalArgumentException("clock: expected system or virtual");
    }
    rules = rules == null ? List.of() : List.copyOf(rules);
    trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
    for (String p : trustedProxies) {
      if (!p.matches("[0-9a-fA-F:.]+(/\\d{1,3})?")) {
        throw new IllegalArgumentException("trusted-proxies: '" + p + "' is not an IP address or CIDR range");
      }
    }
    redirect = redirect == null ? new Redirect(null) : redirect;
    upstreamTimeout = upstreamTimeout == null ? Duration.ofSeconds(60) : upstreamTimeout;
    if (upstreamTimeout.isZero() || upstreamTimeout.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("upstream-timeout: must be between 1ms and 1h");
    }
    if (!session.idleTimeout().isZero() && !session.maxLifetime().isZero()
        && session.idleTimeout().compareTo(session.maxLifetime()) > 0) {
      throw new IllegalArgumentException("session.idle-timeout: must not be longer than session.max-lifetime");
    }
  }

  /** The OpenID Provider and this gateway's client registration. */
  public record Provider(
      String issuer,
      String clientId,
      String clientSecret,
      List<String> scopes,
      List<String> alg,
      String clientAuth,
      Boolean userinfo,
      Duration jwksRefetchCooldown) {
    public Provider {
      if (issuer == null || issuer.isBlank()) {
        throw new IllegalArgumentException("issuer: is required (the OP's issuer URL; discovery must return it exactly)");
      }
      httpUrl("issuer", issuer);
      if (clientId == null || clientId.isBlank()) {
        throw new IllegalArgumentException("client-id: is required");
      }
      scopes = scopes == null ? List.of("openid", "profile", "email", "offline_access") : List.copyOf(scopes);
      if (!scopes.contains("openid")) {
        throw new IllegalArgumentException("scopes: must contain openid");
      }
      for (String s : scopes) {
        if (!s.matches("[\\x21\\x23-\\x5b\\x5d-\\x7e]+")) {
          throw new IllegalArgumentException("scopes: '" + s + "' is not a valid scope token");
        }
      }
      alg = alg == null ? List.of("RS256") : List.copyOf(alg);
      if (alg.isEmpty()) {
        throw new IllegalArgumentException("alg: pin at least one algorithm, like [RS256]");
      }
      for (String a : alg) {
        if (!a.matches("(RS|PS|ES)(256|384|512)|ES256K")) {
          throw new IllegalArgumentException("alg: '" + a + "' is not allowed; use RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384 or ES512 (never none or HS*)");
        }
      }
      clientAuth = clientAuth == null ? "client_secret_basic" : clientAuth;
      if (!Set.of("client_secret_basic", "client_secret_post", "none").contains(clientAuth)) {
        throw new IllegalArgumentException("client-auth: expected client_secret_basic, client_secret_post or none");
      }
      if (!"none".equals(clientAuth) && (clientSecret == null || clientSecret.isEmpty())) {
        throw new IllegalArgumentException("client-secret: is required with client-auth " + clientAuth);
      }
      userinfo = userinfo == null ? Boolean.TRUE : userinfo;
      jwksRefetchCooldown = jwksRefetchCooldown == null ? Duration.ofSeconds(30) : jwksRefetchCooldown;
    }

    @Override
    public String toString() {
      return "Provider[issuer=" + issuer + ", clientId=" + clientId + ", clientSecret=***]";
    }
  }

  /** Where sessions live and how long they last. */
  public record SessionSettings(
      String store,
      String secret,
      String fileDir,
      String cookieName,
      Duration idleTimeout,
      Duration maxLifetime,
      Duration refreshBeforeExpiry,
      Boolean exposeTokens) {
    public SessionSettings {
      store = store == null ? "memory" : store.trim().toLowerCase(Locale.ROOT);
      if (store.equals("redis")) {
        throw new IllegalArgumentException("store: redis comes later; use memory or file");
      }
      if (!Set.of("memory", "file").contains(store)) {
        throw new IllegalArgumentException("store: expected memory or file");
      }
      if (secret == null || secret.length() < 32) {
        throw new IllegalArgumentException("secret: must be at least 32 characters (keys are derived from it)");
      }
      if (store.equals("file") && (fileDir == null || fileDir.isBlank())) {
        fileDir = "./hourglass-sessions";
      }
      cookieName = cookieName == null ? "_hourglass_session" : cookieName;
      if (!cookieName.matches("[A-Za-z0-9_.-]{1,64}")) {
        throw new IllegalArgumentException("cookie-name: use letters, digits, '_', '-' or '.' (at most 64)");
      }
      idleTimeout = idleTimeout == null ? Duration.ofMinutes(30) : idleTimeout;
      maxLifetime = maxLifetime == null ? Duration.ofHours(8) : maxLifetime;
      refreshBeforeExpiry = refreshBeforeExpiry == null ? Duration.ofSeconds(60) : refreshBeforeExpiry;
      if (refreshBeforeExpiry.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("refresh-before-expiry: must be at most 1h");
      }
      if (maxLifetime.compareTo(Duration.ofDays(400)) > 0) {
        throw new IllegalArgumentException("max-lifetime: must be at most 400d");
      }
      exposeTokens = exposeTokens == null ? Boolean.FALSE : exposeTokens;
    }

    @Override
    public String toString() {
      return "SessionSettings[store=" + store + ", secret=***, idleTimeout=" + idleTimeout + ", maxLifetime=" + maxLifetime + "]";
    }
  }

  /** Logout settings (the logout issue uses them; reserved here). */
  public record Logout(String postLogoutRedirect, String expiredHint, Boolean revokeTokens) {
    public Logout {
      postLogoutRedirect = postLogoutRedirect == null ? "/" : postLogoutRedirect;
      if (!postLogoutRedirect.startsWith("/") || postLogoutRedirect.startsWith("//") || postLogoutRedirect.contains("\\")) {
        throw new IllegalArgumentException("post-logout-redirect: must be a same-origin path starting with /");
      }
      expiredHint = expiredHint == null ? "send" : expiredHint;
      if (!Set.of("send", "omit").contains(expiredHint)) {
        throw new IllegalArgumentException("expired-hint: expected send or omit");
      }
      revokeTokens = revokeTokens == null ? Boolean.FALSE : revokeTokens;
    }
  }

  /** What the upstream learns about the user. */
  public record Identity(
      String userClaim,
      Map<String, String> headers,
      Boolean passAccessToken,
      Boolean passIdToken,
      String idTokenHeader,
      Boolean setXauthrequest) {
    public Identity {
      userClaim = userClaim == null ? "sub" : userClaim;
      headers = headers == null ? Map.of() : Map.copyOf(headers);
      for (String h : headers.keySet()) {
        if (!h.matches("[A-Za-z0-9-]{1,64}")) {
          throw new IllegalArgumentException("headers: '" + h + "' is not a valid header name");
        }
      }
      passAccessToken = passAccessToken == null ? Boolean.FALSE : passAccessToken;
      passIdToken = passIdToken == null ? Boolean.FALSE : passIdToken;
      idTokenHeader = idTokenHeader == null ? "X-Forwarded-Id-Token" : idTokenHeader;
      if (!idTokenHeader.matches("[A-Za-z0-9-]{1,64}")) {
        throw new IllegalArgumentException("id-token-header: not a valid header name");
      }
      setXauthrequest = setXauthrequest == null ? Boolean.FALSE : setXauthrequest;
    }
  }

  /**
   * One per-path rule; the first rule whose {@code path} matches wins. {@code path} is a prefix
   * ({@code /api/}) or a glob ({@code /static/*.css}, {@code /admin/**}).
   */
  public record Rule(String path, Boolean isPublic, Boolean api, List<Requirement> require, Boolean serveOnOpOutage) {
    @com.fasterxml.jackson.annotation.JsonCreator
    public Rule(
        @com.fasterxml.jackson.annotation.JsonProperty("path") String path,
        @com.fasterxml.jackson.annotation.JsonProperty("public") Boolean isPublic,
        @com.fasterxml.jackson.annotation.JsonProperty("api") Boolean api,
        @com.fasterxml.jackson.annotation.JsonProperty("require") List<Requirement> require,
        @com.fasterxml.jackson.annotation.JsonProperty("serve-on-op-outage") Boolean serveOnOpOutage) {
      if (path == null || !path.startsWith("/")) {
        throw new IllegalArgumentException("path: is required and must start with /");
      }
      this.path = path;
      this.isPublic = isPublic == null ? Boolean.FALSE : isPublic;
      this.api = api == null ? Boolean.FALSE : api;
      this.require = require == null ? List.of() : List.copyOf(require);
      this.serveOnOpOutage = serveOnOpOutage == null ? Boolean.TRUE : serveOnOpOutage;
    }
  }

  /**
   * A claim requirement: {@code claim} is a dotted path into the ID token + userinfo claims
   * ({@code realm_access.roles}); exactly one of {@code equals}, {@code one-of}, {@code regex},
   * {@code contains} (for list claims such as groups).
   */
  public record Requirement(String claim, String equals, List<String> oneOf, String regex, String contains) {
    public Requirement {
      if (claim == null || claim.isBlank()) {
        throw new IllegalArgumentException("claim: is required");
      }
      int n = (equals == null ? 0 : 1) + (oneOf == null ? 0 : 1) + (regex == null ? 0 : 1) + (contains == null ? 0 : 1);
      if (n != 1) {
        throw new IllegalArgumentException("claim: give exactly one of equals, one-of, regex, contains");
      }
      if (regex != null) {
        try {
          Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
          throw new IllegalArgumentException("regex: not a valid regular expression: " + e.getDescription());
        }
      }
      oneOf = oneOf == null ? null : List.copyOf(oneOf);
    }
  }

  /** Absolute redirect targets allowed besides the gateway's own origin. */
  public record Redirect(List<String> allowedOrigins) {
    public Redirect {
      allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
      for (String o : allowedOrigins) {
        httpUrl("allowed-origins", o);
      }
    }
  }

  /** Reads and validates {@code file} with {@code ${VAR}} substitution from {@code env}. */
  public static GatewayConfig load(Path file, Map<String, String> env) {
    return new YamlConfig(EnvSubstitution.of(env)).read(file, GatewayConfig.class);
  }

  /** Reads YAML text (named {@code sourceName} in errors). */
  public static GatewayConfig parse(String sourceName, String yaml, Map<String, String> env) {
    return new YamlConfig(EnvSubstitution.of(env)).read(sourceName, yaml, GatewayConfig.class);
  }

  public String listenHost() {
    return parseListen(listen)[0];
  }

  public int listenPort() {
    return Integer.parseInt(parseListen(listen)[1]);
  }

  /** {@code <public-url>/oauth2/callback}. */
  public String redirectUri() {
    return publicUrl + "/oauth2/callback";
  }

  public boolean virtualClock() {
    return "virtual".equals(clock);
  }

  private static String[] parseListen(String listen) {
    int colon = listen.lastIndexOf(':');
    if (colon <= 0 || colon == listen.length() - 1) {
      throw new IllegalArgumentException("listen: expected host:port, like 127.0.0.1:8080");
    }
    String host = listen.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    String port = listen.substring(colon + 1);
    try {
      int p = Integer.parseInt(port);
      if (p < 0 || p > 65535) throw new NumberFormatException();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("listen: port must be a number from 0 to 65535");
    }
    return new String[] {host, port};
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  static URI httpUrl(String key, String value) {
    try {
      URI u = new URI(value);
      if (u.getScheme() == null || !Set.of("http", "https").contains(u.getScheme().toLowerCase(Locale.ROOT))
          || u.getHost() == null || u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
        throw new IllegalArgumentException(key + ": '" + value + "' must be an http(s) URL with a host, no user info, query or fragment");
      }
      return u;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(key + ": '" + value + "' is not a URL: " + e.getReason());
    }
  }
}
