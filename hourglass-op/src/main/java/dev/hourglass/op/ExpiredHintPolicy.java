package dev.hourglass.op;

import java.util.Locale;

/**
 * What {@code /logout} does with an {@code id_token_hint} whose {@code exp} has passed.
 *
 * <ul>
 *   <li>{@link #ACCEPT} (default): RP-Initiated Logout 1.0 §2 SHOULD: the hint is used when its
 *       signature and issuer are valid and its {@code sid} names a session the OP still knows
 *       (active, or ended or expired within the last 24 hours).
 *   <li>{@link #REJECT}: emulates strict OPs (older Keycloak, Spring AS): an error page, and the
 *       session is NOT ended.
 * </ul>
 */
public enum ExpiredHintPolicy {
  ACCEPT,
  REJECT;

  /** The config spelling: {@code accept} or {@code reject}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code accept} or {@code reject}. */
  public static ExpiredHintPolicy parse(String text) {
    if (text != null) {
      for (ExpiredHintPolicy p : values()) {
        if (p.configName().equals(text.trim().toLowerCase(Locale.ROOT))) {
          return p;
        }
      }
    }
    throw new IllegalArgumentException("expected accept or reject, got '" + text + "'");
  }
}
