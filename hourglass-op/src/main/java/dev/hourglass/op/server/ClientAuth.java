package dev.hourglass.op.server;

import dev.hourglass.op.OpConfig;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/** RFC 6749 §2.3: client_secret_basic, client_secret_post or none (public clients). One method per request. */
final class ClientAuth {
  record Authenticated(OpConfig.Client client, String method) {}

  private final OpServer op;

  ClientAuth(OpServer op) {
    this.op = op;
  }

  Authenticated authenticate(RoutingContext ctx, Params form) {
    String header = ctx.request().getHeader("Authorization");
    String formId = form.get("client_id");
    String formSecret = form.get("client_secret");
    if (form.has("client_assertion") || form.has("client_assertion_type")) {
      throw OAuthException.invalidClient("client assertions are not supported; use client_secret_basic or client_secret_post");
    }
    if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      if (formSecret != null) {
        throw OAuthException.invalidRequest("use one client authentication method, not both Basic and client_secret");
      }
      String[] idSecret = decodeBasic(header.substring(6).trim());
      if (formId != null && !formId.equals(idSecret[0])) {
        throw OAuthException.invalidRequest("client_id does not match the Basic credentials");
      }
      return check(idSecret[0], idSecret[1], "client_secret_basic");
    }
    if (formId == null) {
      throw OAuthException.invalidClient("client authentication required (Basic, client_secret_post, or client_id for public clients)");
    }
    if (formSecret != null) {
      return check(formId, formSecret, "client_secret_post");
    }
    OpConfig.Client c = op.client(formId).orElseThrow(() -> OAuthException.invalidClient("unknown client"));
    if (!c.isPublic()) {
      throw OAuthException.invalidClient("client '" + formId + "' is confidential and must authenticate");
    }
    return new Authenticated(c, "none");
  }

  private Authenticated check(String id, String secret, String method) {
    OpConfig.Client c = op.client(id).orElse(null);
    if (c == null) {
      throw OAuthException.invalidClient("unknown client or wrong secret");
    }
    if (c.isPublic()) {
      throw OAuthException.invalidClient("client '" + id + "' is public and has no secret; send only client_id");
    }
    if (!OpServer.constantTimeEquals(secret, c.clientSecret())) {
      throw OAuthException.invalidClient("unknown client or wrong secret");
    }
    return new Authenticated(c, method);
  }

  /** RFC 6749 §2.3.1: id and secret are form-urlencoded before Base64. */
  private static String[] decodeBasic(String b64) {
    try {
      String decoded = new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      if (colon < 1) {
        throw OAuthException.invalidClient("malformed Basic credentials");
      }
      return new String[] {
        URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
        URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)
      };
    } catch (IllegalArgumentException e) {
      throw OAuthException.invalidClient("malformed Basic credentials");
    }
  }

  static boolean isFormPost(RoutingContext ctx) {
    String ct = ctx.request().getHeader("Content-Type");
    return ct != null && ct.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
  }
}
