package dev.hourglass.op;

import static dev.hourglass.op.OpTestClient.params;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.op.junit.DevOpExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Hostile and malformed requests get OAuth error JSON with a 4xx; never a 500. */
class MalformedRequestsTest {
  @RegisterExtension
  static DevOpExtension ext = new DevOpExtension();

  static OpTestClient client;

  @BeforeAll
  static void setUp() {
    client = new OpTestClient(ext.vertx(), ext.op());
  }

  private static HttpResponse<Buffer> raw(HttpMethod method, String path, String contentType, String body, String auth) {
    var r = client.web.requestAbs(method, client.url(path));
    if (contentType != null) r.putHeader("Content-Type", contentType);
    if (auth != null) r.putHeader("Authorization", auth);
    return OpTestClient.await(body == null ? r.send() : r.sendBuffer(Buffer.buffer(body)));
  }

  static Stream<Arguments> tokenRequests() {
    String basic = "Basic " + Base64.getEncoder().encodeToString("gateway:gateway-secret".getBytes());
    String form = "application/x-www-form-urlencoded";
    return Stream.of(
        Arguments.of("no body", form, "", basic, 400, "invalid_request"),
        Arguments.of("json body", "application/json", "{\"grant_type\":\"client_credentials\"}", basic, 400, "invalid_request"),
        Arguments.of("no content type", null, "grant_type=client_credentials", basic, 400, "invalid_request"),
        Arguments.of("unknown grant", form, "grant_type=password&username=a&password=b", basic, 400, "unsupported_grant_type"),
        Arguments.of("duplicate grant_type", form, "grant_type=client_credentials&grant_type=client_credentials", basic, 400, "invalid_request"),
        Arguments.of("bad percent encoding", form, "grant_type=%zz&code=%", basic, 400, null),
        Arguments.of("no client auth", form, "grant_type=client_credentials", null, 401, "invalid_client"),
        Arguments.of("basic not base64", form, "grant_type=client_credentials", "Basic ***", 401, "invalid_client"),
        Arguments.of("basic without colon", form, "grant_type=client_credentials",
            "Basic " + Base64.getEncoder().encodeToString("gateway".getBytes()), 401, "invalid_client"),
        Arguments.of("basic and another client_id", form, "grant_type=client_credentials&client_id=demo-spa", basic, 400, "invalid_request"),
        Arguments.of("bearer instead of basic", form, "grant_type=client_credentials", "Bearer abc", 401, "invalid_client"),
        Arguments.of("basic and post secret", form, "grant_type=client_credentials&client_secret=x", basic, 400, "invalid_request"),
        Arguments.of("unknown client", form, "grant_type=client_credentials&client_id=nobody&client_secret=x", null, 401, "invalid_client"),
        Arguments.of("client assertion", form, "grant_type=client_credentials&client_id=gateway&client_assertion=x", null, 401, "invalid_client"),
        Arguments.of("code missing", form, "grant_type=authorization_code", basic, 400, "invalid_request"),
        Arguments.of("code unknown", form, "grant_type=authorization_code&code=abc&redirect_uri=x", basic, 400, "invalid_grant"),
        Arguments.of("refresh missing", form, "grant_type=refresh_token", basic, 400, "invalid_request"),
        Arguments.of("very long value", form, "grant_type=refresh_token&refresh_token=" + "a".repeat(9000), basic, 400, "invalid_request"),
        Arguments.of("binary junk", form, "\u0000\u0001\u0002=\u00ff", basic, 400, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tokenRequests")
  void tokenEndpointAnswersOAuthErrors(String name, String contentType, String body, String auth, int status, String error) {
    HttpResponse<Buffer> r = raw(HttpMethod.POST, "/token", contentType, body, auth);
    assertThat(r.statusCode()).as(name).isEqualTo(status);
    assertThat(r.getHeader("Content-Type")).startsWith("application/json");
    JsonObject o = r.bodyAsJsonObject();
    assertThat(o.getString("error")).isNotBlank();
    if (error != null) assertThat(o.getString("error")).isEqualTo(error);
    assertThat(o.getString("error_description")).isNotBlank();
    if (status == 401) assertThat(r.getHeader("WWW-Authenticate")).isNotNull();
  }

  @Test
  void oversizedBodyIs413Json() {
    HttpResponse<Buffer> r = raw(HttpMethod.POST, "/token", "application/x-www-form-urlencoded",
        "grant_type=client_credentials&x=" + "a".repeat(200_000), null);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
  }

  @Test
  void wrongMethodsAre405Json() {
    assertThat(raw(HttpMethod.GET, "/token", null, null, null).statusCode()).isEqualTo(405);
    assertThat(raw(HttpMethod.PUT, "/introspect", null, null, null).statusCode()).isEqualTo(405);
    assertThat(raw(HttpMethod.DELETE, "/userinfo", null, null, null).statusCode()).isEqualTo(405);
  }

  @Test
  void introspectAndRevokeRejectMalformedInput() {
    String basic = "Basic " + Base64.getEncoder().encodeToString("gateway:gateway-secret".getBytes());
    HttpResponse<Buffer> noToken = raw(HttpMethod.POST, "/introspect", "application/x-www-form-urlencoded", "", basic);
    assertThat(noToken.statusCode()).isEqualTo(400);
    assertThat(noToken.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
    HttpResponse<Buffer> json = raw(HttpMethod.POST, "/revoke", "application/json", "{}", basic);
    assertThat(json.statusCode()).isEqualTo(400);
    HttpResponse<Buffer> noAuth = raw(HttpMethod.POST, "/revoke", "application/x-www-form-urlencoded", "token=x", null);
    assertThat(noAuth.statusCode()).isEqualTo(401);
  }

  @Test
  void authorizeAndLogoutWithJunkNeverAnswer500() {
    for (String q : new String[] {"", "?client_id=", "?client_id=%zz", "?client_id=gateway&redirect_uri=%%%",
        "?client_id=gateway&client_id=demo-spa", "?" + "a=b&".repeat(500)}) {
      assertThat(raw(HttpMethod.GET, "/authorize" + q, null, null, null).statusCode()).as(q).isBetween(300, 499);
      assertThat(raw(HttpMethod.GET, "/logout" + q, null, null, null).statusCode()).as(q).isBetween(200, 499);
    }
    assertThat(raw(HttpMethod.POST, "/logout/confirm", "application/x-www-form-urlencoded", "xsrf=%zz", null).statusCode())
        .isBetween(400, 499);
    assertThat(raw(HttpMethod.POST, "/login", "application/x-www-form-urlencoded", "tx=&username=", null).statusCode())
        .isEqualTo(400);
  }

  @Test
  void hugeQueryStringIsRefusedNotCrashed() {
    int status = raw(HttpMethod.GET, "/authorize?client_id=" + "a".repeat(40_000), null, null, null).statusCode();
    assertThat(status).isBetween(400, 499);
  }
}
