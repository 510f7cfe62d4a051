package dev.hourglass.gateway.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SecretKeysTest {
  static final String SECRET = "correct horse battery staple 0123456789";

  @Test
  void hkdfMatchesRfc5869TestCase1() {
    HexFormat hex = HexFormat.of();
    byte[] ikm = hex.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    byte[] salt = hex.parseHex("000102030405060708090a0b0c");
    byte[] info = hex.parseHex("f0f1f2f3f4f5f6f7f8f9");
    assertThat(hex.formatHex(SecretKeys.extract(salt, ikm)))
        .isEqualTo("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
    assertThat(hex.formatHex(SecretKeys.hkdf(salt, ikm, info, 42)))
        .isEqualTo("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  }

  @Test
  void hkdfMatchesRfc5869TestCase3WithoutSaltOrInfo() {
    HexFormat hex = HexFormat.of();
    byte[] ikm = hex.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    assertThat(hex.formatHex(SecretKeys.hkdf(new byte[0], ikm, new byte[0], 42)))
        .isEqualTo("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  }

  @Test
  void everyPurposeGetsItsOwnKey() {
    SecretKeys keys = SecretKeys.fromSecret(SECRET);
    List<byte[]> all = List.of(keys.sessionEncryptionKey(), keys.cookieMacKey(), keys.transactionKey(), keys.csrfKey(), keys.storeKeyKey());
    Set<String> distinct = all.stream().map(HexFormat.of()::formatHex).collect(Collectors.toSet());
    assertThat(distinct).hasSize(5);
    assertThat(all).allSatisfy(k -> assertThat(k).hasSize(32));
  }

  @Test
  void derivationIsDeterministicAndSecretSensitive() {
    assertThat(SecretKeys.fromSecret(SECRET).sessionEncryptionKey()).isEqualTo(SecretKeys.fromSecret(SECRET).sessionEncryptionKey());
    assertThat(SecretKeys.fromSecret(SECRET + "!").sessionEncryptionKey()).isNotEqualTo(SecretKeys.fromSecret(SECRET).sessionEncryptionKey());
  }

  @Test
  void shortOrMissingSecretsAreRefusedWithTheKeyName() {
    for (String bad : new String[] {null, "", "x".repeat(31), "ü".repeat(31)}) {
      assertThatThrownBy(() -> SecretKeys.fromSecret(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("secret: must be at least 32 characters");
    }
    assertThat(SecretKeys.fromSecret("x".repeat(32))).isNotNull();
  }

  @Test
  void keysAreCopiesAndNeverPrinted() {
    SecretKeys keys = SecretKeys.fromSecret(SECRET);
    keys.csrfKey()[0] ^= 1;
    assertThat(keys.csrfKey()).isEqualTo(SecretKeys.fromSecret(SECRET).csrfKey());
    assertThat(keys.toString()).doesNotContain(SECRET).contains("redacted");
  }
}
