package dev.hourglass.op.server;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.hourglass.op.ExpiredHintPolicy;
import dev.hourglass.op.OpConfig;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /logout}: RP-Initiated Logout 1.0. A valid {@code id_token_hint} logs out at once; an
 * expired one follows the expired-hint policy; without a valid hint the user confirms on a page
 * (§2: the OP SHOULD ask), whose form carries a CSRF token and can be submitted by a script.
 * {@code post_logout_redirect_uri} is honoured only on an exact match with the client's list.
 */
final class LogoutEndpoint {
  private static final Duration CONFIRM_TTL = Duration.ofMinutes(30);

  private final OpServer op;

  LogoutEndpoint(OpServer op) {
    this.op = op;
  }

  void handle(RoutingContext ctx) {
    Instant now = op.clock.instant();
    Params p = new Params(ctx.request().method() == HttpMethod.POST ? ctx.request().formAttributes() : ctx.queryParams());
    String hint;
    String clientId;
    String redirectUri;
    String state;
    String logoutHint;
    try {
      hint = p.get("id_token_hint");
      clientId = p.get("client_id");
      redirectUri = p.get("post_logout_redirect_uri");
      state = p.get("state");
      logoutHint = p.get("logout_hint");
    } catch (OAuthException e) {
      Html.error(ctx, 400, "invalid_request", e.getMessage());
      return;
    }
    if (clientId != null && op.client(clientId).isEmpty()) {
      reject(ctx, "unknown_client", clientId, null, null, "Unknown client_id '" + clientId + "'. You are still signed in.");
      return;
    }
    if (hint != null) {
      SignedJWT jwt = op.verifyOwn(hint, now);
      JWTClaimsSet claims = null;
      try {
        claims = jwt == null ? null : jwt.getJWTClaimsSet();
      } catch (java.text.ParseException e) {
        claims = null;
      }
      if (claims == null || claims.getAudience().isEmpty()) {
        reject(ctx, "invalid_id_token_hint", clientId, null, null,
            "The id_token_hint is not an ID token this OP signed (bad signature, unknown key or wrong issuer). You are still signed in.");
        return;
      }
      List<String> aud = claims.getAudience();
      String sub = claims.getSubject();
      String sid = stringClaim(claims, "sid");
      if (clientId != null && !aud.contains(clientId)) {
        reject(ctx, "client_id_mismatch", clientId, sub, sid,
            "client_id '" + clientId + "' is not an audience of the id_token_hint. You are still signed in.");
        return;
      }
      String hintClient = clientId != null ? clientId : aud.get(0);
      OpState.Session target = sid == null ? null : op.state.sessions.get(sid);
      boolean expired = claims.getExpirationTime() != null && !now.isBefore(claims.getExpirationTime().toInstant());
      boolean usable = true;
      if (expired) {
        if (op.settings.expiredHintPolicy() == ExpiredHintPolicy.REJECT) {
          reject(ctx, "expired_id_token_hint", hintClient, sub, sid,
              "The id_token_hint expired at " + claims.getExpirationTime().toInstant()
                  + " and this OP rejects expired hints (logout.expired-hint: reject). You are still signed in.");
          return;
        }
        // RP-Initiated Logout §2: accept an expired hint whose session is current or recent.
        usable = target != null && target.knownAt(now);
        if (!usable) {
          op.events.record("logout_hint_ignored", "client_id", hintClient, "sub", sub, "sid", sid,
              "reason", "expired_id_token_hint_unknown_session");
        }
      }
      if (usable) {
        String redirect = checkedRedirect(hintClient, redirectUri);
        OpState.Session toEnd = target;
        Optional<OpState.Session> cookie = op.cookieSession(ctx, now);
        if (toEnd == null && cookie.isPresent() && cookie.get().sub.equals(sub)) {
          toEnd = cookie.get();
        }
        if (toEnd != null && cookie.isPresent() && cookie.get() == toEnd) {
          op.clearSessionCookie(ctx);
        }
        String via = expired ? "expired_id_token_hint" : "id_token_hint";
        Future<List<String>> ended = toEnd == null ? Future.succeededFuture(List.of())
            : op.endSession(toEnd, now, via, hintClient);
        finish(ctx, ended, redirect, state, redirectUri != null && redirect == null);
        return;
      }
      clientId = hintClient;
    }
    // No usable hint: ask the user (§2), remembering the request server-side.
    String redirect = clientId == null ? null : checkedRedirect(clientId, redirectUri);
    String cookieSid = op.cookieSession(ctx, now).map(s -> s.sid).orElse(null);
    OpState.LogoutTx tx = new OpState.LogoutTx(OpServer.randomToken(24), clientId, redirect, state, logoutHint,
        cookieSid, now.plus(CONFIRM_TTL));
    op.state.logouts.put(tx.id(), tx);
    StringBuilder b = new StringBuilder();
    b.append("<p>Do you want to sign out of the hourglass OP")
        .append(clientId != null ? " (requested by <code>" + Html.esc(clientId) + "</code>)" : "").append("?</p>");
    if (redirectUri != null && redirect == null) {
      b.append("<p class=\"muted\" id=\"no-redirect\">post_logout_redirect_uri is not registered for this client; you will not be redirected.</p>");
    }
    b.append("<form method=\"post\" action=\"").append(Html.esc(op.url("/logout/confirm"))).append("\" id=\"confirm\">")
        .append("<input type=\"hidden\" name=\"xsrf\" value=\"").append(Html.esc(tx.id())).append("\">")
        .append("<button type=\"submit\" name=\"logout\" value=\"yes\">Yes, sign me out</button> ")
        .append("<button type=\"submit\" name=\"logout\" value=\"no\">No, stay signed in</button></form>");
    Html.send(ctx, 200, "Sign out", b.toString());
  }

  /** {@code POST /logout/confirm}: the confirmation form's answer. */
  void confirm(RoutingContext ctx) {
    Instant now = op.clock.instant();
    Params p = new Params(ctx.request().formAttributes());
    String xsrf;
    String answer;
    try {
      xsrf = p.get("xsrf");
      answer = p.get("logout");
    } catch (OAuthException e) {
      Html.error(ctx, 400, "invalid_request", e.getMessage());
      return;
    }
    OpState.LogoutTx tx = xsrf == null ? null : op.state.logouts.remove(xsrf);
    if (tx == null || !now.isBefore(tx.expiresAt())) {
      op.events.record("logout_rejected", "reason", "invalid_xsrf_token");
      Html.error(ctx, 400, "invalid_request", "This sign-out form is invalid or expired (CSRF check). You are still signed in.");
      return;
    }
    if ("no".equals(answer)) {
      Html.send(ctx, 200, "Still signed in", "<p id=\"cancelled\">You are still signed in.</p>");
      return;
    }
    List<OpState.Session> toEnd = new ArrayList<>();
    Optional<OpState.Session> cookie = op.cookieSession(ctx, now);
    cookie.ifPresent(toEnd::add);
    if (toEnd.isEmpty() && tx.cookieSid() != null) {
      OpState.Session s = op.state.sessions.get(tx.cookieSid());
      if (s != null && s.activeAt(now)) toEnd.add(s);
    }
    if (toEnd.isEmpty() && tx.logoutHint() != null) {
      // logout_hint: a sid or a user name, for callers without the cookie (scripts).
      for (OpState.Session s : op.state.sessions.values()) {
        if (s.activeAt(now) && (s.sid.equals(tx.logoutHint()) || s.username.equals(tx.logoutHint()))) {
          toEnd.add(s);
        }
      }
    }
    if (cookie.isPresent()) {
      op.clearSessionCookie(ctx);
    }
    List<Future<List<String>>> all = new ArrayList<>();
    for (OpState.Session s : toEnd) {
      all.add(op.endSession(s, now, "confirmation", tx.clientId()));
    }
    Future<List<String>> frames = Future.join(all).map(cf -> {
      List<String> urls = new ArrayList<>();
      for (Future<List<String>> f : all) {
        if (f.succeeded()) urls.addAll(f.result());
      }
      return urls;
    });
    finish(ctx, frames, tx.redirectUri(), tx.state(), false);
  }

  private void finish(RoutingContext ctx, Future<List<String>> frames, String redirect, String state, boolean refusedRedirect) {
    frames.onComplete(ar -> {
      if (ctx.response().closed() || ctx.response().ended()) {
        return; // the browser gave up while the back-channel receivers answered
      }
      List<String> urls = ar.succeeded() ? ar.result() : List.of();
      String target = redirect == null ? null : OpServer.appendQuery(redirect, stateParam(state));
      if (urls.isEmpty() && target != null) {
        ctx.response().setStatusCode(302).putHeader("Location", target).putHeader("Cache-Control", "no-store").end();
        return;
      }
      StringBuilder b = new StringBuilder("<p id=\"signed-out\">You are signed out of the hourglass OP.</p>");
      if (refusedRedirect) {
        b.append("<p class=\"muted\" id=\"no-redirect\">post_logout_redirect_uri is not registered for this client; not redirecting.</p>");
      }
      // Front-Channel Logout 1.0 §3: one iframe per RP, with iss and sid.
      for (String u : urls) {
        b.append("<iframe class=\"frontchannel\" src=\"").append(Html.esc(u))
            .append("\" style=\"display:none\" width=\"0\" height=\"0\"></iframe>");
      }
      String csp = Html.CSP + "; frame-src http: https:";
      if (target != null) {
        b.append("<p><a id=\"continue\" href=\"").append(Html.esc(target)).append("\">Continue</a></p>");
        ctx.response().putHeader("Refresh", "2; url=" + target);
      }
      Html.send(ctx, 200, "Signed out", b.toString(), csp);
    });
  }

  private static Map<String, String> stateParam(String state) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("state", state);
    return m;
  }

  /** The post_logout_redirect_uri if it exactly matches one the client registered; else null. */
  private String checkedRedirect(String clientId, String redirectUri) {
    if (redirectUri == null || clientId == null) return null;
    return op.client(clientId).map(OpConfig.Client::postLogoutRedirectUris)
        .filter(list -> list.contains(redirectUri)).map(list -> redirectUri).orElse(null);
  }

  private void reject(RoutingContext ctx, String reason, String clientId, String sub, String sid, String message) {
    op.events.record("logout_rejected", "reason", reason, "error", reason, "client_id", clientId, "sub", sub, "sid", sid);
    Html.error(ctx, 400, reason, message);
  }

  private static String stringClaim(JWTClaimsSet claims, String name) {
    Object v = claims.getClaim(name);
    return v instanceof String s ? s : null;
  }
}
