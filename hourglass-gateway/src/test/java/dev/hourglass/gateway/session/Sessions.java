package dev.hourglass.gateway.session;

import dev.hourglass.core.model.TokenSet;
import dev.hourglass.gateway.crypto.SecretKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Test fixtures: keys and realistic sessions. */
final class Sessions {
  static final String SECRET = "session store test secret, long enough to use";
  static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

  private Sessions() {}

  static SecretKeys keys() {
    return SecretKeys.fromSecret(SECRET);
  }

  static SessionCodec codec() {
    return SessionCodec.of(keys());
  }

  static Session session(String sub, String sid) {
    return session(SessionIds.newId(), "http://127.0.0.1:9090", sub, sid, T0);
  }

  static Session session(String id, String issuer, String sub, String sid, Instant at) {
    TokenSet tokens = new TokenSet("at-" + sub, "Bearer", "openid profile", at, at.plus(Duration.ofHours(1)),
        "eyJ.id.token", at, at.plus(Duration.ofHours(1)), "rt-" + sub, at.plus(Duration.ofHours(8)), null);
    Map<String, Object> claims = Map.of("sub", sub, "iss", issuer, "aud", List.of("gateway"),
        "exp", at.plus(Duration.ofHours(1)).getEpochSecond(), "groups", List.of("a", "b"),
        "address", Map.of("country", "NL"));
    return new Session(id, at, at, sub, sid, issuer, tokens, claims, Map.of("email", sub + "@example.com"), 1);
  }
}
