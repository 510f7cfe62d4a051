package dev.hourglass.op.keys;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where the native provider unpacks its library: a directory of Hourglass's own in the user's cache
 * ({@code $XDG_CACHE_HOME/hourglass/native} or {@code ~/.cache/hourglass/native}).
 *
 * <p>Why: ACCP unpacks its library (about 8 MB) into a fresh directory and deletes it right after
 * loading it. A JVM killed in between, a start interrupted in its first half second, leaves that
 * directory behind, and in the shared temp directory nobody would ever clear it. Here every load
 * holds a file lock on the directory while it unpacks, so anything found in it under the lock was
 * left by a killed JVM and is removed. The OS releases the lock of a killed process.
 */
final class NativeLibraryDir implements AutoCloseable {
  /** ACCP's own setting for where to unpack (default {@code java.io.tmpdir}). */
  static final String ACCP_TMPDIR = "com.amazon.corretto.crypto.provider.tmpdir";
  /** How ACCP names the directories it unpacks into. */
  static final String UNPACKED_PREFIX = "amazonCorrettoCryptoProviderNativeLibraries.";

  private final Path dir;
  private final FileChannel lockFile;
  private final FileLock lock;
  private final int removed;

  private NativeLibraryDir(Path dir, FileChannel lockFile, FileLock lock, int removed) {
    this.dir = dir;
    this.lockFile = lockFile;
    this.lock = lock;
    this.removed = removed;
  }

  /** The default directory, or null without a home or cache directory (then ACCP uses the temp directory). */
  static Path defaultDir() {
    String cache = System.getenv("XDG_CACHE_HOME");
    if (cache != null && !cache.isBlank() && Path.of(cache).isAbsolute()) {
      return Path.of(cache, "hourglass", "native");
    }
    String home = System.getProperty("user.home");
    return home == null || home.isBlank() || home.equals("?") ? null : Path.of(home, ".cache", "hourglass", "native");
  }

  /**
   * Creates {@code dir}, waits for its lock and removes what killed loads left there. Null if that
   * cannot be done here (a read-only home, for example): the caller then leaves ACCP's default.
   */
  static NativeLibraryDir claim(Path dir) {
    if (dir == null) {
      return null;
    }
    FileChannel channel = null;
    try {
      Files.createDirectories(dir);
      channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.lock(); // other JVMs unpacking right now finish first
      return new NativeLibraryDir(dir, channel, lock, removeLeftovers(dir));
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      return null;
    }
  }

  Path path() {
    return dir;
  }

  /** How many left-behind directories the claim removed. */
  int removed() {
    return removed;
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      // closing the channel releases it as well
    }
    closeQuietly(lockFile);
  }

  private static int removeLeftovers(Path dir) throws IOException {
    int removed = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, UNPACKED_PREFIX + "*")) {
      for (Path leftover : entries) {
        try (Stream<Path> tree = Files.walk(leftover)) {
          for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
        removed++;
      }
    }
    return removed;
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // nothing left to do
      }
    }
  }
}
