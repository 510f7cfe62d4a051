package dev.hourglass.gateway.login;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.Nonce;
import dev.hourglass.core.jose.IdTokenRejectedException;
import dev.hourglass.core.model.TokenSet;
import dev.hourglass.gateway.GatewayServices;
import dev.hourglass.gateway.http.Pages;
import dev.hourglass.gateway.oidc.OAuthError;
import dev.hourglass.gateway.oidc.TokenResponse;
import dev.hourglass.gateway.session.CookieHeader;
import dev.hourglass.gateway.session.LoginTransaction;
import dev.hourglass.gateway.session.Session;
import dev.hourglass.gateway.session.SessionIds;
import dev.hourglass.gateway.session.TransactionCookie;
import dev.hourglass.gateway.token.Tokens;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The login: {@code /oauth2/start} (and protected paths) send the browser to the OP with a fresh
 * one-time transaction; {@code /oauth2/callback} checks that transaction and the state BEFORE any
 * call to the OP, then exchanges the code (PKCE), validates the ID token, fetches userinfo, and
 * creates a new session (a new id at every login: no fixation).
 */
public final class LoginFlow {
  private static final Set<String> PROMPTS = Set.of("none", "login", "consent", "select_account");

  private final GatewayServices g;

  public LoginFlow(GatewayServices services) {
    this.g = services;
  }

  /** {@code GET /oauth2/start?rd=&login_hint=&prompt=}. */
  public void start(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String loginHint = single(req, "login_hint");
    String prompt = single(req, "prompt");
    if (loginHint != null && (loginHint.length() > 256 || !loginHint.matches("[^\\x00-\\x1f\\x7f]*"))) {
      g.events().record("LOGIN_REFUSED:login_hint");
      Pages.html(ctx, 400, "Bad login request", "login_hint must be at most 256 printable characters.");
      return;
    }
    if (prompt != null && !java.util.Arrays.stream(prompt.split(" ")).allMatch(PROMPTS::contains)) {
      g.events().record("LOGIN_REFUSED:prompt");
      Pages.html(ctx, 400, "Bad login request", "prompt must be none, login, consent or select_account.");
      return;
    }
    String rd = single(req, "rd");
    redirectToOp(ctx, rd == null ? "/" : rd, loginHint, prompt, "start");
  }

  /**
   * Sends the browser to the OP. {@code rd} is untrusted: only a same-origin path survives
   * (anything else becomes {@code /}, with a {@code REDIRECT_REFUSED:<why>} event).
   */
  public void redirectToOp(RoutingContext ctx, String rd, String loginHint, String prompt, String via) {
    if (!g.provider().ready()) {
      Pages.html(ctx, 503, "Not ready", "The gateway has not yet loaded the identity provider's configuration. Try again in a moment.");
      return;
    }
    Instant now = g.clock().instant();
    String returnTo = safeReturnTo(rd);
    LoginTransaction tx = LoginTransaction.start(g.provider().issuer(), returnTo, now);
    URI url = g.provider().authorizationUrl(new State(tx.state()), new Nonce(tx.nonce()),
        new CodeVerifier(tx.codeVerifier()), loginHint, prompt);
    g.events().record("LOGIN_STARTED", "via", via, "return_to", returnTo,
        "login_hint", loginHint == null ? null : "present", "prompt", prompt);
    // add, not put: a Set-Cookie clearing a dead session may already be on this response.
    ctx.response().headers().add("Set-Cookie", g.transactionCookie().setCookie(tx));
    ctx.response()
        .setStatusCode(302)
        .putHeader("Location", url.toString())
        .putHeader("Cache-Control", "no-store")
        .end();
  }

  /** The validated return target: a same-origin path, or {@code /}. */
  public String safeReturnTo(String rd) {
    var verdict = g.redirects().check(rd);
    if (verdict.accepted()) {
      return verdict.target().get();
    }
    g.events().record(verdict.reason(), "fallback", "/");
    return "/";
  }

  /** {@code GET /oauth2/callback}. */
  public void callback(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    Instant now = g.clock().instant();
    if (!g.provider().ready()) {
      Pages.html(ctx, 503, "Not ready", "The gateway has not yet loaded the identity provider's configuration. Try again in a moment.");
      return;
    }
    String state = single(req, "state");
    if (state == null || state.isEmpty()) {
      g.events().record("STATE_MISSING");
      Pages.html(ctx, 400, "Login failed", "The login response carries no state. Start the login again.");
      return;
    }
    // Always clear this state's transaction cookie: it is single use whatever happens next.
    ctx.response().headers().add("Set-Cookie", g.transactionCookie().clearCookie(state));
    // The transaction and state are checked BEFORE any call to the OP (no token call on a bad state).
    TransactionCookie.Outcome outcome = g.transactionCookie().consume(req, state);
    if (!outcome.ok()) {
      String type = switch (outcome.reason()) {
        case "TX_MISSING" -> anyTransactionCookie(req) ? "STATE_MISMATCH" : "STATE_MISSING";
        case "TX_STATE_MISMATCH", "TX_STATE_INVALID" -> "STATE_MISMATCH";
        case "TX_EXPIRED" -> "TX_EXPIRED";
        case "TX_REPLAYED" -> "STATE_REPLAYED";
        default -> outcome.reason();
      };
      g.events().record(type, "detail", outcome.reason());
      Pages.html(ctx, 400, "Login failed", switch (type) {
        case "TX_EXPIRED" -> "The login took too long. Start it again.";
        case "STATE_REPLAYED" -> "This login response was already used. Start the login again.";
        default -> "The login response does not belong to a login started in this browser. Start the login again.";
      });
      return;
    }
    LoginTransaction tx = outcome.transaction().get();
    // RFC 9207: when the OP advertises iss in authorization responses it must be there and be the issuer.
    String iss = single(req, "iss");
    boolean advertised = g.provider().metadata().issParameterSupported();
    if ((advertised && iss == null) || (iss != null && !iss.equals(tx.issuer()))) {
      g.events().record("ISS_MISMATCH", "detail", iss == null ? "missing" : "different issuer");
      Pages.html(ctx, 400, "Login failed", "The login response did not come from the expected identity provider.");
      return;
    }
    String error = single(req, "error");
    if (error != null) {
      String description = single(req, "error_description");
      String code = error.matches("[a-z_]{1,64}") ? error : "other";
      g.events().record("OP_ERROR:" + code);
      Pages.htmlRaw(ctx, 401, Pages.pageHtml("Login failed",
          "<p>The identity provider refused the login.</p><p><code>" + Pages.escape(error) + "</code>"
              + (description == null ? "" : ": " + Pages.escape(description)) + "</p><p><a href=\"/oauth2/start?rd="
              + Pages.escape(java.net.URLEncoder.encode(tx.returnTo(), java.nio.charset.StandardCharsets.UTF_8))
              + "\">Try again</a></p>"));
      return;
    }
    String code = single(req, "code");
    if (code == null || code.isEmpty() || code.length() > 4096) {
      g.events().record("CODE_MISSING");
      Pages.html(ctx, 400, "Login failed", "The login response carries no authorization code.");
      return;
    }
    Optional<String> previousId = g.sessionCookie().sessionId(req);
    g.provider().exchangeCode(code, new CodeVerifier(tx.codeVerifier()))
        .compose(resp -> g.provider().verifier().verify(resp.idToken(), new Nonce(tx.nonce()))
            .compose(v -> userinfo(resp, v.claims()).map(ui -> new Verified(resp, v.claims(), ui))))
        .compose(verified -> {
          TokenResponse resp = verified.response();
          JWTClaimsSet claims = verified.idTokenClaims();
          Map<String, Object> ui = verified.userinfo();
          TokenSet tokens = Tokens.from(resp, claims, null, now);
          // Session fixation: always a brand-new id; an old session of this browser ends.
          String id = SessionIds.newId();
          Object sid = claims.getClaim("sid");
          Session s = new Session(id, now, now, claims.getSubject(), sid instanceof String str ? str : null,
              g.provider().issuer(), tokens, claims.toJSONObject(), ui, 0);
          Future<Boolean> dropOld = previousId.map(old -> g.store().delete(old)).orElse(Future.succeededFuture(false));
          return dropOld.compose(x -> g.updates().create(s)).map(v -> s);
        })
        .onSuccess(s -> {
          g.events().record("LOGIN_OK", "session", g.hash(s.id()), "sub", s.subject(),
              "return_to", tx.returnTo(), "replaced_session", previousId.isPresent());
          ctx.response()
              .setStatusCode(302)
              .putHeader("Location", tx.returnTo())
              .putHeader("Cache-Control", "no-store");
          ctx.response().headers().add("Set-Cookie",
              g.sessionCookie().setCookie(s.id(), g.config().session().maxLifetime().isZero() ? null : g.config().session().maxLifetime()));
          ctx.response().end();
        })
        .onFailure(err -> fail(ctx, err));
  }

  /** A code exchange whose ID token and userinfo passed every check. */
  private record Verified(TokenResponse response, JWTClaimsSet idTokenClaims, Map<String, Object> userinfo) {}

  private Future<Map<String, Object>> userinfo(TokenResponse resp, JWTClaimsSet claims) {
    return g.provider().userinfo(resp.accessToken()).compose(opt -> {
      if (opt.isEmpty()) {
        return Future.succeededFuture(Map.<String, Object>of());
      }
      JsonObject ui = opt.get();
      // Core 5.3.2: the userinfo sub must be exactly the ID token's sub.
      if (!claims.getSubject().equals(ui.getValue("sub"))) {
        return Future.failedFuture(new SubMismatch());
      }
      return Future.succeededFuture(ui.getMap());
    });
  }

  private static final class SubMismatch extends RuntimeException {
    SubMismatch() {
      super("userinfo sub differs from the ID token's", null, false, false);
    }
  }

  private void fail(RoutingContext ctx, Throwable err) {
    if (err instanceof IdTokenRejectedException r) {
      g.events().record(r.eventType(), "detail", r.getMessage());
      Pages.html(ctx, 401, "Login failed", "The identity provider's ID token was refused (" + r.reason() + "). No session was created.");
    } else if (err instanceof SubMismatch) {
      g.events().record("USERINFO_SUB_MISMATCH");
      Pages.html(ctx, 401, "Login failed", "The identity provider's userinfo is about another user. No session was created.");
    } else if (err instanceof OAuthError oe) {
      boolean down = oe.opUnavailable();
      g.events().record((down ? "TOKEN_EXCHANGE_FAILED:" : "TOKEN_ERROR:") + oe.error(), "status", oe.status());
      Pages.html(ctx, down ? 502 : 401, "Login failed", down
          ? "The identity provider cannot be reached. Try again in a moment."
          : "The identity provider refused to issue tokens (" + oe.error() + "). Start the login again.");
    } else {
      g.events().record("LOGIN_FAILED:internal", "detail", err.getClass().getSimpleName());
      Pages.html(ctx, 502, "Login failed", "The login could not be completed. Start it again.");
    }
  }

  private static boolean anyTransactionCookie(HttpServerRequest req) {
    for (String h : req.headers().getAll("Cookie")) {
      if (h.length() < CookieHeader.MAX_SCANNED_CHARS && h.contains(TransactionCookie.PREFIX)) return true;
    }
    return false;
  }

  /** A query parameter sent exactly once, else null (duplicates are ambiguous and ignored). */
  static String single(HttpServerRequest req, String name) {
    var all = req.params().getAll(name);
    return all.size() == 1 ? all.get(0) : null;
  }
}
