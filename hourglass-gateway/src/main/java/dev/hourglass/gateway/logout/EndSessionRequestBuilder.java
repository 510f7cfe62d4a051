package dev.hourglass.gateway.logout;

import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.openid.connect.sdk.LogoutRequest;
import dev.hourglass.core.jose.IdTokenRejectedException;
import dev.hourglass.core.model.TokenSet;
import dev.hourglass.gateway.authz.Claims;
import dev.hourglass.gateway.oidc.OAuthError;
import dev.hourglass.gateway.oidc.OidcProvider;
import dev.hourglass.gateway.session.Session;
import io.vertx.core.Future;
import java.net.URI;
import java.text.ParseException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the request to the OP's {@code end_session_endpoint} (RP-Initiated Logout 1.0 §2) for a
 * session that has ALREADY been removed from the store, following {@link LogoutPlanner}'s order.
 *
 * <p>The refresh-first step calls {@link OidcProvider#refresh} and validates a returned ID token
 * with {@code verifyRefreshed} (Core 12.2), but writes nothing back: the session is gone, and
 * writing would resurrect it. A rotated refresh token is kept only to be revoked afterwards.
 */
public final class EndSessionRequestBuilder {

  /**
   * The redirect to send the browser to, the decision event, and what to revoke afterwards.
   *
   * @param tokenToRevoke the newest refresh token (or the access token when there is none)
   * @param tokenTypeHint {@code refresh_token} or {@code access_token}
   */
  public record EndSessionRequest(URI uri, String eventType, Map<String, Object> fields, String tokenToRevoke,
      String tokenTypeHint) {
    @Override
    public String toString() {
      return "EndSessionRequest[" + eventType + "]";
    }
  }

  private final OidcProvider provider;
  private final LogoutPlanner planner;

  public EndSessionRequestBuilder(OidcProvider provider, LogoutPlanner planner) {
    this.provider = Objects.requireNonNull(provider, "provider");
    this.planner = Objects.requireNonNull(planner, "planner");
  }

  /** Decides the hint (refreshing first when that can help) and builds the redirect. */
  public Future<EndSessionRequest> build(Session s, String endSessionEndpoint, Instant now) {
    try {
      return decide(s, endSessionEndpoint, now);
    } catch (RuntimeException e) {
      // Total: a surprise here must become a local-only logout, never a hung request or a 500.
      return Future.failedFuture(e);
    }
  }

  private Future<EndSessionRequest> decide(Session s, String endSessionEndpoint, Instant now) {
    TokenSet t = s.tokens();
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("sub", s.subject());
    fields.put("id_token_expires_at", t.idTokenExpiresAt() == null ? null : t.idTokenExpiresAt().toString());
    fields.put("end_session_endpoint", endSessionEndpoint);
    fields.put("post_logout_redirect_uri", planner.postLogoutRedirectUri());
    String rt = t.refreshToken();
    if (t.idToken() == null) {
      fields.put("detail", "the session holds no ID token");
      return Future.succeededFuture(request(s, endSessionEndpoint, null, true, LogoutEvents.LOGOUT_HINT_FALLBACK_CLIENT_ID,
          fields, rt, t.accessToken()));
    }
    if (LogoutPlanner.fresh(t, now, planner.skew())) {
      return Future.succeededFuture(request(s, endSessionEndpoint, t.idToken(), false, LogoutEvents.LOGOUT_HINT_FRESH,
          fields, rt, t.accessToken()));
    }
    if (!t.hasRefreshToken()) {
      fields.put("refresh", "no_refresh_token");
      return Future.succeededFuture(expired(s, endSessionEndpoint, fields, rt, t.accessToken()));
    }
    return renew(s, now).map(r -> {
      fields.put("refresh", r.outcome());
      String newest = r.refreshToken() != null ? r.refreshToken() : rt;
      if (r.idToken() != null) {
        fields.put("id_token_expires_at", r.idTokenExpiresAt() == null ? null : r.idTokenExpiresAt().toString());
        return request(s, endSessionEndpoint, r.idToken(), false, LogoutEvents.LOGOUT_HINT_REFRESHED, fields, newest,
            r.accessToken());
      }
      return expired(s, endSessionEndpoint, fields, newest, r.accessToken() != null ? r.accessToken() : t.accessToken());
    });
  }

  /** Step 3: {@code logout.expired-hint} decides. */
  private EndSessionRequest expired(Session s, String endpoint, Map<String, Object> fields, String rt, String at) {
    fields.put("policy", planner.settings().expiredHint());
    if ("omit".equals(planner.settings().expiredHint())) {
      return request(s, endpoint, null, true, LogoutEvents.LOGOUT_HINT_OMITTED_EXPIRED, fields, rt, at);
    }
    return request(s, endpoint, s.tokens().idToken(), false, LogoutEvents.LOGOUT_HINT_EXPIRED_SENT, fields, rt, at);
  }

  private record Renewal(String outcome, String idToken, Instant idTokenExpiresAt, String refreshToken, String accessToken) {}

  /** One refresh grant; never fails: the outcome says what happened. */
  private Future<Renewal> renew(Session s, Instant now) {
    JWTClaimsSet original;
    try {
      original = JWTClaimsSet.parse(s.idTokenClaims());
    } catch (ParseException e) {
      original = new JWTClaimsSet.Builder().issuer(s.issuer()).subject(s.subject()).build();
    }
    JWTClaimsSet originalClaims = original;
    return provider.refresh(s.tokens().refreshToken()).compose(resp -> {
      if (resp.idToken() == null) {
        return Future.succeededFuture(new Renewal("no_id_token", null, null, resp.refreshToken(), resp.accessToken()));
      }
      return provider.verifier().verifyRefreshed(resp.idToken(), originalClaims)
          .map(v -> {
            Instant exp = v.claims().getExpirationTime() == null ? null : v.claims().getExpirationTime().toInstant();
            return new Renewal("renewed", resp.idToken(), exp, resp.refreshToken(), resp.accessToken());
          })
          .recover(err -> Future.succeededFuture(new Renewal(
              err instanceof IdTokenRejectedException r ? "id_token_rejected:" + r.reason() : "id_token_rejected",
              null, null, resp.refreshToken(), resp.accessToken())));
    }).recover(err -> Future.succeededFuture(new Renewal(
        err instanceof OAuthError oe ? "failed:" + oe.error() : "failed:internal", null, null, null, null)));
  }

  private EndSessionRequest request(Session s, String endpoint, String idTokenHint, boolean withLogoutHint,
      String eventType, Map<String, Object> fields, String rt, String at) {
    JWT hint = null;
    if (idTokenHint != null) {
      try {
        hint = JWTParser.parse(idTokenHint);
      } catch (ParseException e) {
        hint = null;
      }
    }
    String logoutHint = withLogoutHint ? logoutHint(s) : null;
    fields.put("logout_hint", logoutHint == null ? null : "present");
    URI uri = new LogoutRequest(URI.create(endpoint), hint, logoutHint, new ClientID(provider.clientId()),
        URI.create(planner.postLogoutRedirectUri()), new State(), null).toURI();
    boolean refresh = rt != null && !rt.isEmpty();
    return new EndSessionRequest(uri, eventType, fields, refresh ? rt : at, refresh ? "refresh_token" : "access_token");
  }

  /**
   * The {@code logout_hint} (RP-Initiated Logout 1.0 §2, meaning left to the OP): the user's
   * {@code preferred_username}, else {@code email}, else {@code sub} — the name an OP's
   * confirmation page or login form knows the user by.
   */
  static String logoutHint(Session s) {
    Map<String, Object> claims = Claims.merged(s.idTokenClaims(), s.userinfo());
    for (String name : new String[] {"preferred_username", "email"}) {
      if (claims.get(name) instanceof String v && !v.isBlank() && v.length() <= 256) {
        return v;
      }
    }
    return s.subject();
  }
}
