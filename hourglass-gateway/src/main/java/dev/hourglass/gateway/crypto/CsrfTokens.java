package dev.hourglass.gateway.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * CSRF tokens for state-changing forms (the sign-out confirmation of issue 4).
 *
 * <p>Why: SameSite=Lax still lets a cross-site top-level navigation carry the session cookie, so a
 * form POST needs proof that it came from a page the gateway rendered for this session. The token
 * is HMAC-SHA256(csrf key, purpose ‖ session id): stateless, bound to the session (a token from
 * another session or another purpose fails), unforgeable without the key, and compared in
 * constant time so the comparison leaks nothing about the expected value.
 */
public final class CsrfTokens {
  private static final int TOKEN_LENGTH = 43; // base64url of 32 bytes, no padding
  public static final String DEFAULT_PURPOSE = "sign-out";

  private final byte[] key;

  public CsrfTokens(byte[] key) {
    if (key == null || key.length < 32) {
      throw new IllegalArgumentException("key: must be at least 32 bytes");
    }
    this.key = key.clone();
  }

  public String tokenFor(String sessionId) {
    return tokenFor(sessionId, DEFAULT_PURPOSE);
  }

  public String tokenFor(String sessionId, String purpose) {
    if (sessionId == null || sessionId.isEmpty()) {
      throw new IllegalArgumentException("sessionId: must not be empty");
    }
    if (purpose == null || purpose.isEmpty() || purpose.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("purpose: must be a non-empty single line");
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(mac(sessionId, purpose));
  }

  public boolean verify(String sessionId, String token) {
    return verify(sessionId, DEFAULT_PURPOSE, token);
  }

  /** True only for the exact token of this session and purpose; never throws. */
  public boolean verify(String sessionId, String purpose, String token) {
    if (sessionId == null || sessionId.isEmpty() || purpose == null || purpose.isEmpty()
        || purpose.indexOf('\n') >= 0 || token == null || token.length() != TOKEN_LENGTH) {
      return false;
    }
    byte[] given;
    try {
      given = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(mac(sessionId, purpose), given);
  }

  private byte[] mac(String sessionId, String purpose) {
    byte[] data = ("hourglass-csrf\n" + purpose + "\n" + sessionId).getBytes(StandardCharsets.UTF_8);
    return SecretKeys.hmac(key, data);
  }

  @Override
  public String toString() {
    return "CsrfTokens[key redacted]";
  }
}
