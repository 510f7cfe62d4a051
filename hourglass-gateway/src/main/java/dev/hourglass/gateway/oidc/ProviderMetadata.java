package dev.hourglass.gateway.oidc;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * What discovery told us about the provider (OpenID Connect Discovery 1.0 §3), reduced to what
 * the gateway uses. Endpoints are absolute URLs.
 */
public record ProviderMetadata(
    String issuer,
    String authorizationEndpoint,
    String tokenEndpoint,
    Optional<String> userinfoEndpoint,
    String jwksUri,
    Optional<String> endSessionEndpoint,
    Optional<String> revocationEndpoint,
    boolean issParameterSupported,
    List<String> codeChallengeMethods,
    List<String> tokenEndpointAuthMethods,
    JsonObject raw) {

  /** Parses a discovery document; fails with a message naming the missing member. */
  public static ProviderMetadata parse(JsonObject doc) {
    String issuer = required(doc, "issuer");
    return new ProviderMetadata(
        issuer,
        url(doc, "authorization_endpoint"),
        url(doc, "token_endpoint"),
        optionalUrl(doc, "userinfo_endpoint"),
        url(doc, "jwks_uri"),
        optionalUrl(doc, "end_session_endpoint"),
        optionalUrl(doc, "revocation_endpoint"),
        Boolean.TRUE.equals(doc.getValue("authorization_response_iss_parameter_supported")),
        strings(doc, "code_challenge_methods_supported"),
        strings(doc, "token_endpoint_auth_methods_supported"),
        doc);
  }

  private static String required(JsonObject doc, String name) {
    Object v = doc.getValue(name);
    if (!(v instanceof String s) || s.isEmpty()) {
      throw new IllegalArgumentException("discovery document has no '" + name + "'");
    }
    return s;
  }

  private static String url(JsonObject doc, String name) {
    String s = required(doc, name);
    if (!(s.startsWith("https://") || s.startsWith("http://"))) {
      throw new IllegalArgumentException("discovery '" + name + "' is not an http(s) URL");
    }
    return s;
  }

  private static Optional<String> optionalUrl(JsonObject doc, String name) {
    return doc.getValue(name) instanceof String ? Optional.of(url(doc, name)) : Optional.empty();
  }

  private static List<String> strings(JsonObject doc, String name) {
    Object v = doc.getValue(name);
    if (v instanceof JsonArray a) {
      return a.stream().filter(String.class::isInstance).map(String.class::cast).toList();
    }
    return List.of();
  }
}
