package dev.hourglass.core.config;

/**
 * A configuration problem a person can fix: which file, which key, which line and what is wrong.
 * Entry points print {@link #getMessage()} and exit with code 2; never a stack trace.
 */
public final class ConfigException extends RuntimeException {
  private final String file;
  private final String key;
  private final int line;
  private final String reason;

  public ConfigException(String file, String key, int line, String reason) {
    super(format(file, key, line, reason));
    this.file = file;
    this.key = key;
    this.line = line;
    this.reason = reason;
  }

  public ConfigException(String file, String key, String reason) {
    this(file, key, -1, reason);
  }

  private static String format(String file, String key, int line, String reason) {
    StringBuilder b = new StringBuilder();
    b.append(file == null ? "<config>" : file);
    if (line > 0) {
      b.append(':').append(line);
    }
    b.append(": ");
    if (key != null && !key.isEmpty()) {
      b.append(key).append(": ");
    }
    return b.append(reason).toString();
  }

  /** The file (or source name) the problem is in. */
  public String file() {
    return file;
  }

  /** The dotted key path, such as {@code session.idle-timeout}; empty for the whole file. */
  public String key() {
    return key;
  }

  /** The 1-based line, or -1 when unknown. */
  public int line() {
    return line;
  }

  /** What is wrong, without the location. */
  public String reason() {
    return reason;
  }
}
