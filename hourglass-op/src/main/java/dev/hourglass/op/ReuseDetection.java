package dev.hourglass.op;

import java.util.Locale;

/**
 * What the token endpoint does when a rotated (already used) refresh token comes back.
 *
 * <ul>
 *   <li>{@link #OFF}: the old token still works until its family expires.
 *   <li>{@link #INVALID_GRANT}: {@code invalid_grant}; the rest of the family stays valid.
 *   <li>{@link #REVOKE_FAMILY}: RFC 9700 §4.14.2: {@code invalid_grant} and the whole grant
 *       (every refresh and access token of the family) is revoked.
 * </ul>
 */
public enum ReuseDetection {
  OFF("off"),
  INVALID_GRANT("invalid-grant"),
  REVOKE_FAMILY("revoke-family");

  private final String configName;

  ReuseDetection(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }

  public static ReuseDetection parse(String text) {
    if (text != null) {
      for (ReuseDetection r : values()) {
        if (r.configName.equals(text.trim().toLowerCase(Locale.ROOT))) {
          return r;
        }
      }
    }
    throw new IllegalArgumentException("expected off, invalid-grant or revoke-family, got '" + text + "'");
  }
}
