package dev.hourglass.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * The gateway against panva's oidc-provider 9 (OpenID Certified; {@code ../shared/peers}), on real
 * time. The peer is (re)started for this class with its client registration pointing at this
 * gateway, 20 s access/ID tokens and refresh-token rotation on every refresh
 * ({@code ROTATE_REFRESH=always}); it is stopped afterwards unless {@code KEEP_PEERS=1}.
 */
@Tag("interop")
class OidcProviderGatewayInteropTest extends RealOpScenarios {

  @BeforeAll
  void startPeerAndGateway() {
    gw = new GatewayUnderTest();
    Peers.stop(peer()); // its settings are fixed at start: never reuse one started for something else
    String url = Peers.start(peer(), Map.of(
        "PEER_PORT", String.valueOf(GatewayUnderTest.freePort()),
        "REDIRECT_URIS", gw.url("/oauth2/callback"),
        "POST_LOGOUT_REDIRECT_URIS", gw.url("/"),
        "BACKCHANNEL_LOGOUT_URI", gw.backchannelLogoutUri(),
        "ACCESS_TTL", String.valueOf(ACCESS_TTL_S),
        "ID_TTL", String.valueOf(ACCESS_TTL_S),
        "REFRESH_TTL", "600",
        "ROTATE_REFRESH", "always",
        "AUTO_CONSENT", "1"));
    startGateway(url);
  }

  @Override
  String peer() {
    return "oidc-provider";
  }

  @Override
  String user() {
    return "alice";
  }

  @Override
  String password() {
    return "any-password";
  }

  @Override
  void assertSubject(String sub) {
    assertThat(sub).isEqualTo("alice"); // devInteractions: the login name becomes sub
  }

  @Override
  boolean rotatesRefreshTokens() {
    return true;
  }
}
