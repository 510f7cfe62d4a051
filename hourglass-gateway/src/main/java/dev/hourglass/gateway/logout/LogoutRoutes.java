package dev.hourglass.gateway.logout;

import com.nimbusds.jose.JWSAlgorithm;
import dev.hourglass.gateway.GatewayServices;
import dev.hourglass.gateway.crypto.SecretKeys;
import io.vertx.ext.web.Router;
import java.util.stream.Collectors;

/**
 * Mounts the logout endpoints (issue 4) on the gateway's router:
 * {@code GET|POST /oauth2/sign_out}, {@code POST /oauth2/backchannel-logout},
 * {@code GET /oauth2/frontchannel-logout}.
 */
public final class LogoutRoutes {
  private final SignOutHandler signOut;
  private final BackchannelLogoutHandler backchannel;
  private final FrontchannelLogoutHandler frontchannel;

  public LogoutRoutes(GatewayServices g) {
    LogoutPlanner planner = new LogoutPlanner(g.config(), g.provider());
    // The CSRF key is derived from session.secret like every other gateway key (HKDF, own label).
    this.signOut = new SignOutHandler(g, SecretKeys.fromSecret(g.config().session().secret()).csrfTokens(), planner,
        new EndSessionRequestBuilder(g.provider(), planner));
    LogoutTokenVerifier verifier = new LogoutTokenVerifier(g.clock(), g.config().provider().issuer(),
        g.config().provider().clientId(),
        g.config().provider().alg().stream().map(JWSAlgorithm::parse).collect(Collectors.toSet()),
        g.config().clockSkew(), () -> g.provider().jwks());
    this.backchannel = new BackchannelLogoutHandler(g, verifier);
    this.frontchannel = new FrontchannelLogoutHandler(g);
  }

  /** Call before the {@code /oauth2/*} catch-all. */
  public void mount(Router router) {
    router.get("/oauth2/sign_out").handler(signOut::handle);
    router.post("/oauth2/sign_out").handler(signOut::handle);
    router.post("/oauth2/backchannel-logout").handler(backchannel::handle);
    router.get("/oauth2/frontchannel-logout").handler(frontchannel::handle);
  }
}
