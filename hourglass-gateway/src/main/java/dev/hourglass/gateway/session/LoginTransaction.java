package dev.hourglass.gateway.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

/**
 * One login in flight: what the gateway must remember between sending the browser to the OP and
 * the callback. It lives only in an encrypted, one-time cookie ({@link TransactionCookie}).
 *
 * <p>Why each field: {@code state} ties the callback to this browser (CSRF on the redirect URI,
 * RFC 6749 10.12); {@code nonce} ties the ID token to this login (OIDC Core 3.1.2.1, replay);
 * {@code codeVerifier} is PKCE S256 (RFC 7636), so a stolen code is useless; {@code returnTo} is
 * the already validated {@code rd}; {@code createdAt} bounds the transaction's life;
 * {@code issuer} pins the callback to the OP the login was sent to (mix-up, RFC 9207).
 */
public record LoginTransaction(
    String state,
    String nonce,
    String codeVerifier,
    String returnTo,
    Instant createdAt,
    String issuer) {

  public LoginTransaction {
    if (!SessionIds.isCanonicalBase64Url32(state)) {
      throw new IllegalArgumentException("state: must be 43 characters of base64url");
    }
    if (nonce == null || nonce.isEmpty() || nonce.length() > 256) {
      throw new IllegalArgumentException("nonce: must be 1-256 characters");
    }
    // RFC 7636 4.1: 43-128 characters of [A-Z a-z 0-9 - . _ ~]
    if (codeVerifier == null || !codeVerifier.matches("[A-Za-z0-9._~-]{43,128}")) {
      throw new IllegalArgumentException("codeVerifier: must be 43-128 unreserved characters");
    }
    Objects.requireNonNull(returnTo, "returnTo");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(issuer, "issuer");
  }

  /** A fresh transaction with random state, nonce and PKCE verifier. */
  public static LoginTransaction start(String issuer, String returnTo, Instant now) {
    return new LoginTransaction(SessionIds.randomToken(32), SessionIds.randomToken(32),
        SessionIds.randomToken(32), returnTo, now, issuer);
  }

  /** PKCE S256 challenge: base64url(SHA-256(code_verifier)). */
  public String codeChallenge() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(codeVerifier));
  }

  /** When this transaction stops being acceptable. */
  public Instant expiresAt(Duration ttl) {
    return createdAt.plus(ttl);
  }

  static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    // state/nonce/verifier are secrets until the callback completes.
    return "LoginTransaction[issuer=" + issuer + ", createdAt=" + createdAt + "]";
  }
}
