package dev.hourglass.op;

import static dev.hourglass.op.OpTestClient.params;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.hourglass.core.config.ConfigException;
import dev.hourglass.op.junit.DevOpExtension;
import dev.hourglass.op.tamper.TamperCase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The hostile mode's controls: admin API, per-client config, per-request parameter, events. */
class TamperModeTest {
  @RegisterExtension
  DevOpExtension ext = new DevOpExtension();

  OpTestClient client;

  @BeforeEach
  void setUp() {
    client = new OpTestClient(ext.vertx(), ext.op());
  }

  @Test
  void armedByTheAdminApiTheNextIdTokenIsBrokenOnceAndRecorded() throws Exception {
    var r = client.admin(HttpMethod.POST, "/_hourglass/tamper", "{\"case\": \"aud-wrong\", \"client-id\": \"gateway\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getJsonArray("armed")).hasSize(1);
    JWTClaimsSet broken = OpTestClient.claims(client.login("alice").getString("id_token"));
    assertThat(broken.getAudience()).containsExactly("not-gateway");
    assertThat(ext.op().events().snapshot()).filteredOn(e -> e.type().equals("tampered"))
        .extracting(e -> e.field("case")).containsExactly("aud-wrong");
    JWTClaimsSet honest = OpTestClient.claims(client.login("alice").getString("id_token"));
    assertThat(honest.getAudience()).containsExactly("gateway");
  }

  @Test
  void badAdminRequestsGet400WithAMessage() {
    assertThat(client.admin(HttpMethod.POST, "/_hourglass/tamper", "{\"case\": \"nope\"}").bodyAsString())
        .contains("unknown tamper case 'nope'").contains("iss-suffix");
    assertThat(client.admin(HttpMethod.POST, "/_hourglass/tamper", "{\"case\": \"alg-none\", \"client-id\": \"ghost\"}").statusCode()).isEqualTo(400);
    assertThat(client.admin(HttpMethod.POST, "/_hourglass/tamper", "{\"case\": \"alg-none\", \"count\": 0}").statusCode()).isEqualTo(400);
    assertThat(client.admin(HttpMethod.POST, "/_hourglass/tamper", "{\"case\": \"alg-none\", \"x\": 1}").statusCode()).isEqualTo(400);
    assertThat(client.admin(HttpMethod.POST, "/_hourglass/tamper", "not json").statusCode()).isEqualTo(400);
  }

  @Test
  void deleteDisarmsAndGetListsEveryCase() {
    client.admin(HttpMethod.POST, "/_hourglass/tamper", "{\"case\": \"alg-none\", \"count\": 5}");
    JsonObject after = client.admin(HttpMethod.DELETE, "/_hourglass/tamper", null).bodyAsJsonObject();
    assertThat(after.getJsonArray("armed")).isEmpty();
    assertThat(after.getJsonArray("cases")).hasSize(TamperCase.values().length);
    assertThat(OpTestClient.claims(client.login("alice").getString("id_token")).getAudience()).containsExactly("gateway");
  }

  @Test
  void aPerRequestTamperParameterIsIgnoredUnlessEnabled() {
    Map<String, String> p = OpTestClient.gatewayAuthorize("alice", null);
    p.put("tamper", "alg-none");
    assertThat(client.authorize(p).statusCode()).isEqualTo(302);
    assertThat(ext.op().events().count("tamper_armed")).isZero();
  }

  @Test
  void theConfigKeysParseAndUnknownCasesNameTheKey() {
    OpConfig c = OpConfig.parse("op.yaml", """
        tamper: { per-request: true }
        clients:
          - client-id: x
            redirect-uris: [http://127.0.0.1:1/cb]
            tamper: SIG-BITFLIP
        """, Map.of());
    assertThat(c.tamper().perRequest()).isTrue();
    assertThat(c.clients().get(0).tamper()).isEqualTo("sig-bitflip");
    Assertions.assertThatThrownBy(() -> OpConfig.parse("op.yaml", """
        clients:
          - client-id: x
            redirect-uris: [http://127.0.0.1:1/cb]
            tamper: bogus
        """, Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("tamper").hasMessageContaining("bogus");
    assertThat(params("a", "b")).containsEntry("a", "b");
  }
}
