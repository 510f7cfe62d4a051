package dev.hourglass.gateway.oidc;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.Prompt;
import dev.hourglass.core.jose.BoundedHttp;
import dev.hourglass.core.jose.IdTokenVerifier;
import dev.hourglass.core.jose.JwksCache;
import dev.hourglass.gateway.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One OpenID Provider as the gateway talks to it: discovery, keys, the ID token verifier, and the
 * token and userinfo endpoints. All HTTP goes through {@link BoundedHttp} (size and time limits).
 */
public final class OidcProvider {
  private final GatewayConfig.Provider config;
  private final BoundedHttp http;
  private final Clock clock;
  private final Duration skew;
  private final String redirectUri;

  private volatile ProviderMetadata metadata;
  private volatile JwksCache jwks;
  private volatile IdTokenVerifier verifier;

  public OidcProvider(GatewayConfig.Provider config, BoundedHttp http, Clock clock, Duration skew, String redirectUri) {
    this.config = config;
    this.http = http;
    this.clock = clock;
    this.skew = skew;
    this.redirectUri = redirectUri;
  }

  /** Discovery (issuer must match exactly), then the JWKS. Completes when both are loaded. */
  public Future<ProviderMetadata> discover() {
    String issuer = config.issuer();
    String url = (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer)
        + "/.well-known/openid-configuration";
    return http.get(url, Map.of("Accept", "application/json")).compose(resp -> {
      if (resp.status() != 200) {
        return Future.failedFuture(new IllegalStateException("discovery at " + url + " answered HTTP " + resp.status()));
      }
      ProviderMetadata md;
      try {
        md = ProviderMetadata.parse(new JsonObject(resp.bodyAsString()));
      } catch (DecodeException | ClassCastException e) {
        return Future.failedFuture(new IllegalStateException("discovery at " + url + " is not a JSON object"));
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(new IllegalStateException(e.getMessage()));
      }
      // Discovery 1.0 §4.3: the issuer in the document must be identical to the configured one.
      if (!md.issuer().equals(issuer)) {
        return Future.failedFuture(new IllegalStateException("discovery issuer '" + md.issuer()
            + "' is not exactly the configured issuer '" + issuer + "'"));
      }
      JwksCache keys = new JwksCache(http, clock, md.jwksUri(), config.jwksRefetchCooldown());
      return keys.load().map(set -> {
        this.jwks = keys;
        this.verifier = new IdTokenVerifier(clock, new Issuer(md.issuer()), new ClientID(config.clientId()),
            config.alg().stream().map(JWSAlgorithm::parse).collect(Collectors.toSet()), skew, keys);
        this.metadata = md;
        return md;
      });
    });
  }

  public boolean ready() {
    return metadata != null && verifier != null;
  }

  public ProviderMetadata metadata() {
    return metadata;
  }

  public IdTokenVerifier verifier() {
    return verifier;
  }

  public JwksCache jwks() {
    return jwks;
  }

  public String issuer() {
    return config.issuer();
  }

  public String clientId() {
    return config.clientId();
  }

  /** The authorization request URL (code flow, PKCE S256), built with Nimbus. */
  public URI authorizationUrl(State state, Nonce nonce, CodeVerifier verifier, String loginHint, String prompt) {
    AuthenticationRequest.Builder b = new AuthenticationRequest.Builder(
        ResponseType.CODE, new Scope(config.scopes().toArray(String[]::new)), new ClientID(config.clientId()),
        URI.create(redirectUri))
        .endpointURI(URI.create(metadata.authorizationEndpoint()))
        .state(state)
        .nonce(nonce)
        .codeChallenge(verifier, CodeChallengeMethod.S256);
    if (loginHint != null) {
      b.loginHint(loginHint);
    }
    if (prompt != null) {
      try {
        b.prompt(Prompt.parse(prompt));
      } catch (com.nimbusds.oauth2.sdk.ParseException e) {
        // validated by the caller; ignore an unparseable value
      }
    }
    return b.build().toURI();
  }

  /** Authorization code grant with the PKCE verifier. */
  public Future<TokenResponse> exchangeCode(String code, CodeVerifier verifier) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "authorization_code");
    form.put("code", code);
    form.put("redirect_uri", redirectUri);
    form.put("code_verifier", verifier.getValue());
    return tokenRequest(form);
  }

  /** Refresh grant (RFC 6749 §6). */
  public Future<TokenResponse> refresh(String refreshToken) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "refresh_token");
    form.put("refresh_token", refreshToken);
    return tokenRequest(form);
  }

  /**
   * Token revocation (RFC 7009 §2.1) with the client's authentication. Completes when the OP
   * answered 200; fails with an {@link OAuthError} ({@code unsupported} when discovery named no
   * {@code revocation_endpoint}, {@code op_unreachable}, or the OP's error code).
   */
  public Future<Void> revoke(String token, String tokenTypeHint) {
    Optional<String> endpoint = metadata == null ? Optional.empty() : metadata.revocationEndpoint();
    if (endpoint.isEmpty()) {
      return Future.failedFuture(new OAuthError("unsupported", "the OP has no revocation_endpoint", 0));
    }
    Map<String, String> form = new LinkedHashMap<>();
    form.put("token", token);
    if (tokenTypeHint != null) {
      form.put("token_type_hint", tokenTypeHint);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    authenticate(form, headers);
    return http.postForm(endpoint.get(), headers, encode(form))
        .recover(e -> Future.failedFuture(new OAuthError("op_unreachable", e.getMessage(), 0)))
        .compose(resp -> {
          if (resp.status() == 200) {
            return Future.<Void>succeededFuture();
          }
          String error = "http_" + resp.status();
          try {
            if (new JsonObject(resp.bodyAsString()).getValue("error") instanceof String s && s.matches("[a-z_]{1,64}")) {
              error = s;
            }
          } catch (DecodeException | ClassCastException e) {
            // no JSON error body: keep http_<status>
          }
          return Future.failedFuture(new OAuthError(error, "revocation answered HTTP " + resp.status(), resp.status()));
        });
  }

  private void authenticate(Map<String, String> form, Map<String, String> headers) {
    headers.put("Accept", "application/json");
    switch (config.clientAuth()) {
      case "client_secret_basic" -> headers.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(
          (formEncode(config.clientId()) + ":" + formEncode(config.clientSecret())).getBytes(StandardCharsets.UTF_8)));
      case "client_secret_post" -> {
        form.put("client_id", config.clientId());
        form.put("client_secret", config.clientSecret());
      }
      default -> form.put("client_id", config.clientId());
    }
  }

  private static String encode(Map<String, String> form) {
    return form.entrySet().stream()
        .map(e -> formEncode(e.getKey()) + "=" + formEncode(e.getValue()))
        .collect(Collectors.joining("&"));
  }

  private Future<TokenResponse> tokenRequest(Map<String, String> form) {
    Map<String, String> headers = new LinkedHashMap<>();
    authenticate(form, headers);
    return http.postForm(metadata.tokenEndpoint(), headers, encode(form))
        .recover(e -> Future.failedFuture(new OAuthError("op_unreachable", e.getMessage(), 0)))
        .compose(resp -> {
          JsonObject json;
          try {
            json = new JsonObject(resp.bodyAsString());
          } catch (DecodeException | ClassCastException e) {
            return Future.failedFuture(new OAuthError(resp.status() >= 500 ? "op_unreachable" : "invalid_response",
                "token endpoint answered HTTP " + resp.status() + " without JSON", resp.status()));
          }
          if (resp.status() != 200) {
            String error = json.getValue("error") instanceof String s && s.matches("[\\x20-\\x7e]{1,64}") ? s : "invalid_response";
            if (resp.status() >= 500 && error.equals("invalid_response")) error = "op_unreachable";
            String desc = json.getValue("error_description") instanceof String s ? s : null;
            return Future.failedFuture(new OAuthError(error, desc, resp.status()));
          }
          try {
            String at = (String) json.getValue("access_token");
            String type = (String) json.getValue("token_type");
            if (at == null || at.isEmpty() || type == null) {
              return Future.failedFuture(new OAuthError("invalid_response", "token response without access_token or token_type", 200));
            }
            return Future.succeededFuture(new TokenResponse(at, type, number(json.getValue("expires_in")),
                (String) json.getValue("refresh_token"), number(json.getValue("refresh_expires_in")),
                (String) json.getValue("id_token"), (String) json.getValue("scope")));
          } catch (ClassCastException e) {
            return Future.failedFuture(new OAuthError("invalid_response", "token response has members of the wrong type", 200));
          }
        });
  }

  /** Userinfo claims (OIDC Core §5.3), as JSON. Signed/encrypted userinfo is not supported. */
  public Future<Optional<JsonObject>> userinfo(String accessToken) {
    if (metadata.userinfoEndpoint().isEmpty() || !config.userinfo()) {
      return Future.succeededFuture(Optional.empty());
    }
    return http.get(metadata.userinfoEndpoint().get(), Map.of("Authorization", "Bearer " + accessToken, "Accept", "application/json"))
        .recover(e -> Future.failedFuture(new OAuthError("op_unreachable", e.getMessage(), 0)))
        .compose(resp -> {
          if (resp.status() != 200) {
            return Future.failedFuture(new OAuthError(resp.status() >= 500 ? "op_unreachable" : "invalid_token",
                "userinfo answered HTTP " + resp.status(), resp.status()));
          }
          try {
            return Future.succeededFuture(Optional.of(new JsonObject(resp.bodyAsString())));
          } catch (DecodeException | ClassCastException e) {
            return Future.failedFuture(new OAuthError("invalid_response", "userinfo is not a JSON object", 200));
          }
        });
  }

  private static Long number(Object v) {
    if (v instanceof Number n) return n.longValue();
    if (v instanceof String s && s.matches("\\d{1,12}")) return Long.parseLong(s);
    return null;
  }

  private static String formEncode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
