package dev.hourglass.core.jose;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import io.vertx.core.Future;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The provider's signing keys, fetched from its {@code jwks_uri} and cached.
 *
 * <p>Refetching: a token whose {@code kid} is not in the cached set triggers ONE refetch, and only
 * when the last unknown-kid refetch is older than {@code refetchCooldown} on the injected clock
 * (the initial load does not count: a key rotated right after start must still be found). Concurrent
 * callers share the in-flight fetch (single flight). A flood of tokens with made-up kids therefore
 * costs the OP at most one request per cooldown.
 *
 * <p>Key selection: with a {@code kid}, the key with that id (and a matching type); without a
 * {@code kid}, every signing key of the algorithm's type is a candidate, at most
 * {@link #MAX_CANDIDATES}; the verifier tries each. Keys whose {@code use} is {@code enc} or whose
 * {@code alg} differs from the token's are never candidates. Header parameters that point at other
 * keys ({@code jku}, {@code x5u}, {@code jwk}, {@code x5c}) are ignored: keys come from the
 * configured JWKS only, and are never fetched from a URL a token names.
 */
public final class JwksCache {
  public static final int MAX_CANDIDATES = 5;
  public static final Duration DEFAULT_COOLDOWN = Duration.ofSeconds(30);

  private final BoundedHttp http;
  private final Clock clock;
  private final String jwksUri;
  private final Duration refetchCooldown;

  private volatile JWKSet keys;
  private volatile Instant fetchedAt;
  private volatile Instant lastRefetchAt;
  private final java.util.List<java.util.function.Consumer<String>> refetchListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private Future<JWKSet> inFlight;
  private volatile long fetchCount;

  public JwksCache(BoundedHttp http, Clock clock, String jwksUri, Duration refetchCooldown) {
    this.http = Objects.requireNonNull(http, "http");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.jwksUri = Objects.requireNonNull(jwksUri, "jwksUri");
    this.refetchCooldown = Objects.requireNonNull(refetchCooldown, "refetchCooldown");
  }

  /** Fetches the key set now (at startup); later calls share an in-flight fetch. */
  public Future<JWKSet> load() {
    return fetch();
  }

  /** Called with the unknown kid each time it triggers a refetch (for the REFRESH/JWKS events). */
  public void onRefetch(java.util.function.Consumer<String> listener) {
    refetchListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** True once a key set has been loaded. */
  public boolean loaded() {
    return keys != null;
  }

  /** How many fetches have been started (for tests and diagnostics). */
  public long fetchCount() {
    return fetchCount;
  }

  public String jwksUri() {
    return jwksUri;
  }

  /**
   * The keys that may have signed a token with this header. Refetches once (cooldown permitting)
   * when a {@code kid} is unknown. An empty list means: no key for this token.
   */
  public Future<List<JWK>> candidates(JWSHeader header) {
    JWKSet current = keys;
    Future<JWKSet> base = current == null ? fetch() : Future.succeededFuture(current);
    return base.compose(set -> {
      List<JWK> found = select(set, header);
      if (!found.isEmpty() || header.getKeyID() == null) {
        return Future.succeededFuture(found);
      }
      // Unknown kid: the OP may have rotated. One refetch, rate limited on our clock.
      Instant now = clock.instant();
      Future<JWKSet> refetch;
      boolean started = false;
      // Decide and start under one lock, so concurrent callers share the one refetch instead of
      // seeing "cooling down" before it has begun.
      synchronized (this) {
        if (inFlight != null) {
          refetch = inFlight;
        } else if (keys != set) {
          refetch = Future.succeededFuture(keys); // refreshed since this caller looked
        } else if (lastRefetchAt != null && now.isBefore(lastRefetchAt.plus(refetchCooldown))) {
          return Future.succeededFuture(found);
        } else {
          lastRefetchAt = now;
          started = true;
          refetch = fetch();
        }
      }
      if (started) {
        refetchListeners.forEach(l -> l.accept(header.getKeyID()));
      }
      return refetch.map(fresh -> select(fresh, header));
    });
  }

  private synchronized Future<JWKSet> fetch() {
    if (inFlight != null) {
      return inFlight;
    }
    fetchCount++;
    // The attempt time counts for the cooldown even when the fetch fails.
    fetchedAt = clock.instant();
    Future<JWKSet> f = http.get(jwksUri, Map.of("Accept", "application/json"))
        .compose(resp -> {
          if (resp.status() != 200) {
            return Future.failedFuture(new BoundedHttp.FetchException("status",
                "JWKS endpoint " + jwksUri + " answered HTTP " + resp.status()));
          }
          try {
            JWKSet parsed = JWKSet.parse(resp.bodyAsString());
            keys = parsed;
            return Future.succeededFuture(parsed);
          } catch (ParseException | RuntimeException e) {
            return Future.failedFuture(new BoundedHttp.FetchException("malformed",
                "JWKS from " + jwksUri + " is not a JSON Web Key Set: " + e.getMessage()));
          }
        });
    inFlight = f;
    f.onComplete(ar -> {
      synchronized (this) {
        inFlight = null;
      }
    });
    return f;
  }

  /** The keys in {@code set} that fit the header (see class comment). */
  static List<JWK> select(JWKSet set, JWSHeader header) {
    JWSAlgorithm alg = header.getAlgorithm();
    KeyType type = keyTypeFor(alg);
    if (type == null) {
      return List.of();
    }
    String kid = header.getKeyID();
    return set.getKeys().stream()
        .filter(k -> type.equals(k.getKeyType()))
        .filter(k -> k.getKeyUse() == null || KeyUse.SIGNATURE.equals(k.getKeyUse()))
        .filter(k -> k.getAlgorithm() == null || k.getAlgorithm().equals(alg))
        .filter(k -> kid == null || kid.equals(k.getKeyID()))
        .limit(MAX_CANDIDATES)
        .toList();
  }

  static KeyType keyTypeFor(JWSAlgorithm alg) {
    if (JWSAlgorithm.Family.RSA.contains(alg)) return KeyType.RSA;
    if (JWSAlgorithm.Family.EC.contains(alg)) return KeyType.EC;
    return null;
  }
}
