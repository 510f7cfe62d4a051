package dev.hourglass.gateway.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.core.event.Event;
import dev.hourglass.op.tamper.TamperCase;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 6: every hostile ID-token, key and userinfo answer of the tampering dev OP, end to end
 * through the running gateway. Refused answers create no session, show a clear page and log one
 * precise reason; the cases the conformance suite says to accept log in.
 */
class HostileIdTokenTest {
  /** The reason code the gateway must log for each refused ID-token case. */
  static final Map<String, String> REASONS = Map.ofEntries(
      Map.entry("iss-suffix", "iss"), Map.entry("iss-trailing-slash", "iss"), Map.entry("iss-case", "iss"),
      Map.entry("sub-missing", "sub"), Map.entry("aud-wrong", "aud"), Map.entry("aud-missing", "aud"),
      Map.entry("aud-extra-untrusted", "aud"), Map.entry("azp-wrong", "azp"), Map.entry("iat-missing", "iat"),
      Map.entry("iat-future", "iat"), Map.entry("exp-past", "exp"), Map.entry("exp-missing", "exp"),
      Map.entry("exp-millis", "exp"), Map.entry("nbf-future", "nbf"), Map.entry("nonce-wrong", "nonce"),
      Map.entry("nonce-missing", "nonce"), Map.entry("sig-bitflip", "sig"), Map.entry("alg-none", "alg"),
      Map.entry("hs256-rsa-public-key", "alg"), Map.entry("alg-unexpected", "alg"), Map.entry("header-jku", "kid"),
      Map.entry("header-x5u", "kid"), Map.entry("header-jwk", "kid"), Map.entry("crit-unknown", "crit"));

  private static HostileHarness h;

  @BeforeAll
  static void start() {
    h = new HostileHarness().startOp().startGateway();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @BeforeEach
  void reset() {
    h.untamper();
    h.gateway.events().clear();
    h.op.events().clear();
  }

  static Stream<Arguments> refusedIdTokenCases() {
    return Arrays.stream(TamperCase.values())
        .filter(c -> c.kind() == TamperCase.Kind.ID_TOKEN && c.verdict() == TamperCase.Verdict.REFUSE)
        .map(c -> Arguments.of(c.configName()));
  }

  @Test
  void everyRefusedIdTokenCaseHasAnExpectedReason() {
    assertThat(refusedIdTokenCases().map(a -> (String) a.get()[0])).containsExactlyInAnyOrderElementsOf(REASONS.keySet());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedIdTokenCases")
  void refusedWithPreciseReasonAndNoSession(String tamperCase) {
    h.tamper(tamperCase);
    HostileHarness.Browser b = h.browser();
    HttpResponse<String> r = b.login("alice", "/after-login");
    String reason = "ID_TOKEN_REJECTED:" + REASONS.get(tamperCase);
    assertThat(h.opEventsOf("tampered")).as("the OP really tampered").extracting(e -> e.field("case")).containsExactly(tamperCase);
    assertThat(r.uri().getPath()).isEqualTo("/oauth2/callback");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
    assertThat(r.body()).contains("Login failed").contains("No session was created");
    assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
    assertThat(h.gatewayEventTypes()).as("gateway events").contains(reason).doesNotContain("LOGIN_OK");
    assertThat(HostileHarness.setsSessionCookie(r)).isFalse();
    assertThat(b.sessionCookie()).isEmpty();
    assertThat(b.signedIn()).isFalse();
    assertThat(h.upstreamRequests).isEmpty();
  }

  @Test
  void kidAbsentWithASingleRsaKeyAmongOtherKeyTypesIsAccepted() {
    // The JWKS must show the decoys when the gateway reads it: arm, then restart the gateway.
    h.tamper("kid-none-single-rsa");
    h.restartGateway("");
    assertThat(h.gateway.services().provider().jwks().candidates(
        new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.RS256)).result()).hasSize(1);
    loginSucceeds("kid-none-single-rsa");
  }

  @Test
  void kidAbsentWithSeveralRsaKeysIsAcceptedByTryingEachKey() {
    // Conformance allows refusing or trying every key; the gateway tries each (at most 5) RSA key.
    h.tamper("kid-none-multiple-rsa");
    h.restartGateway("");
    assertThat(h.gateway.services().provider().jwks().candidates(
        new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.RS256)).result()).hasSize(2);
    loginSucceeds("kid-none-multiple-rsa");
  }

  @Test
  void unknownKidIsAcceptedAfterOneRefetch() {
    h.clock.advance(Duration.ofSeconds(31)); // past the refetch cooldown of the startup fetch
    long before = h.gateway.services().provider().jwks().fetchCount();
    h.tamper("kid-unknown");
    loginSucceeds("kid-unknown");
    assertThat(h.gateway.services().provider().jwks().fetchCount()).isEqualTo(before + 1);
  }

  @Test
  void aKeyRotatedJustBeforeSigningIsAcceptedAfterOneRefetch() {
    h.clock.advance(Duration.ofSeconds(31));
    long before = h.gateway.services().provider().jwks().fetchCount();
    h.tamper("key-rotated-before-signing");
    loginSucceeds("key-rotated-before-signing");
    assertThat(h.opEvents("keys_rotated")).isEqualTo(1);
    assertThat(h.gateway.services().provider().jwks().fetchCount()).isEqualTo(before + 1);
  }

  @Test
  void anUnknownKidWithinTheCooldownIsRefusedNotRefetched() {
    h.restartGateway("");
    // The first unknown kid after start is refetched (a key rotated right after start must work) …
    h.tamper("kid-unknown");
    assertThat(h.browser().login("alice", "/").statusCode()).isEqualTo(302);
    long afterFirst = h.gateway.services().provider().jwks().fetchCount();
    // … the next one inside the cooldown costs the OP nothing and is refused.
    h.tamper("kid-unknown");
    HttpResponse<String> r = h.browser().login("alice", "/");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(h.gatewayEventTypes()).contains("ID_TOKEN_REJECTED:kid");
    assertThat(h.gateway.services().provider().jwks().fetchCount()).isEqualTo(afterFirst);
  }

  private void loginSucceeds(String tamperCase) {
    HostileHarness.Browser b = h.browser();
    HttpResponse<String> r = b.login("alice", "/after-login");
    assertThat(h.opEventsOf("tampered")).extracting(e -> e.field("case")).containsExactly(tamperCase);
    assertThat(r.statusCode()).as(r.body() + " " + h.gatewayEventTypes()).isEqualTo(302);
    assertThat(r.headers().firstValue("Location")).contains("/after-login");
    assertThat(h.gatewayEventTypes()).contains("LOGIN_OK");
    assertThat(b.signedIn()).isTrue();
  }

  @Test
  void userinfoAboutAnotherSubjectIsRefused() {
    h.tamper("userinfo-sub-mismatch");
    HostileHarness.Browser b = h.browser();
    HttpResponse<String> r = b.login("alice", "/");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("No session was created");
    assertThat(h.gatewayEventTypes()).contains("USERINFO_SUB_MISMATCH").doesNotContain("LOGIN_OK");
    assertThat(h.opEventsOf("tampered")).extracting(e -> e.field("case")).containsExactly("userinfo-sub-mismatch");
    assertThat(b.sessionCookie()).isEmpty();
    assertThat(b.signedIn()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refreshCases")
  void aRefreshedIdTokenWithAnotherIdentityEndsTheSession(String tamperCase, String reason) {
    HostileHarness.Browser b = h.browser();
    assertThat(b.login("alice", "/").statusCode()).isEqualTo(302);
    assertThat(b.signedIn()).isTrue();
    h.tamper(tamperCase);
    h.clock.advance(Duration.ofMinutes(59).plusSeconds(30)); // inside refresh-before-expiry
    HttpResponse<String> r = b.get("/api/x", "Accept", "application/json");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
    assertThat(h.opEventsOf("tampered")).extracting(e -> e.field("case")).containsExactly(tamperCase);
    assertThat(h.gatewayEventTypes()).contains("ID_TOKEN_REJECTED:" + reason);
    assertThat(b.signedIn()).isFalse();
    assertThat(h.upstreamRequests).isEmpty();
  }

  static Stream<Arguments> refreshCases() {
    return Stream.of(Arguments.of("refresh-iss-changed", "iss"), Arguments.of("refresh-sub-changed", "sub"),
        Arguments.of("refresh-aud-changed", "aud"));
  }

  @Test
  void anOpErrorWithHtmlIsShownEscapedNeverRaw() {
    h.tamper("authorize-error-html");
    HostileHarness.Browser b = h.browser();
    HttpResponse<String> r = b.login("alice", "/");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("access_denied").contains("&lt;script&gt;alert(document.cookie)&lt;/script&gt;")
        .contains("&lt;img src=x onerror=alert(1)&gt;")
        .doesNotContain("<script>").doesNotContain("<img");
    assertThat(r.headers().firstValue("Content-Security-Policy")).isPresent();
    assertThat(h.gatewayEventTypes()).contains("OP_ERROR:access_denied");
    assertThat(h.opEvents("token_issued")).isZero();
    assertThat(b.sessionCookie()).isEmpty();
  }

  @Test
  void aForgedStateMakesNoTokenCall() {
    HostileHarness.Browser b = h.browser();
    HttpResponse<String> start = b.get("/oauth2/start?login_hint=alice&rd=/");
    HttpResponse<String> op = b.get(start.headers().firstValue("Location").orElseThrow());
    String callback = op.headers().firstValue("Location").orElseThrow();
    String forged = callback.replaceAll("state=[^&]+", "state=forged-state");
    HttpResponse<String> r = b.get(forged);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(h.gatewayEventTypes()).contains("STATE_MISMATCH");
    assertThat(h.opEvents("token_issued")).isZero();
    assertThat(h.opEvents("token_error")).isZero();
    // Nor does a missing state, or a replay of the real one after it was used.
    assertThat(b.get(callback.replaceAll("state=[^&]+&?", "")).statusCode()).isEqualTo(400);
    assertThat(h.opEvents("token_issued")).isZero();
    assertThat(b.signedIn()).isFalse();
    assertThat(URI.create(callback).getPath()).isEqualTo("/oauth2/callback");
  }

  @Test
  void aTamperParameterOnTheAuthorizationRequestBreaksThatOneLogin() {
    HostileHarness.Browser b = h.browser();
    HttpResponse<String> start = b.get("/oauth2/start?login_hint=alice&rd=/");
    HttpResponse<String> op = b.get(start.headers().firstValue("Location").orElseThrow() + "&tamper=nonce-wrong");
    HttpResponse<String> cb = b.get(op.headers().firstValue("Location").orElseThrow());
    assertThat(cb.statusCode()).isEqualTo(401);
    assertThat(h.gatewayEventTypes()).contains("ID_TOKEN_REJECTED:nonce");
    assertThat(h.opEventsOf("tamper_armed")).extracting(e -> e.field("via")).containsExactly("authorize");
    assertThat(h.browser().login("alice", "/").statusCode()).isEqualTo(302);
  }

  @Test
  void theTamperedEventsNameTheCase() {
    h.tamper("aud-wrong");
    h.browser().login("alice", "/");
    List<Event> t = h.opEventsOf("tampered");
    assertThat(t).hasSize(1);
    assertThat(t.get(0).field("case")).isEqualTo("aud-wrong");
    assertThat(t.get(0).field("client_id")).isEqualTo(HostileHarness.CLIENT_ID);
    // Used up: the next login is honest.
    assertThat(h.browser().login("alice", "/").statusCode()).isEqualTo(302);
  }
}
