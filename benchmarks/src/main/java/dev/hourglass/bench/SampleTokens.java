package dev.hourglass.bench;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.hourglass.core.model.TokenSet;
import dev.hourglass.gateway.session.Session;
import dev.hourglass.gateway.session.SessionIds;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Realistic-looking sessions for measurements: RS256-shaped JWT access and ID tokens of about 1 KB
 * each (a Keycloak-like claim set, a 256-byte signature), a JWT-shaped refresh token, ID-token
 * claims and userinfo as the gateway stores them. Every session has its own token strings, as in
 * real life (no sharing that would flatter the heap numbers). The signatures are random bytes:
 * measuring memory does not need verifiable tokens ({@link SignedTokens} makes real ones).
 */
public final class SampleTokens {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  public static final String ISSUER = "https://login.example.test/realms/hourglass";
  /**
   * Refresh token shape: opaque 43 characters (oidc-provider, Okta, Auth0 style; the default) or,
   * with {@code -Dbench.refresh-token=jwt}, a Keycloak-style JWT of about 900 characters.
   */
  static final boolean KEYCLOAK_REFRESH_TOKEN = "jwt".equals(System.getProperty("bench.refresh-token"));

  private SampleTokens() {}

  /** A session for user number {@code i}, logged in at {@code now}. */
  public static Session session(int i, Instant now, Random random) {
    String sub = "f3b1c2d4-5e6f-4a8b-9c0d-" + String.format("%012d", i);
    String sid = uuid(random);
    long iat = now.getEpochSecond();
    String at = jwt(random, accessClaims(sub, sid, iat, random));
    String idPayload = idClaims(sub, sid, iat, random, i);
    String idt = jwt(random, idPayload);
    String rt = !KEYCLOAK_REFRESH_TOKEN ? B64.encodeToString(bytes(random, 32)) : jwt(random, "{\"exp\":" + (iat + 28800) + ",\"iat\":" + iat + ",\"jti\":\"" + uuid(random)
        + "\",\"iss\":\"" + ISSUER + "\",\"aud\":\"" + ISSUER + "\",\"sub\":\"" + sub
        + "\",\"typ\":\"Refresh\",\"azp\":\"gateway\",\"sid\":\"" + sid + "\",\"scope\":\"openid profile email offline_access\"}");
    TokenSet tokens = new TokenSet(at, "Bearer", "openid profile email offline_access", now, now.plus(Duration.ofMinutes(5)),
        idt, now, now.plus(Duration.ofMinutes(5)), rt, now.plus(Duration.ofHours(8)), null);
    // As LoginFlow stores them: the verified ID token's claims, JWTClaimsSet.toJSONObject().
    Map<String, Object> idClaims;
    try {
      idClaims = JWTClaimsSet.parse(idPayload).toJSONObject();
    } catch (java.text.ParseException e) {
      throw new IllegalStateException(e);
    }
    Map<String, Object> userinfo = new LinkedHashMap<>();
    userinfo.put("sub", sub);
    userinfo.put("email_verified", true);
    userinfo.put("name", "User Number " + i);
    userinfo.put("preferred_username", "user" + i);
    userinfo.put("given_name", "User");
    userinfo.put("family_name", "Number " + i);
    userinfo.put("email", "user" + i + "@example.test");
    userinfo.put("groups", List.of("staff", "app-users"));
    return new Session(SessionIds.newId(), now, now, sub, sid, ISSUER, tokens, idClaims, userinfo, 1);
  }

  static String accessClaims(String sub, String sid, long iat, Random random) {
    return "{\"exp\":" + (iat + 300) + ",\"iat\":" + iat + ",\"auth_time\":" + iat + ",\"jti\":\"" + uuid(random)
        + "\",\"iss\":\"" + ISSUER + "\",\"aud\":[\"orders-api\",\"account\"],\"sub\":\"" + sub
        + "\",\"typ\":\"Bearer\",\"azp\":\"gateway\",\"sid\":\"" + sid + "\",\"acr\":\"1\","
        + "\"realm_access\":{\"roles\":[\"offline_access\",\"staff\"]},"
        + "\"scope\":\"openid profile email offline_access\",\"email_verified\":true,\"name\":\"User Number\","
        + "\"email\":\"user@example.test\"}";
  }

  static String idClaims(String sub, String sid, long iat, Random random, int i) {
    return "{\"exp\":" + (iat + 300) + ",\"iat\":" + iat + ",\"auth_time\":" + iat + ",\"jti\":\"" + uuid(random)
        + "\",\"iss\":\"" + ISSUER + "\",\"aud\":\"gateway\",\"sub\":\"" + sub + "\",\"typ\":\"ID\",\"azp\":\"gateway\","
        + "\"nonce\":\"" + B64.encodeToString(bytes(random, 16)) + "\",\"sid\":\"" + sid + "\",\"at_hash\":\""
        + B64.encodeToString(bytes(random, 16)) + "\",\"acr\":\"1\",\"email_verified\":true,\"name\":\"User Number\","
        + "\"preferred_username\":\"user\",\"email\":\"user@example.test\","
        + "\"groups\":[\"staff\",\"app-users\"]}";
  }

  /** header.payload.signature with a 256-byte (RS256-sized) signature. */
  static String jwt(Random random, String payloadJson) {
    String header = B64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"k9Yq3wzH4nPq1rX7uVb2cD8eF0gH5iJ6kL\"}"
        .getBytes(StandardCharsets.UTF_8));
    return header + "." + B64.encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8)) + "."
        + B64.encodeToString(bytes(random, 256));
  }

  static String uuid(Random random) {
    return new java.util.UUID(random.nextLong(), random.nextLong()).toString();
  }

  static byte[] bytes(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  public static Random random() {
    return new Random(new SecureRandom().nextLong());
  }
}
