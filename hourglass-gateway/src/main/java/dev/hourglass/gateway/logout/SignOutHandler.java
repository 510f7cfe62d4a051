package dev.hourglass.gateway.logout;

import dev.hourglass.gateway.GatewayServices;
import dev.hourglass.gateway.crypto.CsrfTokens;
import dev.hourglass.gateway.http.Pages;
import dev.hourglass.gateway.oidc.OAuthError;
import dev.hourglass.gateway.session.Session;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET|POST /oauth2/sign_out?rd=<path>}: RP-initiated logout.
 *
 * <p>Who may log a session out: a request from the gateway's own pages ({@link RequestOrigin}),
 * or a POST carrying this session's CSRF token (the confirmation page's form). Anything else —
 * a link or auto-submitting form on another site — gets the confirmation page and logs nobody
 * out. A POST whose CSRF token is present but wrong is refused outright (403).
 *
 * <p>Then, in this order: the local session is destroyed (store delete + cookie cleared) whatever
 * happens next; the end-session request is built ({@link EndSessionRequestBuilder}, which may
 * refresh first); the browser is redirected to the OP; only after the response has been sent, and
 * only with {@code logout.revoke-tokens: true}, the refresh token is revoked (RFC 7009) — revoking
 * first ends the OP session on some OPs (Keycloak) and the logout request then fails.
 *
 * <p>{@code rd} is validated like the login target (same-origin paths, else
 * {@code logout.post-logout-redirect}). It is where the browser goes when there is no OP round
 * trip (no session, or no end_session_endpoint). With a round trip the OP sends the browser back to
 * {@code post_logout_redirect_uri}, which must exactly match a registered URI, so it is always
 * {@code logout.post-logout-redirect} made absolute.
 */
public final class SignOutHandler {
  static final int MAX_FORM_BYTES = 8 * 1024;

  private final GatewayServices g;
  private final CsrfTokens csrf;
  private final LogoutPlanner planner;
  private final EndSessionRequestBuilder builder;
  private final RequestOrigin origin;

  public SignOutHandler(GatewayServices services, CsrfTokens csrf, LogoutPlanner planner, EndSessionRequestBuilder builder) {
    this.g = services;
    this.csrf = csrf;
    this.planner = planner;
    this.builder = builder;
    this.origin = new RequestOrigin(services.config().publicUrl());
  }

  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    Instant now = g.clock().instant();
    boolean post = req.method() == HttpMethod.POST;
    // Read synchronously: a malformed query throws here, into the router's 400 failure handler.
    List<String> queryRd = req.params().getAll("rd");
    Future<Map<String, List<String>>> form = post ? FormBody.read(req, MAX_FORM_BYTES) : Future.succeededFuture(Map.of());
    form.onComplete(ar -> {
      if (ar.failed()) {
        String why = ar.cause() instanceof FormBody.Refused r ? r.reason : "malformed";
        g.events().record("LOGOUT_BAD_REQUEST:" + why);
        Pages.html(ctx, 400, "Bad sign-out request", ar.cause().getMessage());
        return;
      }
      Map<String, List<String>> body = ar.result();
      String rd = single(body.get("rd"));
      if (rd == null) {
        rd = single(queryRd);
      }
      boolean csrfPresent = post && body.containsKey("csrf");
      decide(ctx, target(rd), csrfPresent, csrfPresent ? single(body.get("csrf")) : null, now);
    });
  }

  /** The validated place to go when there is no OP round trip. */
  private String target(String rd) {
    String fallback = planner.settings().postLogoutRedirect();
    if (rd == null || rd.isEmpty()) {
      return fallback;
    }
    var verdict = g.redirects().check(rd);
    if (verdict.accepted()) {
      return verdict.target().get();
    }
    g.events().record(verdict.reason(), "fallback", fallback, "via", "sign_out");
    return fallback;
  }

  private void decide(RoutingContext ctx, String target, boolean csrfPresent, String csrfToken, Instant now) {
    HttpServerRequest req = ctx.request();
    Optional<String> id = g.sessionCookie().sessionId(req);
    if (id.isEmpty()) {
      g.events().record(LogoutEvents.LOGOUT_NO_SESSION, "reason", "no_cookie", "return_to", target);
      redirect(ctx, target);
      return;
    }
    String hash = g.hash(id.get());
    // The latest record, serialised after any update in progress (a refresh may just have rotated tokens).
    g.updates().update(id.get(), cur -> null).onComplete(lr -> {
      if (lr.failed() || lr.result().isEmpty()) {
        ctx.response().headers().add("Set-Cookie", g.sessionCookie().clearCookie());
        if (lr.failed()) {
          g.store().delete(id.get());
        }
        g.events().record(LogoutEvents.LOGOUT_NO_SESSION, "session", hash,
            "reason", lr.failed() ? "store_error" : "session_not_found", "return_to", target);
        redirect(ctx, target);
        return;
      }
      Session s = lr.result().get();
      String via;
      if (csrfPresent) {
        if (!csrf.verify(id.get(), csrfToken)) {
          g.events().record(LogoutEvents.LOGOUT_CSRF_REJECTED, "session", hash);
          Pages.html(ctx, 403, "Sign-out refused",
              "This sign-out form does not belong to your session (CSRF check). You are still signed in.");
          return;
        }
        via = "csrf_token";
      } else {
        RequestOrigin.Verdict v = origin.check(req);
        if (!v.sameOrigin()) {
          g.events().record(LogoutEvents.LOGOUT_CONFIRM_REQUIRED + ":" + v.why(), "session", hash);
          confirmationPage(ctx, id.get(), target);
          return;
        }
        via = v.why();
      }
      logout(ctx, id.get(), s, target, via, now);
    });
  }

  private void logout(RoutingContext ctx, String id, Session s, String target, String via, Instant now) {
    String hash = g.hash(id);
    // 1. The local session ends first, whatever the OP does later.
    g.store().delete(id).onComplete(dr -> {
      ctx.response().headers().add("Set-Cookie", g.sessionCookie().clearCookie());
      g.events().record(LogoutEvents.LOGOUT_LOCAL, "session", hash, "sub", s.subject(), "via", via,
          "store", dr.succeeded() ? "deleted" : "delete_failed");
      Optional<String> endpoint = planner.endSessionEndpoint();
      if (endpoint.isEmpty()) {
        g.events().record(LogoutEvents.LOGOUT_NO_END_SESSION_ENDPOINT, "session", hash, "sub", s.subject(),
            "detail", g.provider().ready() ? "the OP's discovery document names no end_session_endpoint"
                : "the OP's discovery document is not loaded", "return_to", target);
        boolean refresh = s.tokens().hasRefreshToken();
        redirect(ctx, target).onComplete(v -> revoke(hash,
            refresh ? s.tokens().refreshToken() : s.tokens().accessToken(), refresh ? "refresh_token" : "access_token"));
        return;
      }
      // 2. The end-session request (may refresh first).
      builder.build(s, endpoint.get(), now).onComplete(br -> {
        if (br.failed()) {
          g.events().record(LogoutEvents.LOGOUT_FAILED + ":internal", "session", hash,
              "detail", br.cause().getClass().getSimpleName(), "return_to", target);
          redirect(ctx, target);
          return;
        }
        EndSessionRequestBuilder.EndSessionRequest r = br.result();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("session", hash);
        fields.putAll(r.fields());
        g.events().record(r.eventType(), fields);
        // A refresh that was already in flight when the session was deleted must not leave it behind.
        g.store().delete(id);
        ctx.response().setStatusCode(302)
            .putHeader("Location", r.uri().toString())
            .putHeader("Cache-Control", "no-store")
            .putHeader("Referrer-Policy", "no-referrer")
            .end()
            // 3. Revocation only after the end-session redirect exists (and has been sent).
            .onComplete(v -> revoke(hash, r.tokenToRevoke(), r.tokenTypeHint()));
      });
    });
  }

  /** RFC 7009, fire and forget; the outcome is an event. */
  private void revoke(String hash, String token, String typeHint) {
    if (!planner.settings().revokeTokens() || token == null || token.isEmpty()) {
      return;
    }
    g.provider().revoke(token, typeHint).onComplete(ar -> {
      if (ar.succeeded()) {
        g.events().record(LogoutEvents.TOKEN_REVOKED, "session", hash, "token_type_hint", typeHint);
      } else {
        String why = ar.cause() instanceof OAuthError oe
            ? ("unsupported".equals(oe.error()) ? "no_revocation_endpoint" : oe.error()) : "internal";
        g.events().record(LogoutEvents.REVOKE_FAILED + ":" + why, "session", hash, "token_type_hint", typeHint);
      }
    });
  }

  private Future<Void> redirect(RoutingContext ctx, String target) {
    return ctx.response().setStatusCode(302)
        .putHeader("Location", target)
        .putHeader("Cache-Control", "no-store")
        .end();
  }

  /** A small page whose POST form carries this session's CSRF token. */
  private void confirmationPage(RoutingContext ctx, String id, String target) {
    String body = "<p>Do you want to sign out?</p>"
        + "<p>This sign-out request did not come from this site's own pages, so it needs your confirmation.</p>"
        + "<form method=\"post\" action=\"/oauth2/sign_out\" id=\"sign-out\">"
        + "<input type=\"hidden\" name=\"csrf\" value=\"" + Pages.escape(csrf.tokenFor(id)) + "\">"
        + "<input type=\"hidden\" name=\"rd\" value=\"" + Pages.escape(target) + "\">"
        + "<button type=\"submit\">Sign out</button></form>"
        + "<p><a href=\"/\" id=\"cancel\">Stay signed in</a></p>";
    ctx.response().setStatusCode(200)
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "no-referrer")
        // No form-action: Chrome applies it to the redirect after the POST, which goes to the OP.
        .putHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
        .end(Pages.pageHtml("Sign out", body));
  }

  private static String single(List<String> values) {
    return values != null && values.size() == 1 ? values.get(0) : null;
  }
}
