package dev.hourglass.cli;

/** A failure the user can act on: {@link #getMessage()} is printed as is, then the process exits with {@link #exitCode()}. */
final class CliException extends RuntimeException {
  private final int exitCode;

  CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  static CliException usage(String message) {
    return new CliException(Main.EXIT_USAGE, message);
  }

  static CliException failure(String message) {
    return new CliException(Main.EXIT_FAILURE, message);
  }

  int exitCode() {
    return exitCode;
  }
}
