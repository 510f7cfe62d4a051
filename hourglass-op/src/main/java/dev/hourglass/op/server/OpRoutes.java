package dev.hourglass.op.server;

import dev.hourglass.core.http.AdminAccess;
import dev.hourglass.core.http.ClockAdminRoutes;
import dev.hourglass.op.Fault;
import dev.hourglass.op.tamper.HostileResponses;
import dev.hourglass.op.tamper.TamperCase;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The OP's routes: protocol endpoints, fault injection in front of each, and the admin API. */
final class OpRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(OpRoutes.class);
  static final int MAX_BODY = 64 * 1024;

  private final OpServer op;

  OpRoutes(OpServer op) {
    this.op = op;
  }

  Router router() {
    Router r = Router.router(op.vertx);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY).setMergeFormAttributes(false);
    Discovery discovery = new Discovery(op);
    AuthorizeEndpoint authorize = new AuthorizeEndpoint(op);
    TokenEndpoint token = new TokenEndpoint(op);
    ResourceEndpoints resources = new ResourceEndpoints(op);
    LogoutEndpoint logout = new LogoutEndpoint(op);

    // CORS for browser clients (public SPAs): these endpoints need no cookies, so '*' is safe.
    for (String p : List.of("/token", "/userinfo", "/revoke", "/introspect", "/jwks")) {
      r.route(p).handler(ctx -> {
        ctx.response().putHeader("Access-Control-Allow-Origin", "*");
        if (ctx.request().method() == io.vertx.core.http.HttpMethod.OPTIONS) {
          ctx.response().setStatusCode(204)
              .putHeader("Access-Control-Allow-Methods", "GET, POST")
              .putHeader("Access-Control-Allow-Headers", "Authorization, Content-Type, DPoP")
              .putHeader("Access-Control-Max-Age", "600")
              .end();
          return;
        }
        ctx.next();
      });
    }
    r.get("/.well-known/openid-configuration").handler(fault("discovery", false)).handler(discovery::metadata);
    r.get("/.well-known/oauth-authorization-server").handler(fault("discovery", false)).handler(discovery::metadata);
    r.get("/jwks").handler(fault("jwks", false)).handler(discovery::jwks);

    r.get("/authorize").handler(fault("authorize", true)).handler(authorize::handle);
    r.post("/authorize").handler(body).handler(fault("authorize", true)).handler(authorize::handle);
    r.post("/login").handler(body).handler(authorize::login);

    r.post("/token").handler(body).handler(fault("token", false)).handler(token::handle);
    r.route("/userinfo").handler(body).handler(fault("userinfo", false)).handler(resources::userinfo);
    r.post("/introspect").handler(body).handler(fault("introspect", false)).handler(resources::introspect);
    r.post("/revoke").handler(body).handler(fault("revoke", false)).handler(resources::revoke);

    r.get("/logout").handler(fault("logout", true)).handler(logout::handle);
    r.post("/logout").handler(body).handler(fault("logout", true)).handler(logout::handle);
    r.post("/logout/confirm").handler(body).handler(logout::confirm);

    for (String p : List.of("/token", "/introspect", "/revoke", "/jwks", "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server")) {
      r.route(p).handler(ctx -> OAuthResponses.error(ctx, 405, "invalid_request",
          "method " + ctx.request().method() + " is not allowed here"));
    }
    mountAdmin(r);
    new dev.hourglass.op.tamper.TamperRoutes(op.vertx, op.tampering, id -> op.client(id).isPresent()).mountPublic(r);

    errorHandlers(r);
    return r;
  }

  /** JSON errors for failures the handlers never see (body too large, undecodable form, bugs). */
  static void errorHandlers(Router r) {
    r.errorHandler(413, ctx -> OAuthResponses.error(ctx, 413, "invalid_request",
        "request body larger than " + MAX_BODY + " bytes"));
    r.errorHandler(400, ctx -> OAuthResponses.error(ctx, 400, "invalid_request", "malformed request"));
    r.errorHandler(500, ctx -> {
      LOG.warn("unexpected failure on {}", ctx.request().path(), ctx.failure());
      OAuthResponses.error(ctx, 500, "server_error", "unexpected error; see the OP log");
    });
  }

  /** Answers from an injected fault, if one applies to this call; otherwise passes on (maybe after a delay). */
  private Handler<RoutingContext> fault(String endpoint, boolean html) {
    return ctx -> {
      Instant now = op.clock.instant();
      Optional<Fault> hit = op.faults.take(endpoint, now);
      if (hit.isEmpty()) {
        ctx.next();
        return;
      }
      Fault f = hit.get();
      op.events.record("fault_injected", "endpoint", endpoint, "error", f.fails() ? f.effectiveError() : null,
          "status", f.fails() ? f.effectiveStatus() : null, "delay", f.delay() == null ? null : f.delay().toString());
      Runnable answer = () -> {
        if (!f.fails()) {
          ctx.next();
        } else if (html) {
          Html.error(ctx, f.effectiveStatus(), f.effectiveError(), "injected fault (POST /_hourglass/faults)");
        } else {
          OAuthResponses.error(ctx, f.effectiveStatus(), f.effectiveError(), "injected fault (POST /_hourglass/faults)");
        }
      };
      if (f.delay() != null && !f.delay().isZero()) {
        // A real-time delay: it exists to exercise the caller's timeouts, not the OP's clock.
        op.vertx.setTimer(f.delay().toMillis(), t -> answer.run());
      } else {
        answer.run();
      }
    };
  }

  void mountAdmin(Router r) {
    AdminAccess access = new AdminAccess(op.config.adminLoopbackOnly(), Optional.ofNullable(op.config.adminToken()));
    // clock_changed is recorded by the clock listener, so moves made in-process show up too.
    new ClockAdminRoutes(op.clock, null).mount(r, access);
    new AdminEndpoints(op).mount(r, access);
    new dev.hourglass.op.tamper.TamperRoutes(op.vertx, op.tampering, id -> op.client(id).isPresent()).mountAdmin(r, access);
  }

  /** Discovery and JWKS. */
  static final class Discovery {
    private final OpServer op;

    Discovery(OpServer op) {
      this.op = op;
    }

    void metadata(RoutingContext ctx) {
      Optional<TamperCase> tamper = op.tampering.take(TamperCase.Kind.DISCOVERY, null, "discovery");
      JsonObject m = new JsonObject()
          .put("issuer", tamper.orElse(null) == TamperCase.DISCOVERY_ISSUER_MISMATCH ? op.issuer() + "/tampered" : op.issuer())
          .put("authorization_endpoint", op.url("/authorize"))
          .put("token_endpoint", op.url("/token"))
          .put("userinfo_endpoint", op.url("/userinfo"))
          .put("jwks_uri", op.url("/jwks"))
          .put("end_session_endpoint", op.url("/logout"))
          .put("introspection_endpoint", op.url("/introspect"))
          .put("revocation_endpoint", op.url("/revoke"))
          .put("response_types_supported", new JsonArray().add("code"))
          .put("response_modes_supported", new JsonArray().add("query"))
          .put("grant_types_supported", new JsonArray().add("authorization_code").add("refresh_token").add("client_credentials"))
          .put("subject_types_supported", new JsonArray().add("public"))
          .put("id_token_signing_alg_values_supported", new JsonArray().add(op.keys.algorithm().getName()))
          .put("token_endpoint_auth_methods_supported", authMethods())
          .put("introspection_endpoint_auth_methods_supported", new JsonArray().add("client_secret_basic").add("client_secret_post"))
          .put("revocation_endpoint_auth_methods_supported", authMethods())
          .put("code_challenge_methods_supported", new JsonArray().add("S256"))
          .put("scopes_supported", new JsonArray().add("openid").add("profile").add("email").add("groups").add("offline_access"))
          .put("claims_supported", new JsonArray().add("sub").add("iss").add("aud").add("exp").add("iat").add("auth_time")
              .add("nonce").add("sid").add("azp").add("at_hash").add("name").add("given_name").add("preferred_username")
              .add("email").add("email_verified").add("groups"))
          .put("prompt_values_supported", new JsonArray().add("none").add("login"))
          .put("claims_parameter_supported", false)
          .put("request_parameter_supported", false)
          .put("request_uri_parameter_supported", false)
          .put("authorization_response_iss_parameter_supported", true)
          .put("backchannel_logout_supported", true)
          .put("backchannel_logout_session_supported", true)
          .put("frontchannel_logout_supported", true)
          .put("frontchannel_logout_session_supported", true);
      ctx.response().putHeader("Access-Control-Allow-Origin", "*");
      if (tamper.isPresent() && tamper.get() != TamperCase.DISCOVERY_ISSUER_MISMATCH) {
        HostileResponses.send(op.vertx, tamper.get(), ctx.response(), m.encode());
        return;
      }
      OAuthResponses.json(ctx, 200, m);
    }

    private static JsonArray authMethods() {
      return new JsonArray().add("client_secret_basic").add("client_secret_post").add("none");
    }

    void jwks(RoutingContext ctx) {
      op.jwksRequests.incrementAndGet();
      Map<String, Object> set = op.keys.publicJwks(op.clock.instant()).toJSONObject(true);
      Optional<TamperCase> tamper = op.tampering.take(TamperCase.Kind.JWKS, null, "jwks");
      if (tamper.isPresent()) {
        HostileResponses.send(op.vertx, tamper.get(), ctx.response(), new JsonObject(set).encode());
        return;
      }
      ctx.response()
          .setStatusCode(200)
          .putHeader("Content-Type", "application/json")
          .putHeader("Access-Control-Allow-Origin", "*")
          .putHeader("Cache-Control", "no-cache")
          .end(new JsonObject(set).encode());
    }
  }
}
