package dev.hourglass.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.gateway.GatewayConfig;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdentityHeadersTest {
  private final IdentityHeaders plain = new IdentityHeaders(new GatewayConfig.Identity(null, Map.of("X-Dept", "org.dept"), null, null, null, null));

  @Test
  void identityHeadersInEverySpellingAreStripped() {
    MultiMap h = MultiMap.caseInsensitiveMultiMap()
        .add("x-forwarded-user", "a").add("X_Forwarded_User", "b").add("X-FORWARDED-EMAIL", "c")
        .add("x_forwarded_groups", "d").add("X-Forwarded-Preferred_Username", "e").add("x-dept", "f").add("X_DEPT", "g")
        .add("X-Auth-Request-User", "h").add("Remote-User", "i").add("remote_user", "j").add("OIDC_CLAIM_email", "k")
        .add("Forwarded", "for=1.2.3.4").add("X-Forwarded-For", "1.2.3.4").add("X-Forwarded-Id-Token", "l")
        .add("Accept", "text/html").add("Authorization", "Basic abc").add("X-Request-Id", "keep");
    plain.strip(h);
    assertThat(h.names()).containsExactlyInAnyOrder("Accept", "Authorization", "X-Request-Id");
  }

  @Test
  void authorizationIsStrippedOnlyWhenTheGatewaySetsIt() {
    IdentityHeaders bearer = new IdentityHeaders(new GatewayConfig.Identity(null, null, true, null, null, null));
    assertThat(bearer.spoofable("authorization")).isTrue();
    assertThat(plain.spoofable("Authorization")).isFalse();
  }

  @Test
  void headersComeFromClaimsWithNestedPathsAndCleanValues() {
    IdentityHeaders h = new IdentityHeaders(new GatewayConfig.Identity("email", Map.of("X-Dept", "org.dept", "X-Roles", "realm.roles"),
        true, true, null, true));
    Map<String, String> out = h.forSession(Map.of("sub", "u1", "email", "a@b.test", "groups", List.of("g1", "g2"),
        "preferred_username", "ann\r\nX-Evil: 1", "org", Map.of("dept", "it"), "realm", Map.of("roles", List.of("r1", "r2"))),
        "AT", "IDT");
    assertThat(out).containsEntry("X-Forwarded-User", "a@b.test")
        .containsEntry("X-Forwarded-Email", "a@b.test")
        .containsEntry("X-Forwarded-Groups", "g1,g2")
        .containsEntry("X-Forwarded-Preferred-Username", "ann  X-Evil: 1")
        .containsEntry("X-Dept", "it")
        .containsEntry("X-Roles", "r1,r2")
        .containsEntry("Authorization", "Bearer AT")
        .containsEntry("X-Forwarded-Id-Token", "IDT")
        .containsEntry("X-Auth-Request-User", "a@b.test");
  }

  @Test
  void missingClaimsSetNoHeader() {
    assertThat(plain.forSession(Map.of("sub", "u1"), "AT", "IDT")).containsOnlyKeys("X-Forwarded-User");
  }
}
