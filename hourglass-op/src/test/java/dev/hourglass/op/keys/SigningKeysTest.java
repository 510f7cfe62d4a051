package dev.hourglass.op.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SigningKeysTest {
  final Instant t0 = Instant.parse("2030-01-01T00:00:00Z");

  @Test
  void rotatedKeyIsPublishedUntilGraceEndsExactly() {
    SigningKeys keys = new SigningKeys("ES256", Duration.ofHours(1));
    String old = keys.currentKid();
    SignedJWT jwt = keys.sign(new JWTClaimsSet.Builder().subject("x").build(), "JWT");
    String next = keys.rotate(t0);
    assertThat(next).isNotEqualTo(old);
    assertThat(keys.publicJwks(t0.plus(Duration.ofHours(1)).minusMillis(1)).getKeyByKeyId(old)).isNotNull();
    assertThat(keys.verify(jwt, t0.plusSeconds(3599))).isTrue();
    assertThat(keys.publicJwks(t0.plus(Duration.ofHours(1))).getKeyByKeyId(old)).isNull();
    assertThat(keys.verify(jwt, t0.plus(Duration.ofHours(1)))).isFalse();
  }

  @Test
  void verifyRefusesForeignKeysAndTampering() throws Exception {
    SigningKeys mine = new SigningKeys("RS256", Duration.ZERO);
    SigningKeys other = new SigningKeys("RS256", Duration.ZERO);
    SignedJWT foreign = other.sign(new JWTClaimsSet.Builder().subject("x").build(), null);
    assertThat(mine.verify(foreign, t0)).isFalse();
    SignedJWT ok = mine.sign(new JWTClaimsSet.Builder().subject("x").build(), null);
    String[] p = ok.serialize().split("\\.");
    SignedJWT tampered = SignedJWT.parse(p[0] + "." + other.sign(new JWTClaimsSet.Builder().subject("y").build(), null)
        .serialize().split("\\.")[1] + "." + p[2]);
    assertThat(mine.verify(tampered, t0)).isFalse();
    assertThat(mine.verify(ok, t0)).isTrue();
  }

  @Test
  void onlyRs256AndEs256() {
    assertThatThrownBy(() -> new SigningKeys("HS256", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("alg");
  }
}
