package dev.hourglass.gateway.session;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hourglass.core.clock.ClockTicker;
import dev.hourglass.gateway.crypto.Aead;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The one-time login transaction cookie, {@code _hourglass_tx_<hash of state>}.
 *
 * <p>Why: the gateway keeps no server state for logins in flight (a flood of {@code /oauth2/start}
 * cannot fill memory), so state, nonce and PKCE verifier travel in a cookie that the browser
 * alone holds. It is AES-256-GCM sealed with the transaction key and AAD = the cookie name, so it
 * can be neither read (the verifier must stay secret) nor forged nor moved to another name. One
 * cookie per state (name = prefix + 16 characters of base64url(SHA-256(state))) lets several tabs
 * log in at once without overwriting each other. It is scoped to the callback path, expires after
 * {@code ttl} on the injected clock (checked on read, the cookie's Max-Age is only a hint), and
 * is single use: the gateway clears it on callback, and a bounded replay cache of used states
 * (Caffeine on the same clock, entries kept for {@code ttl}) refuses a callback replayed with a
 * copied cookie. The replay cache is per process; with several replicas the Redis store should
 * back it.
 *
 * <p>Every refusal carries a stable reason code for the event log: {@code TX_MISSING},
 * {@code TX_STATE_INVALID}, {@code TX_OVERSIZED}, {@code TX_AMBIGUOUS}, {@code TX_INVALID}
 * (tampered, truncated, wrong key), {@code TX_STATE_MISMATCH}, {@code TX_EXPIRED},
 * {@code TX_REPLAYED}.
 */
public final class TransactionCookie {
  public static final String PREFIX = "_hourglass_tx_";
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(10);
  public static final String DEFAULT_PATH = "/oauth2/callback";
  /** Longest cookie value written or read (name + value stay under the browsers' 4 KB). */
  public static final int MAX_VALUE_LENGTH = 3800;
  public static final long DEFAULT_REPLAY_CACHE_SIZE = 100_000;

  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

  /** The outcome of {@link #consume}: a transaction, or the reason there is none. */
  public record Outcome(Optional<LoginTransaction> transaction, String reason) {
    public boolean ok() {
      return transaction.isPresent();
    }
  }

  private final Aead aead;
  private final Clock clock;
  private final Duration ttl;
  private final boolean secure;
  private final String path;
  private final Cache<String, Boolean> usedStates;

  public TransactionCookie(Aead transactionAead, Clock clock, boolean secure) {
    this(transactionAead, clock, DEFAULT_TTL, secure, DEFAULT_PATH, DEFAULT_REPLAY_CACHE_SIZE);
  }

  public TransactionCookie(Aead transactionAead, Clock clock, Duration ttl, boolean secure, String path, long replayCacheSize) {
    this.aead = Objects.requireNonNull(transactionAead, "transactionAead");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl: must be positive");
    }
    if (path == null || !path.startsWith("/") || !path.matches("[A-Za-z0-9/._~-]+")) {
      throw new IllegalArgumentException("path: must be a plain absolute path");
    }
    if (replayCacheSize < 1) {
      throw new IllegalArgumentException("replayCacheSize: must be positive");
    }
    this.ttl = ttl;
    this.secure = secure;
    this.path = path;
    this.usedStates = Caffeine.newBuilder()
        .ticker(new ClockTicker(clock))
        .executor(Runnable::run)
        .expireAfterWrite(ttl.plusMinutes(1)) // outlives any cookie that could still be accepted
        .maximumSize(replayCacheSize)
        .build();
  }

  public Duration ttl() {
    return ttl;
  }

  /** The cookie name for this state. */
  public static String cookieName(String state) {
    byte[] h = LoginTransaction.sha256(state);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(h).substring(0, 16);
  }

  /**
   * The {@code Set-Cookie} value carrying {@code tx}. Browsers keep at most about 4 KB per cookie;
   * if the return path makes the value longer than {@link #MAX_VALUE_LENGTH}, the transaction is
   * stored with return path {@code /} instead (the login still works, it just lands on the home page).
   *
   * @throws IllegalArgumentException only when even that does not fit (an absurdly long issuer)
   */
  public String setCookie(LoginTransaction tx) {
    String name = cookieName(tx.state());
    String value = seal(name, tx);
    if (value.length() > MAX_VALUE_LENGTH) {
      value = seal(name, new LoginTransaction(tx.state(), tx.nonce(), tx.codeVerifier(), "/", tx.createdAt(), tx.issuer()));
    }
    if (value.length() > MAX_VALUE_LENGTH) {
      throw new IllegalArgumentException("issuer: too long for the transaction cookie");
    }
    return name + "=" + value + "; Path=" + path + "; Max-Age=" + ttl.getSeconds() + attributes();
  }

  private String seal(String name, LoginTransaction tx) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("s", tx.state());
    m.put("n", tx.nonce());
    m.put("v", tx.codeVerifier());
    m.put("rd", tx.returnTo());
    m.put("iat", tx.createdAt().toEpochMilli());
    m.put("iss", tx.issuer());
    try {
      return aead.encrypt(JSON.writeValueAsBytes(m), aad(name));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The {@code Set-Cookie} value that removes the transaction cookie of this state. */
  public String clearCookie(String state) {
    return cookieName(state) + "=; Path=" + path + "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT" + attributes();
  }

  private String attributes() {
    // Lax: the callback is a top-level GET navigation from the OP, which Lax allows.
    return "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
  }

  /** {@link #consume(List, String)} on the request's Cookie headers. */
  public Outcome consume(HttpServerRequest request, String stateParam) {
    return consume(request.headers().getAll("Cookie"), stateParam);
  }

  /**
   * Checks the callback's {@code state} against its transaction cookie and, if everything holds,
   * marks the state used (a second call with the same state is {@code TX_REPLAYED}). The caller
   * must then send {@link #clearCookie} and must check the state before exchanging any code.
   */
  public Outcome consume(List<String> cookieHeaders, String stateParam) {
    Instant now = clock.instant();
    if (!SessionIds.isCanonicalBase64Url32(stateParam)) {
      return refuse("TX_STATE_INVALID");
    }
    String name = cookieName(stateParam);
    CookieHeader.Result found = CookieHeader.find(cookieHeaders, name);
    switch (found.lookup()) {
      case TOO_LARGE:
        return refuse("TX_OVERSIZED");
      case AMBIGUOUS:
        return refuse("TX_AMBIGUOUS");
      case ABSENT:
        return refuse("TX_MISSING");
      default:
        break;
    }
    String value = found.value();
    if (value.length() > MAX_VALUE_LENGTH) {
      return refuse("TX_OVERSIZED");
    }
    Optional<LoginTransaction> tx = aead.decrypt(value, aad(name)).flatMap(TransactionCookie::parse);
    if (tx.isEmpty()) {
      return refuse("TX_INVALID");
    }
    LoginTransaction t = tx.get();
    if (!MessageDigest.isEqual(t.state().getBytes(StandardCharsets.US_ASCII), stateParam.getBytes(StandardCharsets.US_ASCII))) {
      return refuse("TX_STATE_MISMATCH");
    }
    // Expired at createdAt + ttl; a createdAt in the future (clock moved back, forged) is refused too.
    if (!now.isBefore(t.expiresAt(ttl)) || t.createdAt().isAfter(now.plus(Duration.ofMinutes(1)))) {
      return refuse("TX_EXPIRED");
    }
    if (usedStates.asMap().putIfAbsent(stateParam, Boolean.TRUE) != null) {
      return refuse("TX_REPLAYED");
    }
    return new Outcome(tx, "TX_OK");
  }

  private static Outcome refuse(String reason) {
    return new Outcome(Optional.empty(), reason);
  }

  private static byte[] aad(String cookieName) {
    return ("hourglass-tx\n" + cookieName).getBytes(StandardCharsets.US_ASCII);
  }

  private static Optional<LoginTransaction> parse(byte[] json) {
    try {
      Map<String, Object> m = JSON.readValue(json, MAP);
      Object iat = m.get("iat");
      if (!(iat instanceof Long)) {
        return Optional.empty();
      }
      return Optional.of(new LoginTransaction((String) m.get("s"), (String) m.get("n"), (String) m.get("v"),
          (String) m.get("rd"), Instant.ofEpochMilli((Long) iat), (String) m.get("iss")));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
