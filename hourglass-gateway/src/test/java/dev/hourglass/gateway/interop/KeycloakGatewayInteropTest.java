package dev.hourglass.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * The gateway against Keycloak 26 ({@code ../shared/peers}, realm {@code hourglass}, user
 * alice/alice), on real time. Keycloak starts once per test run (~20-100 s): {@code ./test}
 * launches {@code interop/gateway/peer.sh start keycloak} in the background before Maven and this
 * class reuses it (peer.sh waits for a start in progress); run alone, this class starts it. The
 * running Keycloak's client is re-pointed at this gateway with {@code configure-client.sh}
 * (redirect, post-logout and back-channel URIs; 20 s access tokens) in about a second.
 */
@Tag("interop")
class KeycloakGatewayInteropTest extends RealOpScenarios {

  @BeforeAll
  void startPeerAndGateway() {
    gw = new GatewayUnderTest();
    String url = Peers.start(peer(), Map.of());
    Peers.configureKeycloak(Map.of(
        "REDIRECT_URIS", gw.url("/oauth2/callback"),
        "POST_LOGOUT_REDIRECT_URIS", gw.url("/"),
        "BACKCHANNEL_LOGOUT_URI", gw.backchannelLogoutUri(),
        "ACCESS_TTL", String.valueOf(ACCESS_TTL_S),
        "REFRESH_TTL", "600"));
    startGateway(url);
  }

  @Override
  String peer() {
    return "keycloak";
  }

  @Override
  String user() {
    return "alice";
  }

  @Override
  String password() {
    return "alice";
  }

  @Override
  void assertSubject(String sub) {
    // Keycloak's sub is the user's id (a UUID), not the username.
    assertThat(sub).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  }

  @Override
  boolean rotatesRefreshTokens() {
    return false; // Keycloak issues a new refresh token per refresh but accepts the old one (revokeRefreshToken off)
  }
}
