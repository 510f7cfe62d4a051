package dev.hourglass.op.server;

import com.nimbusds.jwt.SignedJWT;
import dev.hourglass.op.OpConfig;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Map;

/** {@code /userinfo} (Core 5.3), {@code /introspect} (RFC 7662) and {@code /revoke} (RFC 7009). */
final class ResourceEndpoints {
  private final OpServer op;
  private final ClientAuth auth;

  ResourceEndpoints(OpServer op) {
    this.op = op;
    this.auth = new ClientAuth(op);
  }

  /** The access token's record if it is ours, published-key signed, not revoked and not expired at {@code now}. */
  OpState.Access activeAccess(String token, Instant now) {
    OpState.Access a;
    if (token.indexOf('.') < 0) {
      // An opaque access token (tokens.access-token-format: opaque): the handle is the key.
      a = op.state.opaqueAccessTokens.get(token);
    } else {
      SignedJWT jwt = op.verifyOwn(token, now);
      if (jwt == null) return null;
      String jti;
      try {
        jti = jwt.getJWTClaimsSet().getJWTID();
      } catch (java.text.ParseException e) {
        return null;
      }
      a = jti == null ? null : op.state.accessTokens.get(jti);
      // A JWT whose jti names an opaque token is not that token.
      if (a != null && a.handle != null) return null;
    }
    if (a == null || a.revoked || !now.isBefore(a.exp)) return null;
    if (a.familyId != null) {
      OpState.Family f = op.state.families.get(a.familyId);
      if (f != null && f.revoked) return null;
    }
    return a;
  }

  void userinfo(RoutingContext ctx) {
    Instant now = op.clock.instant();
    if (ctx.request().method() != HttpMethod.GET && ctx.request().method() != HttpMethod.POST) {
      OAuthResponses.error(ctx, 405, "invalid_request", "use GET or POST");
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    String token = null;
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = header.substring(7).trim();
    } else if (ctx.request().method() == HttpMethod.POST && ClientAuth.isFormPost(ctx)) {
      try {
        token = new Params(ctx.request().formAttributes()).get("access_token");
      } catch (OAuthException e) {
        OAuthResponses.bearerError(ctx, 400, "invalid_request", e.getMessage());
        return;
      }
    }
    if (token == null || token.isEmpty()) {
      OAuthResponses.bearerError(ctx, 401, null, "missing bearer access token");
      return;
    }
    OpState.Access a = activeAccess(token, now);
    if (a == null) {
      OAuthResponses.bearerError(ctx, 401, "invalid_token", "the access token is invalid, expired or revoked");
      return;
    }
    if (!OpServer.scopes(a.scope).contains("openid")) {
      OAuthResponses.bearerError(ctx, 403, "insufficient_scope", "userinfo needs a token with scope openid");
      return;
    }
    Map<String, Object> claims = new java.util.LinkedHashMap<>(OpServer.scopedClaims(a.claims, a.scope));
    if (op.tampering.take(dev.hourglass.op.tamper.TamperCase.Kind.USERINFO, a.clientId, "userinfo").isPresent()) {
      claims.put("sub", a.sub + "-tampered");
    }
    OAuthResponses.json(ctx, 200, new JsonObject(claims));
  }

  void introspect(RoutingContext ctx) {
    Instant now = op.clock.instant();
    try {
      if (!ClientAuth.isFormPost(ctx)) {
        throw OAuthException.invalidRequest("the request must be application/x-www-form-urlencoded");
      }
      Params form = new Params(ctx.request().formAttributes());
      ClientAuth.Authenticated caller = auth.authenticate(ctx, form);
      if (caller.client().isPublic()) {
        throw OAuthException.invalidClient("introspection needs an authenticated (confidential) client");
      }
      String token = form.require("token");
      OAuthResponses.json(ctx, 200, describe(token, now));
    } catch (OAuthException e) {
      OAuthResponses.error(ctx, e);
    }
  }

  /** RFC 7662 §2.2: the same times the token itself carries; inactive is just {active:false}. */
  private JsonObject describe(String token, Instant now) {
    OpState.Access a = activeAccess(token, now);
    if (a != null) {
      JsonObject o = new JsonObject().put("active", true)
          .put("token_type", "Bearer")
          .put("client_id", a.clientId)
          .put("sub", a.sub)
          .put("iss", op.issuer())
          .put("aud", a.clientId)
          .put("iat", a.iat.getEpochSecond())
          .put("exp", a.exp.getEpochSecond())
          .put("jti", a.jti);
      if (a.scope != null && !a.scope.isEmpty()) o.put("scope", a.scope);
      if (a.sid != null) o.put("sid", a.sid);
      Object username = a.claims.get("preferred_username");
      if (username != null) o.put("username", username);
      return o;
    }
    OpState.Refresh rt = op.state.refreshTokens.get(token);
    if (rt != null) {
      OpState.Family f = op.state.families.get(rt.familyId);
      OpConfig.Client c = f == null ? null : op.client(f.clientId).orElse(null);
      if (f != null && c != null && !f.revoked) {
        OpConfig.Tokens t = op.tokensFor(c);
        boolean reusable = !rt.rotated || t.reuseMode() == dev.hourglass.op.ReuseDetection.OFF;
        long left = TokenEndpoint.refreshExpiresIn(f, t, now);
        if (reusable && left > 0) {
          JsonObject o = new JsonObject().put("active", true)
              .put("token_type", "refresh_token")
              .put("client_id", f.clientId)
              .put("sub", f.sub)
              .put("iss", op.issuer())
              .put("iat", rt.issuedAt.getEpochSecond())
              .put("exp", now.getEpochSecond() + left);
          if (!f.scope.isEmpty()) o.put("scope", f.scope);
          if (f.sid != null) o.put("sid", f.sid);
          return o;
        }
      }
    }
    return new JsonObject().put("active", false);
  }

  void revoke(RoutingContext ctx) {
    Instant now = op.clock.instant();
    try {
      if (!ClientAuth.isFormPost(ctx)) {
        throw OAuthException.invalidRequest("the request must be application/x-www-form-urlencoded");
      }
      Params form = new Params(ctx.request().formAttributes());
      ClientAuth.Authenticated caller = auth.authenticate(ctx, form);
      String token = form.require("token");
      form.get("token_type_hint");
      // RFC 7009 §2.2: unknown or already invalid tokens still get 200.
      OpState.Refresh rt = op.state.refreshTokens.get(token);
      if (rt != null) {
        OpState.Family f = op.state.families.get(rt.familyId);
        if (f != null && f.clientId.equals(caller.client().clientId())) {
          op.revokeFamily(f, "revoked_by_client");
        }
      } else {
        OpState.Access a = activeAccess(token, now);
        if (a != null && a.clientId.equals(caller.client().clientId())) {
          a.revoked = true;
          op.events.record("access_token_revoked", "client_id", a.clientId, "sub", a.sub, "family", a.familyId);
        }
      }
      ctx.response().setStatusCode(200).putHeader("Cache-Control", "no-store").end();
    } catch (OAuthException e) {
      OAuthResponses.error(ctx, e);
    }
  }
}
