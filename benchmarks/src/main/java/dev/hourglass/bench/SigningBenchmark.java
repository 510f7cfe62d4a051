package dev.hourglass.bench;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.hourglass.op.keys.NativeSigning;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the dev OP pays to sign one ID token (claims JSON, base64url, signature), by provider:
 * {@code jdk} (SunRsaSign / SunEC), {@code aws-lc} (what {@code op/keys/SigningKeys} does: the
 * private key translated to the native provider's key once) and {@code aws-lc-jdk-key} (the native
 * provider handed the JDK's key object on every signature, the mistake that keeps it slow).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SigningBenchmark {
  @Param({"jdk", "aws-lc", "aws-lc-jdk-key"})
  public String provider;

  @Param({"RS256", "ES256"})
  public String alg;

  JWK key;
  JWSSigner signer;
  JWSHeader header;
  JWTClaimsSet claims;

  @Setup
  public void setup() throws Exception {
    JWSAlgorithm jws = JWSAlgorithm.parse(alg);
    key = jws.equals(JWSAlgorithm.ES256) ? new ECKeyGenerator(Curve.P_256).keyID("k").generate()
        : new RSAKeyGenerator(2048).keyID("k").generate();
    PrivateKey jdkKey = key instanceof ECKey ec ? ec.toPrivateKey() : ((RSAKey) key).toPrivateKey();
    PrivateKey signingKey = jdkKey;
    Provider p = null;
    if (!provider.equals("jdk")) {
      if (!NativeSigning.awaitLoaded(60, TimeUnit.SECONDS) || NativeSigning.provider().isEmpty()) {
        throw new IllegalStateException("no native provider here: " + NativeSigning.description());
      }
      p = NativeSigning.provider().get();
      if (provider.equals("aws-lc")) {
        signingKey = (PrivateKey) KeyFactory.getInstance(key instanceof ECKey ? "EC" : "RSA", p).translateKey(jdkKey);
      }
    }
    signer = key instanceof ECKey ec ? new ECDSASigner(signingKey, ec.getCurve()) : new RSASSASigner(signingKey);
    if (p != null) {
      signer.getJCAContext().setProvider(p);
    }
    header = new JWSHeader.Builder(jws).keyID("k").type(JOSEObjectType.JWT).build();
    // A refreshed ID token as the dev OP mints it (Core 12.2), with typical profile claims.
    claims = new JWTClaimsSet.Builder().issuer("http://127.0.0.1:8080").subject("alice").audience(List.of("gateway"))
        .claim("iat", 1_893_484_800L).claim("exp", 1_893_488_400L).claim("auth_time", 1_893_484_800L)
        .jwtID("8kH3yV0m9GZ6a2Qe1xXJtw").claim("azp", "gateway").claim("sid", "pQ9b0dKx1m2Zr4uV7wYtA3cE")
        .claim("at_hash", "Xb7sK2mQ9vT4wR1yZ0aPcw").claim("name", "Alice Liddell").claim("email", "alice@example.test")
        .claim("groups", List.of("admins", "staff")).build();
    sign();
  }

  @Benchmark
  public String sign() throws Exception {
    SignedJWT jwt = new SignedJWT(header, claims);
    jwt.sign(signer);
    return jwt.serialize();
  }
}
