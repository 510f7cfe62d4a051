package dev.hourglass.op.tamper;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.hourglass.core.event.EventLog;
import dev.hourglass.op.keys.SigningKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The hostile OP ("tamper" mode): which broken answers are armed, and how each broken token is
 * made. A case is armed for one client (or any) and a number of responses (or, from the config,
 * for every response); the endpoint that would give a normal answer asks {@link #take} first and,
 * on a hit, answers with the broken one and records a {@code tampered} event naming the case.
 */
public final class Tampering {
  /** A count meaning: every matching response until cleared (per-client config). */
  public static final int UNLIMITED = -1;
  /** Where the attacker key of the jku / x5u cases is published (not under /_hourglass: no admin guard). */
  public static final String ATTACKER_JWKS_PATH = "/_tamper/attacker-jwks";
  static final String BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout";
  private static final String DECOYS = "tamper-decoys";
  private static final String UNKNOWN_KIDS = "tamper-kid-unknown";
  private static final SecureRandom RANDOM = new SecureRandom();

  private static final class Armed {
    final TamperCase tamperCase;
    final String clientId;
    int remaining;

    Armed(TamperCase tamperCase, String clientId, int remaining) {
      this.tamperCase = tamperCase;
      this.clientId = clientId;
      this.remaining = remaining;
    }
  }

  private final SigningKeys keys;
  private final EventLog events;
  private final Supplier<String> issuer;
  private final List<Armed> armed = new ArrayList<>();
  private RSAKey attacker;
  private RSAKey rsaDecoy;
  private List<JWK> ecDecoys;

  public Tampering(SigningKeys keys, EventLog events, Supplier<String> issuer) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.events = Objects.requireNonNull(events, "events");
    this.issuer = Objects.requireNonNull(issuer, "issuer");
  }

  /**
   * Arms {@code c} for {@code clientId} (null: any client) for the next {@code count} matching
   * responses ({@link #UNLIMITED}: all). May generate keys: call it off the event loop.
   */
  public void arm(TamperCase c, String clientId, int count, String via) {
    Objects.requireNonNull(c, "case");
    if (count == 0 || count < UNLIMITED) {
      throw new IllegalArgumentException("count: must be at least 1");
    }
    // The kid-less cases need the JWKS to look a certain way from the moment they are armed.
    if (c == TamperCase.KID_NONE_SINGLE_RSA) {
      keys.publishExtra(DECOYS, ecDecoys());
    } else if (c == TamperCase.KID_NONE_MULTIPLE_RSA) {
      keys.publishExtra(DECOYS, List.of(rsaDecoy()));
    } else if (c == TamperCase.HEADER_JKU || c == TamperCase.HEADER_X5U || c == TamperCase.HEADER_JWK) {
      attacker();
    }
    synchronized (this) {
      armed.add(new Armed(c, clientId, count));
    }
    events.record("tamper_armed", "case", c.configName(), "client_id", clientId,
        "count", count == UNLIMITED ? "every" : String.valueOf(count), "via", via);
  }

  /** Disarms everything and stops publishing decoy keys. */
  public void clear() {
    synchronized (this) {
      armed.clear();
    }
    keys.clearExtra();
    events.record("tamper_cleared");
  }

  /**
   * The armed case (if any) for this response of {@code kind} to {@code clientId} (null when the
   * endpoint does not know the client, as for discovery and JWKS: then any arming matches). Uses
   * up one response and records {@code tampered}.
   */
  public Optional<TamperCase> take(TamperCase.Kind kind, String clientId, String endpoint) {
    TamperCase hit = null;
    synchronized (this) {
      Iterator<Armed> it = armed.iterator();
      while (it.hasNext()) {
        Armed a = it.next();
        if (a.tamperCase.kind() != kind) continue;
        if (clientId != null && a.clientId != null && !a.clientId.equals(clientId)) continue;
        if (a.remaining != UNLIMITED && --a.remaining <= 0) {
          it.remove();
        }
        hit = a.tamperCase;
        break;
      }
    }
    if (hit == null) return Optional.empty();
    events.record("tampered", "case", hit.configName(), "client_id", clientId, "endpoint", endpoint);
    return Optional.of(hit);
  }

  /** What is armed, for {@code GET /_hourglass/tamper}. */
  public synchronized JsonArray describe() {
    JsonArray a = new JsonArray();
    for (Armed x : armed) {
      a.add(new JsonObject().put("case", x.tamperCase.configName()).put("client-id", x.clientId)
          .put("remaining", x.remaining == UNLIMITED ? "every" : String.valueOf(x.remaining)));
    }
    return a;
  }

  /** The attacker's public key set served at {@link #ATTACKER_JWKS_PATH}. */
  public JWKSet attackerJwks() {
    return new JWKSet(attacker().toPublicJWK());
  }

  // ---- ID tokens -----------------------------------------------------------------------------

  /** The broken ID token for {@code c}, built from the genuine {@code claims}. */
  public String idToken(TamperCase c, JWTClaimsSet claims, String clientId, Instant now) {
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder(claims);
    String iss = claims.getIssuer();
    Date iat = claims.getIssueTime();
    Duration ttl = claims.getExpirationTime() != null && iat != null
        ? Duration.between(iat.toInstant(), claims.getExpirationTime().toInstant()) : Duration.ofHours(1);
    JWK key = keys.currentKey();
    switch (c) {
      case ISS_SUFFIX, REFRESH_ISS_CHANGED -> b.issuer(iss + "/tampered");
      case ISS_TRAILING_SLASH -> b.issuer(iss + "/");
      case ISS_CASE -> b.issuer(iss.toUpperCase(Locale.ROOT));
      case SUB_MISSING -> b.subject(null);
      case REFRESH_SUB_CHANGED -> b.subject(claims.getSubject() + "-tampered");
      case AUD_WRONG -> b.audience("not-" + clientId).claim("azp", null);
      case AUD_MISSING -> b.audience((String) null).claim("azp", null);
      case AUD_EXTRA_UNTRUSTED, REFRESH_AUD_CHANGED -> b.audience(List.of(clientId, "untrusted-rp")).claim("azp", clientId);
      case AZP_WRONG -> b.audience(clientId).claim("azp", "not-" + clientId);
      case IAT_MISSING -> b.issueTime(null);
      case IAT_FUTURE -> b.issueTime(Date.from(now.plus(Duration.ofDays(1))))
          .expirationTime(Date.from(now.plus(Duration.ofDays(1)).plus(ttl)));
      case EXP_PAST -> b.issueTime(Date.from(now.minus(Duration.ofHours(2)))).expirationTime(Date.from(now.minus(Duration.ofHours(1))));
      case EXP_MISSING -> b.expirationTime(null);
      case EXP_MILLIS -> b.expirationTime(null).claim("exp", now.plus(ttl).toEpochMilli());
      case NBF_FUTURE -> b.notBeforeTime(Date.from(now.plus(Duration.ofDays(1))));
      case NONCE_WRONG -> b.claim("nonce", "tampered-" + random());
      case NONCE_MISSING -> b.claim("nonce", null);
      default -> { }
    }
    JWTClaimsSet out = b.build();
    return switch (c) {
      case SIG_BITFLIP -> bitflip(sign(key, header(key, true), out));
      case ALG_NONE -> new PlainJWT(out).serialize();
      case HS256_RSA_PUBLIC_KEY -> hs256WithPublicKey(key, out);
      case ALG_UNEXPECTED -> unexpectedAlg(key, out);
      case HEADER_JKU -> sign(attacker(), new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(attacker().getKeyID())
          .type(JOSEObjectType.JWT).jwkURL(java.net.URI.create(issuer.get() + ATTACKER_JWKS_PATH)).build(), out);
      case HEADER_X5U -> sign(attacker(), new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(forgedKid())
          .type(JOSEObjectType.JWT).x509CertURL(java.net.URI.create(issuer.get() + ATTACKER_JWKS_PATH)).build(), out);
      case HEADER_JWK -> sign(attacker(), new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(forgedKid())
          .type(JOSEObjectType.JWT).jwk(attacker().toPublicJWK()).build(), out);
      case CRIT_UNKNOWN -> sign(key, new JWSHeader.Builder(algOf(key)).keyID(key.getKeyID()).type(JOSEObjectType.JWT)
          .criticalParams(java.util.Set.of("urn:hourglass:tamper")).customParam("urn:hourglass:tamper", true).build(), out);
      case KID_NONE_SINGLE_RSA, KID_NONE_MULTIPLE_RSA -> sign(key, header(key, false), out);
      case KID_UNKNOWN -> {
        JWK fresh = generateLike(key);
        keys.addExtra(UNKNOWN_KIDS, fresh);
        yield sign(fresh, header(fresh, true), out);
      }
      case KEY_ROTATED_BEFORE_SIGNING -> {
        String previous = keys.currentKid();
        String kid = keys.rotate(now);
        events.record("keys_rotated", "kid", kid, "previous_kid", previous, "via", "tamper");
        JWK k = keys.currentKey();
        yield sign(k, header(k, true), out);
      }
      default -> sign(key, header(key, true), out);
    };
  }

  // ---- logout tokens ---------------------------------------------------------------------------

  /**
   * The logout token(s) to POST for {@code c}: usually one, two identical ones for
   * {@code logout-jti-replay}. {@code genuine} are the claims a correct logout token has;
   * {@code idToken} mints an ID token for the session (for {@code logout-id-token}).
   */
  public List<String> logoutTokens(TamperCase c, JWTClaimsSet genuine, Supplier<String> idToken, Instant now) {
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder(genuine);
    JWK key = keys.currentKey();
    switch (c) {
      case LOGOUT_EVENTS_MISSING -> b.claim("events", null);
      case LOGOUT_EVENTS_WRONG -> b.claim("events", Map.of("http://schemas.openid.net/event/frontchannel-logout", Map.of()));
      case LOGOUT_NONCE -> b.claim("nonce", "tampered-" + random());
      case LOGOUT_ISS_WRONG -> b.issuer(genuine.getIssuer() + "/tampered");
      case LOGOUT_AUD_WRONG -> b.audience("not-" + genuine.getAudience().get(0));
      case LOGOUT_EXPIRED -> b.issueTime(Date.from(now.minus(Duration.ofHours(1)))).expirationTime(Date.from(now.minus(Duration.ofMinutes(50))));
      case LOGOUT_NO_SUB_NO_SID -> b.subject(null).claim("sid", null);
      default -> { }
    }
    JWTClaimsSet out = b.build();
    JWSHeader logoutHeader = new JWSHeader.Builder(algOf(key)).keyID(key.getKeyID()).type(new JOSEObjectType("logout+jwt")).build();
    return switch (c) {
      case LOGOUT_ALG_NONE -> List.of(new PlainJWT(out).serialize());
      case LOGOUT_ALG_WRONG -> List.of(unexpectedAlg(key, out));
      case LOGOUT_ID_TOKEN -> List.of(idToken.get());
      case LOGOUT_JTI_REPLAY -> {
        String t = sign(key, logoutHeader, out);
        yield List.of(t, t);
      }
      default -> List.of(sign(key, logoutHeader, out));
    };
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static JWSAlgorithm algOf(JWK key) {
    return key instanceof ECKey ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256;
  }

  private static JWSHeader header(JWK key, boolean withKid) {
    JWSHeader.Builder h = new JWSHeader.Builder(algOf(key)).type(JOSEObjectType.JWT);
    if (withKid) h.keyID(key.getKeyID());
    return h.build();
  }

  private static String sign(JWK key, JWSHeader header, JWTClaimsSet claims) {
    SignedJWT jwt = new SignedJWT(header, claims);
    try {
      JWSSigner signer = key instanceof ECKey ec ? new ECDSASigner(ec) : new RSASSASigner((RSAKey) key);
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("tampered signing failed", e);
    }
    return jwt.serialize();
  }

  /** Flips the lowest bit of the signature's first byte. */
  static String bitflip(String jws) {
    int dot = jws.lastIndexOf('.');
    byte[] sig = Base64URL.from(jws.substring(dot + 1)).decode();
    sig[0] ^= 0x01;
    return jws.substring(0, dot + 1) + Base64URL.encode(sig);
  }

  /** The classic key-confusion attack: HMAC keyed with the public key's PEM text. */
  private String hs256WithPublicKey(JWK key, JWTClaimsSet claims) {
    try {
      byte[] der = key instanceof RSAKey r ? r.toPublicKey().getEncoded() : ((ECKey) key).toPublicKey().getEncoded();
      String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
          .encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
      jwt.sign(new MACSigner(pem.getBytes(StandardCharsets.US_ASCII)));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException("tampered signing failed", e);
    }
  }

  /**
   * The genuine key with an algorithm nobody registered: PS256 for an RSA key. An EC P-256 key
   * cannot sign ES384, so for EC the header says ES384 over an ES256 signature.
   */
  private static String unexpectedAlg(JWK key, JWTClaimsSet claims) {
    if (key instanceof RSAKey) {
      return sign(key, new JWSHeader.Builder(JWSAlgorithm.PS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
    }
    String genuine = sign(key, header(key, true), claims);
    String h = new JWSHeader.Builder(JWSAlgorithm.ES384).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build().toBase64URL().toString();
    return h + genuine.substring(genuine.indexOf('.'));
  }

  /** A kid nobody published, different for every token (a flood of unknown kids). */
  private static String forgedKid() {
    return "forged-" + random();
  }

  private synchronized RSAKey attacker() {
    if (attacker == null) {
      attacker = (RSAKey) generate("RSA", "attacker-" + random());
    }
    return attacker;
  }

  private synchronized RSAKey rsaDecoy() {
    if (rsaDecoy == null) {
      rsaDecoy = (RSAKey) generate("RSA", "decoy-rsa-" + random());
    }
    return rsaDecoy;
  }

  private synchronized List<JWK> ecDecoys() {
    if (ecDecoys == null) {
      try {
        ecDecoys = List.of(
            new ECKeyGenerator(Curve.P_256).keyID("decoy-ec256-" + random()).keyUse(KeyUse.SIGNATURE).generate(),
            new ECKeyGenerator(Curve.P_384).keyID("decoy-ec384-" + random()).keyUse(KeyUse.SIGNATURE).generate());
      } catch (JOSEException e) {
        throw new IllegalStateException(e);
      }
    }
    return ecDecoys;
  }

  private static JWK generateLike(JWK key) {
    return generate(key instanceof ECKey ? "EC" : "RSA", "unknown-" + random());
  }

  private static JWK generate(String type, String kid) {
    try {
      if (type.equals("EC")) {
        return new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
      }
      return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("key generation failed", e);
    }
  }

  private static String random() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
