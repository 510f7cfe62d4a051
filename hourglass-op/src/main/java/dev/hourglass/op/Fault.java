package dev.hourglass.op;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One injected fault: the next {@code count} calls to {@code endpoint} fail (with {@code error}
 * and/or {@code status}) or are delayed; or, with {@code downUntil}, every call fails until the
 * OP's clock reaches that instant.
 *
 * @param endpoint token, userinfo, jwks, discovery, authorize, introspect, revoke or logout
 * @param count how many calls are affected (ignored when {@code downUntil} is set)
 * @param error the OAuth error code to answer with, or null
 * @param status the HTTP status, or null: 400 with an error (401 for invalid_client/invalid_token),
 *     503 for {@code down-for}, 500 otherwise
 * @param delay real-time delay before the answer (or before normal processing when the fault has
 *     neither error nor status), or null
 * @param downUntil the endpoint fails until the clock passes this instant, or null
 */
public record Fault(String endpoint, int count, String error, Integer status, Duration delay, Instant downUntil) {
  public static final Set<String> ENDPOINTS =
      Set.of("token", "userinfo", "jwks", "discovery", "authorize", "introspect", "revoke", "logout");

  public Fault {
    Objects.requireNonNull(endpoint, "endpoint");
    endpoint = endpoint.trim().toLowerCase(Locale.ROOT);
    if (!ENDPOINTS.contains(endpoint)) {
      throw new IllegalArgumentException("endpoint: expected one of token, userinfo, jwks, discovery, authorize, "
          + "introspect, revoke, logout; got '" + endpoint + "'");
    }
    if (downUntil == null && count < 1) {
      throw new IllegalArgumentException("count: must be at least 1");
    }
    if (status != null && (status < 100 || status > 599)) {
      throw new IllegalArgumentException("status: must be an HTTP status 100-599");
    }
    if (error != null && !error.matches("[\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]{1,100}")) {
      throw new IllegalArgumentException("error: must be a short OAuth error code such as invalid_grant");
    }
    if (delay != null && (delay.isNegative() || delay.compareTo(Duration.ofMinutes(5)) > 0)) {
      throw new IllegalArgumentException("delay: must be between 0 and 5m");
    }
  }

  /** The next {@code n} calls fail with {@code error} (and {@code status}, or the default). */
  public static Fault failNext(String endpoint, int n, String error, Integer status) {
    return new Fault(endpoint, n, error, status, null, null);
  }

  /** The next {@code n} calls are answered normally after {@code delay}. */
  public static Fault delayNext(String endpoint, int n, Duration delay) {
    return new Fault(endpoint, n, null, null, delay, null);
  }

  /** Every call fails until the clock reaches {@code until}. */
  public static Fault downUntil(String endpoint, Instant until, String error, Integer status) {
    return new Fault(endpoint, 0, error, status, null, until);
  }

  /** True if this fault answers with an error (rather than only delaying). */
  public boolean fails() {
    return error != null || status != null || downUntil != null;
  }

  /** The status the failing answer gets. */
  public int effectiveStatus() {
    if (status != null) return status;
    if (error != null) return error.equals("invalid_client") || error.equals("invalid_token") ? 401 : 400;
    return downUntil != null ? 503 : 500;
  }

  /** The error code the failing answer gets. */
  public String effectiveError() {
    if (error != null) return error;
    int s = effectiveStatus();
    return s == 503 ? "temporarily_unavailable" : s >= 500 ? "server_error" : "invalid_request";
  }
}
