package dev.hourglass.gateway.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.gateway.session.SessionIds;
import org.junit.jupiter.api.Test;

class CsrfTokensTest {
  final SecretKeys keys = SecretKeys.fromSecret("csrf test secret that is long enough!!");
  final CsrfTokens csrf = keys.csrfTokens();
  final String session = SessionIds.newId();

  @Test
  void tokenVerifiesForItsSessionAndPurpose() {
    String token = csrf.tokenFor(session);
    assertThat(token).hasSize(43);
    assertThat(csrf.verify(session, token)).isTrue();
    assertThat(csrf.tokenFor(session)).isEqualTo(token);
    assertThat(csrf.verify(session, "sign-out", token)).isTrue();
  }

  @Test
  void tokenOfAnotherSessionPurposeOrKeyIsRefused() {
    String token = csrf.tokenFor(session);
    assertThat(csrf.verify(SessionIds.newId(), token)).isFalse();
    assertThat(csrf.verify(session, "delete-account", token)).isFalse();
    assertThat(SecretKeys.fromSecret("another csrf secret that is long enough").csrfTokens().verify(session, token)).isFalse();
    // The cookie-MAC key is a different key: a MAC made with it is not a CSRF token.
    assertThat(new CsrfTokens(keys.cookieMacKey()).tokenFor(session)).isNotEqualTo(token);
  }

  @Test
  void malformedTokensAreFalseNeverAnException() {
    String token = csrf.tokenFor(session);
    char c = token.charAt(10);
    assertThat(csrf.verify(session, token.substring(0, 10) + (c == 'A' ? 'B' : 'A') + token.substring(11))).isFalse();
    for (String bad : new String[] {null, "", "x", token + "A", token.substring(1), "!".repeat(43), "A".repeat(100_000)}) {
      assertThat(csrf.verify(session, bad)).as(String.valueOf(bad)).isFalse();
    }
    assertThat(csrf.verify(null, token)).isFalse();
    assertThat(csrf.verify("", token)).isFalse();
    assertThat(csrf.verify(session, null, token)).isFalse();
    assertThat(csrf.verify(session, "a\nb", token)).isFalse();
  }

  @Test
  void badArgumentsFailFast() {
    assertThatThrownBy(() -> csrf.tokenFor("")).hasMessageStartingWith("sessionId:");
    assertThatThrownBy(() -> new CsrfTokens(new byte[8])).hasMessageStartingWith("key:");
  }
}
