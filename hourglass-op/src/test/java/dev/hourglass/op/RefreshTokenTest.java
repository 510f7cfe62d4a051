package dev.hourglass.op;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.hourglass.core.clock.ControllableClock;
import dev.hourglass.core.event.Event;
import dev.hourglass.op.junit.DevOpExtension;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RefreshTokenTest {
  /** A fresh OP for one configuration. */
  private static DevOpExtension op(OpConfig config) {
    return DevOpExtension.builder().config(config).build();
  }

  private static <T> T with(OpConfig config, OpScenario<T> body) throws Exception {
    DevOpExtension ext = op(config);
    ext.beforeEach(null);
    try {
      return body.run(ext, new OpTestClient(ext.vertx(), ext.op()), ext.clock());
    } finally {
      ext.afterEach(null);
    }
  }

  interface OpScenario<T> {
    T run(DevOpExtension ext, OpTestClient client, ControllableClock clock) throws Exception;
  }

  @Test
  void rotationIssuesANewRefreshTokenAndTheNewOneWorks() throws Exception {
    with(OpConfig.demo(), (ext, client, clock) -> {
      JsonObject t = client.login("alice");
      clock.advance(Duration.ofMinutes(59));
      JsonObject r1 = client.refresh(t.getString("refresh_token"), 200);
      assertThat(r1.getString("refresh_token")).isNotEqualTo(t.getString("refresh_token"));
      JsonObject r2 = client.refresh(r1.getString("refresh_token"), 200);
      assertThat(r2.getString("access_token")).isNotEqualTo(r1.getString("access_token"));
      List<Event> issued = ext.events().matching(e -> e.type().equals("token_issued"));
      assertThat(issued).extracting(e -> e.field("grant_type"))
          .containsExactly("authorization_code", "refresh_token", "refresh_token");
      assertThat(issued).extracting(e -> e.field("family")).containsOnly(issued.get(0).field("family"));
      return null;
    });
  }

  @Test
  void reusedRotatedTokenUnderRevokeFamilyRevokesTheWholeFamilyIncludingTheNewestToken() throws Exception {
    with(OpConfig.demo().withReuseDetection(ReuseDetection.REVOKE_FAMILY), (ext, client, clock) -> {
      JsonObject t = client.login("alice");
      JsonObject r1 = client.refresh(t.getString("refresh_token"), 200);
      JsonObject reuse = client.refresh(t.getString("refresh_token"), 400);
      assertThat(reuse.getString("error")).isEqualTo("invalid_grant");
      assertThat(client.refresh(r1.getString("refresh_token"), 400).getString("error")).isEqualTo("invalid_grant");
      assertThat(client.introspect(r1.getString("access_token")).getBoolean("active")).isFalse();
      assertThat(client.introspect(t.getString("access_token")).getBoolean("active")).isFalse();
      assertThat(ext.events().count("refresh_reuse_detected")).isEqualTo(1);
      Event revoked = ext.events().matching(e -> e.type().equals("family_revoked")).get(0);
      assertThat(revoked.field("family")).isNotBlank();
      assertThat(revoked.field("client_id")).isEqualTo("gateway");
      assertThat(revoked.field("sub")).isEqualTo("alice");
      return null;
    });
  }

  @Test
  void reusedRotatedTokenUnderInvalidGrantFailsButTheFamilyLives() throws Exception {
    with(OpConfig.demo().withReuseDetection(ReuseDetection.INVALID_GRANT), (ext, client, clock) -> {
      JsonObject t = client.login("alice");
      JsonObject r1 = client.refresh(t.getString("refresh_token"), 200);
      assertThat(client.refresh(t.getString("refresh_token"), 400).getString("error")).isEqualTo("invalid_grant");
      assertThat(client.introspect(r1.getString("access_token")).getBoolean("active")).isTrue();
      client.refresh(r1.getString("refresh_token"), 200);
      assertThat(ext.events().count("refresh_reuse_detected")).isEqualTo(1);
      assertThat(ext.events().count("family_revoked")).isZero();
      return null;
    });
  }

  @Test
  void reusedRotatedTokenWithDetectionOffStillWorks() throws Exception {
    with(OpConfig.demo().withReuseDetection(ReuseDetection.OFF), (ext, client, clock) -> {
      JsonObject t = client.login("alice");
      client.refresh(t.getString("refresh_token"), 200);
      JsonObject again = client.refresh(t.getString("refresh_token"), 200);
      assertThat(again.getString("access_token")).isNotBlank();
      assertThat(ext.events().count("refresh_reuse_detected")).isZero();
      return null;
    });
  }

  @Test
  void withoutRotationTheSameRefreshTokenComesBack() throws Exception {
    with(OpConfig.demo().withRefreshRotation(false), (ext, client, clock) -> {
      JsonObject t = client.login("alice");
      JsonObject r1 = client.refresh(t.getString("refresh_token"), 200);
      assertThat(r1.getString("refresh_token")).isEqualTo(t.getString("refresh_token"));
      client.refresh(t.getString("refresh_token"), 200);
      assertThat(ext.events().count("refresh_reuse_detected")).isZero();
      return null;
    });
  }

  @Test
  void renewedIdTokenKeepsIssSubAudAuthTimeAzpSidAndHasNewIat() throws Exception {
    with(OpConfig.demo(), (ext, client, clock) -> {
      JsonObject t = client.login("alice");
      JWTClaimsSet first = OpTestClient.claims(t.getString("id_token"));
      clock.advance(Duration.ofMinutes(45));
      JsonObject r = client.refresh(t.getString("refresh_token"), 200);
      JWTClaimsSet renewed = OpTestClient.claims(r.getString("id_token"));
      assertThat(renewed.getIssuer()).isEqualTo(first.getIssuer());
      assertThat(renewed.getSubject()).isEqualTo(first.getSubject());
      assertThat(renewed.getAudience()).isEqualTo(first.getAudience());
      assertThat(renewed.getClaim("auth_time")).isEqualTo(first.getClaim("auth_time"));
      assertThat(renewed.getClaim("azp")).isEqualTo(first.getClaim("azp"));
      assertThat(renewed.getClaim("sid")).isEqualTo(first.getClaim("sid"));
      assertThat(renewed.getClaim("nonce")).isNull();
      assertThat(renewed.getIssueTime().getTime() - first.getIssueTime().getTime()).isEqualTo(45 * 60_000L);
      return null;
    });
  }

  @Test
  void refreshReturnsIdTokenFalseMeansNoIdTokenInTheRefreshResponse() throws Exception {
    with(OpConfig.demo().withRefreshReturnsIdToken(false), (ext, client, clock) -> {
      JsonObject t = client.login("alice");
      assertThat(t.getString("id_token")).isNotNull();
      JsonObject r = client.refresh(t.getString("refresh_token"), 200);
      assertThat(r.containsKey("id_token")).isFalse();
      assertThat(r.getString("access_token")).isNotNull();

      // switched at runtime, per client
      ext.op().setRefreshReturnsIdToken("gateway", true);
      assertThat(client.refresh(r.getString("refresh_token"), 200).getString("id_token")).isNotNull();
      return null;
    });
  }

  @Test
  void perClientRefreshReturnsIdTokenOverridesTheGlobalValue() throws Exception {
    OpConfig cfg = OpConfig.demo().withClient(OpConfig.demo().client("gateway").orElseThrow().withRefreshReturnsIdToken(false));
    with(cfg, (ext, client, clock) -> {
      JsonObject t = client.login("alice");
      assertThat(client.refresh(t.getString("refresh_token"), 200).containsKey("id_token")).isFalse();
      return null;
    });
  }

  @Test
  void refreshTokenDiesAtTheAbsoluteRefreshTtl() throws Exception {
    with(OpConfig.demo().withRefreshTtl(Duration.ofHours(2)), (ext, client, clock) -> {
      JsonObject t = client.login("alice");
      assertThat(t.getLong("refresh_expires_in")).isEqualTo(7200);
      clock.advance(Duration.ofMinutes(119));
      JsonObject r = client.refresh(t.getString("refresh_token"), 200);
      assertThat(r.getLong("refresh_expires_in")).isEqualTo(60);
      clock.advance(Duration.ofMinutes(1));
      JsonObject dead = client.refresh(r.getString("refresh_token"), 400);
      assertThat(dead.getString("error")).isEqualTo("invalid_grant");
      assertThat(dead.getString("error_description")).contains("refresh-ttl");
      assertThat(client.introspect(r.getString("refresh_token")).getBoolean("active")).isFalse();
      return null;
    });
  }

  @Test
  void refreshTokenDiesAfterTheIdleTtlWithoutUse() throws Exception {
    OpConfig cfg = OpConfig.demo().withTokens(new OpConfig.Tokens(null, null, null, null, Duration.ofMinutes(30), null, null, null, null));
    with(cfg, (ext, client, clock) -> {
      JsonObject t = client.login("alice");
      clock.advance(Duration.ofMinutes(29));
      JsonObject r = client.refresh(t.getString("refresh_token"), 200);
      clock.advance(Duration.ofMinutes(30));
      assertThat(client.refresh(r.getString("refresh_token"), 400).getString("error_description")).contains("refresh-idle-ttl");
      return null;
    });
  }

  @Test
  void refreshCannotWidenTheScopeButCanNarrowIt() throws Exception {
    with(OpConfig.demo(), (ext, client, clock) -> {
      JsonObject t = client.login("alice");
      JsonObject wide = client.gatewayToken(OpTestClient.params("grant_type", "refresh_token",
          "refresh_token", t.getString("refresh_token"), "scope", "openid admin")).bodyAsJsonObject();
      assertThat(wide.getString("error")).isEqualTo("invalid_scope");
      JsonObject narrow = client.gatewayToken(OpTestClient.params("grant_type", "refresh_token",
          "refresh_token", t.getString("refresh_token"), "scope", "openid")).bodyAsJsonObject();
      assertThat(narrow.getString("scope")).isEqualTo("openid");
      return null;
    });
  }

  @Test
  void refreshTokenOfAnotherClientOrUnknownIsInvalidGrant() throws Exception {
    with(OpConfig.demo().withClient(OpConfig.Client.confidential("other", "o", OpTestClient.REDIRECT)), (ext, client, clock) -> {
      JsonObject t = client.login("alice");
      var r = client.token("other", "o", OpTestClient.params("grant_type", "refresh_token", "refresh_token", t.getString("refresh_token")));
      assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
      assertThat(client.refresh("not-a-token", 400).getString("error")).isEqualTo("invalid_grant");
      // the rightful owner can still use it
      client.refresh(t.getString("refresh_token"), 200);
      return null;
    });
  }
}
