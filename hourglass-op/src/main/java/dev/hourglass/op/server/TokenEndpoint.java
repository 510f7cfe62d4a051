package dev.hourglass.op.server;

import dev.hourglass.op.OpConfig;
import dev.hourglass.op.ReuseDetection;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Set;

/**
 * {@code POST /token} (RFC 6749 §3.2): authorization_code (+ PKCE), refresh_token (rotation and
 * reuse detection per RFC 9700 §4.14.2) and client_credentials. Every success records one
 * {@code token_issued} with its grant_type.
 */
final class TokenEndpoint {
  private final OpServer op;
  private final ClientAuth auth;

  TokenEndpoint(OpServer op) {
    this.op = op;
    this.auth = new ClientAuth(op);
  }

  void handle(RoutingContext ctx) {
    // One now per request; tokens use it truncated to whole seconds so that exp - iat == expires_in.
    Instant now = op.clock.instant();
    Params form = new Params(ctx.request().formAttributes());
    String grantType = null;
    String clientId = null;
    try {
      if (!ClientAuth.isFormPost(ctx)) {
        throw OAuthException.invalidRequest("the token request must be application/x-www-form-urlencoded");
      }
      if (!ctx.queryParams().isEmpty() && (ctx.queryParams().contains("client_secret") || ctx.queryParams().contains("code"))) {
        throw OAuthException.invalidRequest("credentials and codes belong in the request body, not the URL");
      }
      grantType = form.get("grant_type");
      ClientAuth.Authenticated client = auth.authenticate(ctx, form);
      clientId = client.client().clientId();
      if (grantType == null) {
        throw OAuthException.invalidRequest("missing parameter 'grant_type'");
      }
      JsonObject response = switch (grantType) {
        case "authorization_code" -> authorizationCode(form, client.client(), now);
        case "refresh_token" -> refresh(form, client.client(), now);
        case "client_credentials" -> clientCredentials(form, client.client(), now);
        default -> throw new OAuthException(400, "unsupported_grant_type", "grant_type '" + grantType + "' is not supported");
      };
      OAuthResponses.json(ctx, 200, response);
    } catch (OAuthException e) {
      op.events.record("token_error", "client_id", clientId, "grant_type", grantType, "error", e.error(),
          "reason", e.getMessage());
      OAuthResponses.error(ctx, e);
    }
  }

  private JsonObject authorizationCode(Params form, OpConfig.Client client, Instant now) {
    String codeValue = form.require("code");
    String redirectUri = form.get("redirect_uri");
    String verifier = form.get("code_verifier");
    OpState.Code code = op.state.codes.get(codeValue);
    if (code == null) {
      throw OAuthException.invalidGrant("unknown authorization code");
    }
    if (!code.clientId.equals(client.clientId())) {
      throw OAuthException.invalidGrant("the code was issued to another client");
    }
    synchronized (code) {
      if (code.used) {
        // RFC 6749 §4.1.2: a reused code is refused and what it issued SHOULD be revoked.
        op.events.record("code_reused", "client_id", client.clientId(), "sid", code.sid, "family", code.familyId);
        if (code.familyId != null && op.state.families.get(code.familyId) != null) {
          op.revokeFamily(op.state.families.get(code.familyId), "code_reused");
        }
        for (String jti : code.accessJtis) {
          OpState.Access a = op.state.accessTokens.get(jti);
          if (a != null) a.revoked = true;
        }
        throw OAuthException.invalidGrant("authorization code was already used; the tokens it issued are revoked");
      }
      if (!now.isBefore(code.expiresAt)) {
        throw OAuthException.invalidGrant("authorization code expired at " + code.expiresAt);
      }
      // RFC 6749 §4.1.3: redirect_uri must be identical to the one in the authorization request.
      if (redirectUri == null || !redirectUri.equals(code.redirectUri)) {
        throw OAuthException.invalidGrant("redirect_uri does not match the authorization request");
      }
      if (code.codeChallenge != null) {
        if (verifier == null) {
          throw OAuthException.invalidGrant("code_verifier required: the authorization request carried a code_challenge");
        }
        if (!verifier.matches("[A-Za-z0-9._~-]{43,128}")) {
          throw OAuthException.invalidGrant("code_verifier must be 43-128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1)");
        }
        if (!OpServer.constantTimeEquals(OpServer.s256(verifier), code.codeChallenge)) {
          throw OAuthException.invalidGrant("PKCE verification failed: code_verifier does not match code_challenge");
        }
      } else if (verifier != null) {
        // RFC 9700 §4.8.2: a verifier without a challenge is a PKCE downgrade attempt.
        throw OAuthException.invalidGrant("code_verifier sent but the authorization request had no code_challenge");
      }
      code.used = true;
    }
    OpState.Session s = op.state.sessions.get(code.sid);
    if (s == null) {
      throw OAuthException.invalidGrant("the login session of this code is gone");
    }
    if (s.endedAt != null) {
      throw OAuthException.invalidGrant("the login session of this code has ended");
    }
    OpConfig.Tokens t = op.tokensFor(client);
    OpState.Family f = new OpState.Family(OpServer.randomToken(12), client.clientId(), s.sid, s.sub, s.claims, code.scope,
        s.authTime, now, now.plus(t.refreshTtl()), true);
    op.state.families.put(f.id, f);
    code.familyId = f.id;
    OpServer.PendingAccess pending = op.newAccess(now, client, s.sub, code.scope, s.sid, f.id, s.claims, s.authTime);
    OpState.Access a = pending.access();
    String refresh;
    synchronized (f) {
      // A logout may have revoked the new family already: its token is then born revoked.
      f.accessJtis.add(a.jti);
      code.accessJtis.add(a.jti);
      if (f.revoked) a.revoked = true;
      refresh = newRefresh(f, now);
    }
    StringBuilder at = new StringBuilder(pending.value(op.keys));
    JsonObject r = tokenResponse(at.toString(), a, code.scope);
    r.put("refresh_token", refresh);
    r.put("refresh_expires_in", refreshExpiresIn(f, t, now));
    if (OpServer.scopes(code.scope).contains("openid")) {
      r.put("id_token", op.mintIdToken(now, client, f, code.nonce, at.toString()));
    }
    op.events.record("token_issued", "client_id", client.clientId(), "sub", s.sub, "sid", s.sid,
        "grant_type", "authorization_code", "family", f.id, "id_token", r.containsKey("id_token"),
        "exp", a.exp.toString());
    return r;
  }

  private JsonObject refresh(Params form, OpConfig.Client client, Instant now) {
    String value = form.require("refresh_token");
    OpState.Refresh rt = op.state.refreshTokens.get(value);
    if (rt == null) {
      throw OAuthException.invalidGrant("unknown refresh token");
    }
    OpState.Family f = op.state.families.get(rt.familyId);
    if (f == null || !f.clientId.equals(client.clientId())) {
      throw OAuthException.invalidGrant("the refresh token was issued to another client");
    }
    OpConfig.Tokens t = op.tokensFor(client);
    OpServer.PendingAccess pending;
    String grantedScope;
    String refreshToken;
    long refreshExpiresIn;
    synchronized (f) {
      if (f.revoked) {
        throw OAuthException.invalidGrant("the refresh token was revoked");
      }
      if (!now.isBefore(f.absoluteExpiry)) {
        throw OAuthException.invalidGrant("the refresh token expired at " + f.absoluteExpiry + " (refresh-ttl)");
      }
      Instant idleExpiry = idleExpiry(f, t);
      if (idleExpiry != null && !now.isBefore(idleExpiry)) {
        throw OAuthException.invalidGrant("the refresh token expired at " + idleExpiry + " (refresh-idle-ttl)");
      }
      if (rt.rotated) {
        ReuseDetection mode = t.reuseMode();
        if (mode != ReuseDetection.OFF) {
          op.events.record("refresh_reuse_detected", "client_id", client.clientId(), "sub", f.sub, "sid", f.sid,
              "family", f.id, "mode", mode.configName());
          if (mode == ReuseDetection.REVOKE_FAMILY) {
            op.revokeFamily(f, "refresh_reuse");
            throw OAuthException.invalidGrant("refresh token was already used; the whole grant is revoked (RFC 9700)");
          }
          throw OAuthException.invalidGrant("refresh token was already used");
        }
      }
      String scope = f.scope;
      String requested = form.get("scope");
      if (requested != null) {
        Set<String> granted = OpServer.scopes(f.scope);
        Set<String> asked = OpServer.scopes(requested);
        if (!granted.containsAll(asked)) {
          throw new OAuthException(400, "invalid_scope", "a refresh cannot widen the scope beyond '" + f.scope + "'");
        }
        scope = String.join(" ", asked);
      }
      f.lastUsed = now;
      // Every decision and all bookkeeping happen under the family lock; signing (the expensive
      // part) happens after it, so concurrent grants of one family still sign in parallel.
      pending = op.newAccess(now, client, f.sub, scope, f.sid, f.id, f.claims, f.authTime);
      f.accessJtis.add(pending.access().jti);
      grantedScope = scope;
      if (t.refreshRotation()) {
        rt.rotated = true;
        refreshToken = newRefresh(f, now);
      } else {
        refreshToken = value;
      }
      refreshExpiresIn = refreshExpiresIn(f, t, now);
    }
    String at = pending.value(op.keys);
    OpState.Access a = pending.access();
    JsonObject r = tokenResponse(at, a, grantedScope);
    r.put("refresh_token", refreshToken);
    r.put("refresh_expires_in", refreshExpiresIn);
    boolean idToken = op.refreshReturnsIdToken(client) && OpServer.scopes(grantedScope).contains("openid");
    if (idToken) {
      // Core 12.2: same iss, sub, aud, auth_time, azp; new iat/exp.
      r.put("id_token", op.mintIdToken(now, client, f, null, at, true));
    }
    op.events.record("token_issued", "client_id", client.clientId(), "sub", f.sub, "sid", f.sid,
        "grant_type", "refresh_token", "family", f.id, "id_token", idToken, "rotated", t.refreshRotation(),
        "exp", a.exp.toString());
    return r;
  }

  private JsonObject clientCredentials(Params form, OpConfig.Client client, Instant now) {
    if (client.isPublic()) {
      throw new OAuthException(400, "unauthorized_client", "public clients cannot use client_credentials");
    }
    String scope = form.get("scope");
    scope = scope == null ? "" : String.join(" ", OpServer.scopes(scope));
    StringBuilder at = new StringBuilder();
    OpState.Access a = op.mintAccess(now, client, client.clientId(), scope, null, null,
        java.util.Map.of("sub", client.clientId()), null, at);
    op.events.record("token_issued", "client_id", client.clientId(), "sub", client.clientId(),
        "grant_type", "client_credentials", "exp", a.exp.toString());
    return tokenResponse(at.toString(), a, scope);
  }

  private JsonObject tokenResponse(String accessToken, OpState.Access a, String scope) {
    JsonObject r = new JsonObject()
        .put("access_token", accessToken)
        .put("token_type", "Bearer")
        // From the same two instants as the JWT's iat and exp: never from another clock.
        .put("expires_in", a.exp.getEpochSecond() - a.iat.getEpochSecond());
    if (scope != null && !scope.isEmpty()) {
      r.put("scope", scope);
    }
    return r;
  }

  private String newRefresh(OpState.Family f, Instant now) {
    String token = OpServer.randomToken(32);
    op.state.refreshTokens.put(token, new OpState.Refresh(token, f.id, now));
    f.refreshTokens.add(token);
    f.currentToken = token;
    return token;
  }

  static Instant idleExpiry(OpState.Family f, OpConfig.Tokens t) {
    return t.refreshIdleTtl() == null || t.refreshIdleTtl().isZero() ? null : f.lastUsed.plus(t.refreshIdleTtl());
  }

  /** Seconds until the refresh token stops working (the earlier of absolute and idle expiry). */
  static long refreshExpiresIn(OpState.Family f, OpConfig.Tokens t, Instant now) {
    Instant end = f.absoluteExpiry;
    Instant idle = idleExpiry(f, t);
    if (idle != null && idle.isBefore(end)) end = idle;
    return Math.max(0, end.getEpochSecond() - now.getEpochSecond());
  }
}
