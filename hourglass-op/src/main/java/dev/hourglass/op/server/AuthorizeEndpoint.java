package dev.hourglass.op.server;

import dev.hourglass.op.OpConfig;
import dev.hourglass.op.tamper.TamperCase;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /authorize} (GET and POST, Core 3.1.2) and the login form behind it ({@code POST /login}).
 *
 * <p>A request whose client_id or redirect_uri cannot be trusted gets an error PAGE (Core
 * 3.1.2.6, RFC 6749 §4.1.2.1): redirecting it would make the OP an open redirector. Every later
 * error goes back to the client as a redirect carrying {@code error}, {@code state} and {@code iss}.
 */
final class AuthorizeEndpoint {
  private static final Duration LOGIN_FORM_TTL = Duration.ofMinutes(30);
  private static final Set<String> PROMPTS = Set.of("none", "login", "consent", "select_account");

  private final OpServer op;

  AuthorizeEndpoint(OpServer op) {
    this.op = op;
  }

  /** An error for the client, sent as a redirect to its (verified) redirect_uri. */
  private static final class RedirectError extends RuntimeException {
    final String error;

    RedirectError(String error, String description) {
      super(description, null, false, false);
      this.error = error;
    }
  }

  void handle(RoutingContext ctx) {
    Instant now = op.clock.instant();
    Params p = new Params(ctx.request().method() == HttpMethod.POST ? ctx.request().formAttributes() : ctx.queryParams());
    String clientId;
    String redirectUri;
    try {
      clientId = p.get("client_id");
      redirectUri = p.get("redirect_uri");
    } catch (OAuthException e) {
      Html.error(ctx, 400, "invalid_request", e.getMessage());
      return;
    }
    if (clientId == null) {
      Html.error(ctx, 400, "invalid_request", "The request has no client_id.");
      return;
    }
    Optional<OpConfig.Client> client = op.client(clientId);
    if (client.isEmpty()) {
      Html.error(ctx, 400, "invalid_client", "Unknown client_id '" + clientId + "'. Nothing was redirected.");
      return;
    }
    // Core 3.1.2.1: redirect_uri is required and must exactly match a registered one.
    if (redirectUri == null || !client.get().redirectUris().contains(redirectUri)) {
      Html.error(ctx, 400, "invalid_request", "redirect_uri '" + (redirectUri == null ? "" : redirectUri)
          + "' is not registered for client '" + clientId + "'. Registered: " + client.get().redirectUris()
          + ". Nothing was redirected.");
      return;
    }
    String state = null;
    try {
      state = p.get("state");
      // Hostile mode, per request: tamper=<case> arms one broken answer for this client.
      String tamper = p.get("tamper");
      if (tamper != null && op.config.tamper().perRequest()) {
        TamperCase c = TamperCase.find(tamper).orElseThrow(() -> new RedirectError("invalid_request",
            "unknown tamper case '" + tamper + "' (see GET /_hourglass/tamper)"));
        op.tampering.arm(c, clientId, 1, "authorize");
      }
      authorize(ctx, p, client.get(), redirectUri, state, now);
    } catch (RedirectError e) {
      redirectError(ctx, redirectUri, e.error, e.getMessage(), state, clientId);
    } catch (OAuthException e) {
      redirectError(ctx, redirectUri, e.error(), e.getMessage(), safeState(p), clientId);
    }
  }

  private static String safeState(Params p) {
    try {
      return p.get("state");
    } catch (OAuthException e) {
      return null;
    }
  }

  private void authorize(RoutingContext ctx, Params p, OpConfig.Client client, String redirectUri, String state, Instant now) {
    if (p.has("request") || p.has("request_uri")) {
      throw new RedirectError(p.has("request") ? "request_not_supported" : "request_uri_not_supported",
          "request objects are not supported");
    }
    String responseType = p.get("response_type");
    if (responseType == null) {
      throw new RedirectError("invalid_request", "missing response_type");
    }
    if (!responseType.equals("code")) {
      throw new RedirectError("unsupported_response_type", "only response_type=code is supported");
    }
    String responseMode = p.get("response_mode");
    if (responseMode != null && !responseMode.equals("query")) {
      throw new RedirectError("invalid_request", "only response_mode=query is supported");
    }
    String scope = p.get("scope");
    scope = scope == null ? "" : String.join(" ", OpServer.scopes(scope));
    // RFC 7636 §4.3 with S256 only (RFC 9700 §2.1.1): required for public clients.
    String challenge = p.get("code_challenge");
    String method = p.get("code_challenge_method");
    if (challenge == null && method != null) {
      throw new RedirectError("invalid_request", "code_challenge_method without code_challenge");
    }
    if (challenge != null) {
      if (method == null || !method.equals("S256")) {
        throw new RedirectError("invalid_request", "code_challenge_method must be S256");
      }
      if (!challenge.matches("[A-Za-z0-9_-]{43}")) {
        throw new RedirectError("invalid_request", "code_challenge must be the 43-character base64url SHA-256 of the verifier");
      }
    } else if (client.isPublic()) {
      throw new RedirectError("invalid_request", "PKCE (code_challenge with S256) is required for public clients");
    }
    String nonce = p.get("nonce");
    Set<String> prompt = OpServer.scopes(p.get("prompt"));
    for (String v : prompt) {
      if (!PROMPTS.contains(v)) {
        throw new RedirectError("invalid_request", "unknown prompt value '" + v + "'");
      }
    }
    if (prompt.contains("none") && prompt.size() > 1) {
      throw new RedirectError("invalid_request", "prompt=none cannot be combined with other values");
    }
    Long maxAge = null;
    String maxAgeRaw = p.get("max_age");
    if (maxAgeRaw != null) {
      try {
        maxAge = Long.parseLong(maxAgeRaw);
      } catch (NumberFormatException e) {
        maxAge = -1L;
      }
      if (maxAge < 0) {
        throw new RedirectError("invalid_request", "max_age must be a non-negative integer");
      }
    }
    String loginHint = p.get("login_hint");

    Optional<OpState.Session> session = op.cookieSession(ctx, now);
    boolean needLogin = session.isEmpty() || prompt.contains("login");
    // Core 3.1.2.1 max_age: re-authenticate when the last authentication is older.
    if (session.isPresent() && maxAge != null
        && Duration.between(session.get().authTime, now).getSeconds() > maxAge) {
      needLogin = true;
    }
    if (session.isPresent() && loginHint != null && !loginHint.equals(session.get().username)) {
      needLogin = true;
    }
    if (!needLogin) {
      issueCode(ctx, client, redirectUri, scope, state, nonce, challenge, session.get(), now, false);
      return;
    }
    if (prompt.contains("none")) {
      // Core 3.1.2.6: prompt=none and no usable session.
      throw new RedirectError("login_required", "no active login session at the OP");
    }
    if (op.settings.autoLogin() && loginHint != null && validUsername(loginHint) == null) {
      OpState.Session s = op.newSession(loginHint, client, now, "auto-login");
      issueCode(ctx, client, redirectUri, scope, state, nonce, challenge, s, now, true);
      return;
    }
    OpState.LoginTx tx = new OpState.LoginTx(OpServer.randomToken(24), client.clientId(), redirectUri, scope, state,
        nonce, challenge, loginHint, now.plus(LOGIN_FORM_TTL));
    op.state.logins.put(tx.id(), tx);
    loginPage(ctx, 200, tx, null);
  }

  private void issueCode(RoutingContext ctx, OpConfig.Client client, String redirectUri, String scope, String state,
      String nonce, String challenge, OpState.Session s, Instant now, boolean newSession) {
    if (op.tampering.take(TamperCase.Kind.AUTHORIZE, client.clientId(), "authorize").isPresent()) {
      if (newSession) {
        op.setSessionCookie(ctx, s);
      }
      redirectError(ctx, redirectUri, "access_denied",
          "<script>alert(document.cookie)</script><img src=x onerror=alert(1)> tampered \"error\" & 'description'",
          state, client.clientId());
      return;
    }
    String code = OpServer.randomToken(32);
    OpState.Code c = new OpState.Code(code, client.clientId(), redirectUri, scope, nonce, challenge, s.sid,
        now.plus(op.tokensFor(client).codeTtl()));
    op.state.codes.put(code, c);
    s.clients.add(client.clientId());
    if (newSession) {
      op.setSessionCookie(ctx, s);
    }
    op.events.record("code_issued", "client_id", client.clientId(), "sub", s.sub, "sid", s.sid);
    Map<String, String> q = new LinkedHashMap<>();
    q.put("code", code);
    q.put("state", state);
    q.put("iss", op.issuer()); // RFC 9207
    redirect(ctx, OpServer.appendQuery(redirectUri, q));
  }

  private void redirectError(RoutingContext ctx, String redirectUri, String error, String description, String state,
      String clientId) {
    op.events.record("authorize_error", "client_id", clientId, "error", error);
    Map<String, String> q = new LinkedHashMap<>();
    q.put("error", error);
    q.put("error_description", description);
    q.put("state", state);
    q.put("iss", op.issuer());
    redirect(ctx, OpServer.appendQuery(redirectUri, q));
  }

  private static void redirect(RoutingContext ctx, String location) {
    ctx.response().setStatusCode(302).putHeader("Location", location).putHeader("Cache-Control", "no-store").end();
  }

  /** {@code POST /login}: the login form's answer. */
  void login(RoutingContext ctx) {
    Instant now = op.clock.instant();
    Params p = new Params(ctx.request().formAttributes());
    String txId;
    String username;
    try {
      txId = p.get("tx");
      username = p.get("username");
    } catch (OAuthException e) {
      Html.error(ctx, 400, "invalid_request", e.getMessage());
      return;
    }
    OpState.LoginTx tx = txId == null ? null : op.state.logins.get(txId);
    if (tx == null || !now.isBefore(tx.expiresAt())) {
      Html.error(ctx, 400, "invalid_request", "This login form has expired or was already used. Start the login again at the application.");
      return;
    }
    String problem = validUsername(username);
    if (problem != null) {
      loginPage(ctx, 400, tx, problem);
      return;
    }
    if (op.state.logins.remove(txId) == null) {
      Html.error(ctx, 400, "invalid_request", "This login form was already used.");
      return;
    }
    OpConfig.Client client = op.client(tx.clientId()).orElse(null);
    if (client == null || !client.redirectUris().contains(tx.redirectUri())) {
      Html.error(ctx, 400, "invalid_client", "The client is no longer registered.");
      return;
    }
    OpState.Session s = op.newSession(username.trim(), client, now, "form");
    issueCode(ctx, client, tx.redirectUri(), tx.scope(), tx.state(), tx.nonce(), tx.codeChallenge(), s, now, true);
  }

  /** Null if usable as a user name, else why not. */
  static String validUsername(String name) {
    if (name == null || name.isBlank()) return "Enter a user name.";
    String n = name.trim();
    if (n.length() > 64) return "User names are at most 64 characters.";
    if (n.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) return "User names cannot contain control characters.";
    return null;
  }

  private void loginPage(RoutingContext ctx, int status, OpState.LoginTx tx, String problem) {
    StringBuilder b = new StringBuilder();
    OpConfig.Client client = op.client(tx.clientId()).orElse(null);
    b.append("<p>Sign in to <b>").append(Html.esc(client != null && client.name() != null ? client.name() : tx.clientId()))
        .append("</b> (client <code>").append(Html.esc(tx.clientId())).append("</code>). This is a development OP: no passwords.</p>");
    if (problem != null) {
      b.append("<p class=\"err\" id=\"error\">").append(Html.esc(problem)).append("</p>");
    }
    if (!op.config.users().isEmpty()) {
      b.append("<form method=\"post\" action=\"").append(Html.esc(op.url("/login"))).append("\" id=\"users\">")
          .append("<input type=\"hidden\" name=\"tx\" value=\"").append(Html.esc(tx.id())).append("\">");
      for (OpConfig.User u : op.config.users()) {
        Object name = u.effectiveClaims().get("name");
        b.append("<button type=\"submit\" name=\"username\" value=\"").append(Html.esc(u.username())).append("\">")
            .append(Html.esc(u.username())).append(name != null && !name.equals(u.username()) ? " (" + Html.esc(name) + ")" : "")
            .append("</button> ");
      }
      b.append("</form>");
    }
    b.append("<form method=\"post\" action=\"").append(Html.esc(op.url("/login"))).append("\" id=\"login\">")
        .append("<input type=\"hidden\" name=\"tx\" value=\"").append(Html.esc(tx.id())).append("\">")
        .append("<p><label>Any user name: <input name=\"username\" autofocus value=\"")
        .append(Html.esc(tx.loginHint())).append("\"></label> <button type=\"submit\">Sign in</button></p></form>")
        .append("<p class=\"muted\">An unknown name signs in with sub=name and email name@example.test.</p>");
    Html.send(ctx, status, "Sign in", b.toString());
  }
}
