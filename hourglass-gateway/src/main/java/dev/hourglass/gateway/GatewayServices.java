package dev.hourglass.gateway;

import dev.hourglass.core.event.EventLog;
import dev.hourglass.gateway.crypto.CsrfTokens;
import dev.hourglass.gateway.authz.PathRules;
import dev.hourglass.gateway.oidc.OidcProvider;
import dev.hourglass.gateway.proxy.IdentityHeaders;
import dev.hourglass.gateway.proxy.UpstreamProxy;
import dev.hourglass.gateway.redirect.RedirectValidator;
import dev.hourglass.gateway.session.SessionCookie;
import dev.hourglass.gateway.session.SessionIds;
import dev.hourglass.gateway.session.SessionStore;
import dev.hourglass.gateway.session.TransactionCookie;
import dev.hourglass.gateway.token.SessionUpdates;
import dev.hourglass.gateway.token.TokenRefresher;
import java.time.Clock;

/**
 * Everything one running gateway shares between its handlers. Built once in {@link Gateway#start}.
 */
public record GatewayServices(
    GatewayConfig config,
    Clock clock,
    EventLog events,
    OidcProvider provider,
    SessionStore store,
    SessionIds ids,
    SessionCookie sessionCookie,
    TransactionCookie transactionCookie,
    RedirectValidator redirects,
    SessionUpdates updates,
    TokenRefresher refresher,
    IdentityHeaders identity,
    PathRules rules,
    UpstreamProxy upstream,
    CsrfTokens csrf) {

  /** The short hash used as the {@code session} field of events. */
  public String hash(String sessionId) {
    return sessionId == null ? null : ids.logHandle(sessionId);
  }
}
