package dev.hourglass.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoginTransactionTest {
  @Test
  void startMakesFreshRandomValuesAndAnS256Challenge() {
    LoginTransaction a = LoginTransaction.start("http://op", "/app", Sessions.T0);
    LoginTransaction b = LoginTransaction.start("http://op", "/app", Sessions.T0);
    assertThat(a.state()).isNotEqualTo(b.state()).hasSize(43);
    assertThat(a.nonce()).isNotEqualTo(b.nonce());
    assertThat(a.codeVerifier()).isNotEqualTo(b.codeVerifier()).matches("[A-Za-z0-9._~-]{43,128}");
    assertThat(a.expiresAt(Duration.ofMinutes(10))).isEqualTo(Sessions.T0.plusSeconds(600));
    assertThat(a.toString()).doesNotContain(a.state()).doesNotContain(a.codeVerifier());
  }

  @Test
  void pkceChallengeMatchesRfc7636AppendixB() {
    LoginTransaction tx = new LoginTransaction(SessionIds.newId(), "n", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "/", Sessions.T0, "iss");
    assertThat(tx.codeChallenge()).isEqualTo("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  }

  @Test
  void invalidFieldsAreRefused() {
    assertThatThrownBy(() -> new LoginTransaction("short", "n", "v".repeat(43), "/", Sessions.T0, "i")).hasMessageStartingWith("state:");
    assertThatThrownBy(() -> new LoginTransaction(SessionIds.newId(), "", "v".repeat(43), "/", Sessions.T0, "i")).hasMessageStartingWith("nonce:");
    assertThatThrownBy(() -> new LoginTransaction(SessionIds.newId(), "n", "v".repeat(42), "/", Sessions.T0, "i")).hasMessageStartingWith("codeVerifier:");
    assertThatThrownBy(() -> new LoginTransaction(SessionIds.newId(), "n", "v".repeat(43) + "+", "/", Sessions.T0, "i")).hasMessageStartingWith("codeVerifier:");
  }
}
