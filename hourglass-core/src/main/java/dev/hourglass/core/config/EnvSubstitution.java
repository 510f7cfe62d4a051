package dev.hourglass.core.config;

import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in config text before it is parsed, so
 * secrets can come from the environment (Kubernetes secrets, CI variables). {@code $${X}} is a
 * literal {@code ${X}}. Line numbers are kept: a value with a line break is refused.
 */
public final class EnvSubstitution {
  private static final Pattern REF =
      Pattern.compile("\\$(\\$?)\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

  private final Function<String, String> env;

  public EnvSubstitution(Function<String, String> env) {
    this.env = env;
  }

  public static EnvSubstitution of(Map<String, String> env) {
    return new EnvSubstitution(env::get);
  }

  /**
   * @throws ConfigException naming the variable and line when a variable is unset and has no
   *     default
   */
  public String apply(String file, String text) {
    StringBuilder out = new StringBuilder(text.length());
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (i > 0) {
        out.append('\n');
      }
      out.append(applyLine(file, i + 1, lines[i]));
    }
    return out.toString();
  }

  private String applyLine(String file, int lineNo, String line) {
    if (line.stripLeading().startsWith("#")) {
      return line;
    }
    Matcher m = REF.matcher(line);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (!m.group(1).isEmpty()) {
        replacement = m.group().substring(1);
      } else {
        String value = env.apply(m.group(2));
        if (value == null || value.isEmpty()) {
          value = m.group(3);
        }
        if (value == null) {
          throw new ConfigException(
              file, "", lineNo, "environment variable ${" + m.group(2) + "} is not set (write ${"
                  + m.group(2) + ":-default} for a default)");
        }
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
          throw new ConfigException(
              file, "", lineNo, "environment variable ${" + m.group(2) + "} contains a line break");
        }
        replacement = value;
      }
      m.appendReplacement(b, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(b);
    return b.toString();
  }
}
