package dev.hourglass.op.tamper;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One kind of broken answer the hostile OP can give ({@code docs/hostile-op.md}). Names are
 * stable, kebab-case and a contract: configs and scripts refer to them.
 */
public enum TamperCase {
  // ---- ID token (the one from the authorization-code exchange) -------------------------------
  ISS_SUFFIX(Kind.ID_TOKEN, Verdict.REFUSE, "iss is the issuer with a path suffix"),
  ISS_TRAILING_SLASH(Kind.ID_TOKEN, Verdict.REFUSE, "iss is the issuer with a trailing slash"),
  ISS_CASE(Kind.ID_TOKEN, Verdict.REFUSE, "iss is the issuer in upper case"),
  SUB_MISSING(Kind.ID_TOKEN, Verdict.REFUSE, "no sub claim"),
  AUD_WRONG(Kind.ID_TOKEN, Verdict.REFUSE, "aud is another client"),
  AUD_MISSING(Kind.ID_TOKEN, Verdict.REFUSE, "no aud claim"),
  AUD_EXTRA_UNTRUSTED(Kind.ID_TOKEN, Verdict.REFUSE, "aud lists the client and an untrusted audience (azp = client)"),
  AZP_WRONG(Kind.ID_TOKEN, Verdict.REFUSE, "azp is another client"),
  IAT_MISSING(Kind.ID_TOKEN, Verdict.REFUSE, "no iat claim"),
  IAT_FUTURE(Kind.ID_TOKEN, Verdict.REFUSE, "iat one day in the future"),
  EXP_PAST(Kind.ID_TOKEN, Verdict.REFUSE, "exp one hour in the past"),
  EXP_MISSING(Kind.ID_TOKEN, Verdict.REFUSE, "no exp claim"),
  EXP_MILLIS(Kind.ID_TOKEN, Verdict.REFUSE, "exp in milliseconds (valid for ~50,000 years if read as seconds)"),
  NBF_FUTURE(Kind.ID_TOKEN, Verdict.REFUSE, "nbf one day in the future"),
  NONCE_WRONG(Kind.ID_TOKEN, Verdict.REFUSE, "nonce differs from the authorization request's"),
  NONCE_MISSING(Kind.ID_TOKEN, Verdict.REFUSE, "no nonce although the request had one"),
  SIG_BITFLIP(Kind.ID_TOKEN, Verdict.REFUSE, "one bit of the signature flipped"),
  ALG_NONE(Kind.ID_TOKEN, Verdict.REFUSE, "unsigned token, alg none"),
  HS256_RSA_PUBLIC_KEY(Kind.ID_TOKEN, Verdict.REFUSE, "HS256 with the OP's public RSA key (PEM) as the HMAC secret"),
  ALG_UNEXPECTED(Kind.ID_TOKEN, Verdict.REFUSE, "signed by the genuine OP key with an unregistered alg (PS256 for RSA keys)"),
  HEADER_JKU(Kind.ID_TOKEN, Verdict.REFUSE, "signed by an attacker key announced in a jku header"),
  HEADER_X5U(Kind.ID_TOKEN, Verdict.REFUSE, "signed by an attacker key announced in an x5u header"),
  HEADER_JWK(Kind.ID_TOKEN, Verdict.REFUSE, "signed by an attacker key embedded as a jwk header"),
  CRIT_UNKNOWN(Kind.ID_TOKEN, Verdict.REFUSE, "genuine signature, crit names an unknown header parameter"),

  // ---- keys ------------------------------------------------------------------------------------
  KID_NONE_SINGLE_RSA(Kind.ID_TOKEN, Verdict.ACCEPT,
      "no kid; the JWKS has one RSA key among EC keys (conformance rp-id_token-kid-absent-single-jwks)"),
  KID_NONE_MULTIPLE_RSA(Kind.ID_TOKEN, Verdict.EITHER,
      "no kid; the JWKS has several RSA keys (conformance: refuse, or try every key)"),
  KID_UNKNOWN(Kind.ID_TOKEN, Verdict.ACCEPT,
      "signed by a new key whose kid is only in the JWKS from now on: accept after one refetch"),
  KEY_ROTATED_BEFORE_SIGNING(Kind.ID_TOKEN, Verdict.ACCEPT,
      "the OP rotates its key just before signing: accept after one refetch"),

  // ---- other responses ---------------------------------------------------------------------
  USERINFO_SUB_MISMATCH(Kind.USERINFO, Verdict.REFUSE, "userinfo sub differs from the ID token's"),
  REFRESH_ISS_CHANGED(Kind.REFRESH_ID_TOKEN, Verdict.REFUSE, "the ID token from a refresh has another iss"),
  REFRESH_SUB_CHANGED(Kind.REFRESH_ID_TOKEN, Verdict.REFUSE, "the ID token from a refresh has another sub"),
  REFRESH_AUD_CHANGED(Kind.REFRESH_ID_TOKEN, Verdict.REFUSE, "the ID token from a refresh has another aud"),
  DISCOVERY_ISSUER_MISMATCH(Kind.DISCOVERY, Verdict.REFUSE, "discovery names another issuer"),
  DISCOVERY_SLOW(Kind.DISCOVERY, Verdict.REFUSE, "discovery trickles one byte per second"),
  DISCOVERY_HUGE(Kind.DISCOVERY, Verdict.REFUSE, "discovery streams 64 MiB of JSON"),
  DISCOVERY_NOT_JSON(Kind.DISCOVERY, Verdict.REFUSE, "discovery answers 200 with an HTML page"),
  DISCOVERY_500(Kind.DISCOVERY, Verdict.REFUSE, "discovery answers 500"),
  JWKS_SLOW(Kind.JWKS, Verdict.REFUSE, "the JWKS trickles one byte per second"),
  JWKS_HUGE(Kind.JWKS, Verdict.REFUSE, "the JWKS streams 64 MiB of JSON"),
  JWKS_NOT_JSON(Kind.JWKS, Verdict.REFUSE, "the JWKS answers 200 with an HTML page"),
  JWKS_500(Kind.JWKS, Verdict.REFUSE, "the JWKS answers 500"),
  AUTHORIZE_ERROR_HTML(Kind.AUTHORIZE, Verdict.REFUSE,
      "the authorization response is an error whose error_description is HTML with a script (must be escaped)"),

  // ---- logout tokens (sent by the back-channel when an OP session ends) --------------------------
  LOGOUT_ALG_NONE(Kind.LOGOUT, Verdict.REFUSE, "unsigned logout token"),
  LOGOUT_ALG_WRONG(Kind.LOGOUT, Verdict.REFUSE, "genuine key, unregistered alg (PS256)"),
  LOGOUT_EVENTS_MISSING(Kind.LOGOUT, Verdict.REFUSE, "no events claim"),
  LOGOUT_EVENTS_WRONG(Kind.LOGOUT, Verdict.REFUSE, "events without the back-channel logout event"),
  LOGOUT_NONCE(Kind.LOGOUT, Verdict.REFUSE, "carries a nonce (forbidden, §2.4)"),
  LOGOUT_ISS_WRONG(Kind.LOGOUT, Verdict.REFUSE, "iss is another issuer"),
  LOGOUT_AUD_WRONG(Kind.LOGOUT, Verdict.REFUSE, "aud is another client"),
  LOGOUT_EXPIRED(Kind.LOGOUT, Verdict.REFUSE, "expired 50 minutes ago"),
  LOGOUT_NO_SUB_NO_SID(Kind.LOGOUT, Verdict.REFUSE, "neither sub nor sid"),
  LOGOUT_JTI_REPLAY(Kind.LOGOUT, Verdict.REFUSE, "a valid token sent twice: the first is accepted, the replay refused"),
  LOGOUT_ID_TOKEN(Kind.LOGOUT, Verdict.REFUSE, "an ID token sent as the logout token");

  /** Which response a case breaks. */
  public enum Kind {
    /** The ID token of the authorization-code exchange (ID-token and key cases). */
    ID_TOKEN,
    /** The ID token of a refresh grant. */
    REFRESH_ID_TOKEN,
    USERINFO,
    DISCOVERY,
    JWKS,
    AUTHORIZE,
    LOGOUT
  }

  /** What a correct relying party does with the broken response. */
  public enum Verdict {
    REFUSE,
    ACCEPT,
    /** The conformance suite allows both (e.g. try every key, or refuse). */
    EITHER
  }

  private final Kind kind;
  private final Verdict verdict;
  private final String description;

  TamperCase(Kind kind, Verdict verdict, String description) {
    this.kind = kind;
    this.verdict = verdict;
    this.description = description;
  }

  /** The stable kebab-case name, e.g. {@code iss-suffix}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public Kind kind() {
    return kind;
  }

  public Verdict verdict() {
    return verdict;
  }

  public String description() {
    return description;
  }

  public static Optional<TamperCase> find(String name) {
    if (name == null) return Optional.empty();
    String n = name.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(c -> c.configName().equals(n)).findFirst();
  }

  /** Parses a case name; the message lists the valid ones. */
  public static TamperCase parse(String name) {
    return find(name).orElseThrow(() -> new IllegalArgumentException("unknown tamper case '" + name
        + "'; expected one of " + Arrays.stream(values()).map(TamperCase::configName).collect(Collectors.joining(", "))));
  }

  @Override
  public String toString() {
    return configName();
  }
}
