package dev.hourglass.gateway.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AeadTest {
  final SecretKeys keys = SecretKeys.fromSecret("an adequately long test secret for AES-GCM");
  final Aead aead = keys.sessionAead();
  final byte[] aad = "store-key-1".getBytes(StandardCharsets.US_ASCII);

  @Test
  void roundTripsWithTheSameAssociatedData() {
    String sealed = aead.encrypt("hello tokens".getBytes(StandardCharsets.UTF_8), aad);
    assertThat(sealed).startsWith("v1.").doesNotContain("hello").matches("v1\\.[A-Za-z0-9_-]+");
    assertThat(aead.decrypt(sealed, aad)).hasValueSatisfying(p -> assertThat(new String(p, StandardCharsets.UTF_8)).isEqualTo("hello tokens"));
    assertThat(aead.decrypt(aead.encrypt("x", "ctx"), "ctx")).contains("x");
    assertThat(aead.open(aead.seal(new byte[0], aad), aad)).hasValueSatisfying(p -> assertThat(p).isEmpty());
  }

  @Test
  void nonceIsFreshEveryTime() {
    byte[] p = "same".getBytes(StandardCharsets.UTF_8);
    assertThat(aead.encrypt(p, aad)).isNotEqualTo(aead.encrypt(p, aad));
  }

  @Test
  void everySingleBitFlipIsRejected() {
    byte[] sealed = aead.seal("secret session".getBytes(StandardCharsets.UTF_8), aad);
    for (int i = 0; i < sealed.length * 8; i++) {
      byte[] copy = sealed.clone();
      copy[i / 8] ^= (byte) (1 << (i % 8));
      assertThat(aead.open(copy, aad)).as("bit %d", i).isEmpty();
    }
  }

  @Test
  void tamperedTruncatedWrongKeyWrongAadAndGarbageAreEmpty() {
    String sealed = aead.encrypt("payload".getBytes(StandardCharsets.UTF_8), aad);
    String body = sealed.substring(3);
    char c = body.charAt(5);
    String tampered = "v1." + body.substring(0, 5) + (c == 'A' ? 'B' : 'A') + body.substring(6);
    assertThat(aead.decrypt(tampered, aad)).isEmpty();
    for (int cut = 0; cut < sealed.length(); cut++) {
      assertThat(aead.decrypt(sealed.substring(0, cut), aad)).as("cut at %d", cut).isEmpty();
    }
    assertThat(keys.transactionAead().decrypt(sealed, aad)).isEmpty();
    assertThat(SecretKeys.fromSecret("another adequately long test secret!!").sessionAead().decrypt(sealed, aad)).isEmpty();
    assertThat(aead.decrypt(sealed, "store-key-2".getBytes(StandardCharsets.US_ASCII))).isEmpty();
    assertThat(aead.decrypt("v2." + body, aad)).isEmpty();
    assertThat(aead.decrypt(sealed + "=", aad)).isEmpty();
    assertThat(aead.decrypt(sealed + "AAAA", aad)).isEmpty();
    assertThat(aead.decrypt("v1.!!!!", aad)).isEmpty();
    assertThat(aead.decrypt("v1.", aad)).isEmpty();
    assertThat(aead.decrypt("", aad)).isEmpty();
    assertThat(aead.decrypt(null, aad)).isEmpty();
    assertThat(aead.decrypt(sealed, (byte[]) null)).isEmpty();
    assertThat(aead.open(null, aad)).isEmpty();
    assertThat(aead.open(new byte[0], aad)).isEmpty();
    assertThat(aead.open(new byte[] {1, 2, 3}, aad)).isEmpty();
  }

  @Test
  void oversizedInputIsRefusedUnread() {
    Aead small = new Aead(keys.sessionEncryptionKey(), 64);
    assertThatThrownBy(() -> small.seal(new byte[65], aad)).isInstanceOf(IllegalArgumentException.class);
    String ok = small.encrypt(new byte[64], aad);
    assertThat(small.decrypt(ok, aad)).isPresent();
    String big = "v1." + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[12 + 65 + 16]);
    assertThat(small.decrypt(big, aad)).isEmpty();
    assertThat(aead.decrypt("v1." + "A".repeat(10_000_000), aad)).isEmpty();
    assertThat(aead.open(new byte[Aead.DEFAULT_MAX_PLAINTEXT + 100], aad)).isEmpty();
  }

  @Test
  void badKeysAreRefused() {
    assertThatThrownBy(() -> new Aead(new byte[16])).hasMessageStartingWith("key:");
    assertThatThrownBy(() -> new Aead(null)).hasMessageStartingWith("key:");
    assertThat(aead.toString()).contains("redacted");
  }

  @Test
  void randomInputsNeverThrowAndNeverDecrypt() {
    Random random = new Random(42);
    String valid = aead.encrypt("x".getBytes(StandardCharsets.UTF_8), aad);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ %\u0000\u00e9";
    for (int i = 0; i < 5000; i++) {
      String input;
      switch (i % 3) {
        case 0 -> {
          StringBuilder sb = new StringBuilder(random.nextBoolean() ? "v1." : "");
          int n = random.nextInt(200);
          for (int j = 0; j < n; j++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
          }
          input = sb.toString();
        }
        case 1 -> {
          char[] chars = valid.toCharArray();
          int k = 3 + random.nextInt(chars.length - 3);
          chars[k] = alphabet.charAt(random.nextInt(64));
          input = new String(chars);
          if (input.equals(valid)) {
            continue;
          }
        }
        default -> {
          byte[] raw = new byte[random.nextInt(100)];
          random.nextBytes(raw);
          input = "v1." + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        }
      }
      assertThat(aead.decrypt(input, aad)).as(input).isEmpty();
      byte[] bytes = new byte[random.nextInt(80)];
      random.nextBytes(bytes);
      assertThat(aead.open(bytes, aad)).isEmpty();
    }
  }
}
