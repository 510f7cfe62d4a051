package dev.hourglass.gateway.session;

import com.github.benmanes.caffeine.cache.RemovalCause;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded, crash-safe session store ({@code session.store: file}): one encrypted file per
 * session in a directory, so a restart or {@code kill -9} of the gateway loses no session whose
 * {@link #save} had completed.
 *
 * <p>Why this shape:
 * <ul>
 *   <li>Durability: a save writes a temp file, fsyncs it, atomically renames it over the record and
 *       fsyncs the directory; only then does the save future succeed. A crash at any point leaves
 *       either the old record or the new one, never a torn file (leftover temp files are removed at
 *       the next open).
 *   <li>Confidentiality: files hold {@link SessionCodec} output (AES-256-GCM, AAD = store key) and
 *       are named by the HMAC store key, so a copied directory reveals no token and no cookie, and a
 *       file renamed to another session's name does not decrypt. Files are created 0600 in a 0700
 *       directory where POSIX permissions exist.
 *   <li>Availability: an unreadable, truncated, tampered or foreign file is moved to
 *       {@code quarantine/} with a warning at open; the gateway still starts.
 *   <li>Speed and the event loop: every session is also held in a {@link MemorySessionStore}, which
 *       serves reads; all file I/O runs in {@code executeBlocking} on the worker pool. Writes to the
 *       same record are serialised by a striped lock and always write the record's latest in-memory
 *       state (or delete the file if it is gone), so concurrent saves/deletes converge on disk to
 *       what memory holds, whatever order the workers run in.
 * </ul>
 */
public final class FileSessionStore implements SessionStore {
  private static final Logger LOG = LoggerFactory.getLogger(FileSessionStore.class);
  private static final String SUFFIX = ".session";
  private static final String TEMP_SUFFIX = ".tmp";
  private static final Pattern RECORD_NAME = Pattern.compile("[A-Za-z0-9_-]{43}" + Pattern.quote(SUFFIX));
  /** Largest record file read at open; bigger ones are quarantined unread. */
  public static final long MAX_FILE_BYTES = 1024 * 1024;
  private static final int STRIPES = 64;
  private static final String LOCK_FILE = "store.lock";

  private final Vertx vertx;
  private final Path dir;
  private final SessionCodec codec;
  private final MemorySessionStore memory;
  private final Object[] stripes = new Object[STRIPES];
  private volatile boolean closed;
  private FileChannel lockChannel;
  private FileLock lock;
  /** The thread that last touched the disk (tests prove it is never an event loop). */
  volatile String lastIoThread = "";

  private FileSessionStore(Vertx vertx, Path dir, SessionCodec codec, Clock clock, long maxEntries) {
    this.vertx = vertx;
    this.dir = dir;
    this.codec = codec;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
    this.memory = new MemorySessionStore(codec.ids(), clock, maxEntries, this::evicted);
  }

  /**
   * Opens (creating if needed) the store in {@code dir}: loads and indexes every readable record,
   * drops expired ones, quarantines unreadable ones. Runs off the event loop.
   */
  public static Future<FileSessionStore> open(Vertx vertx, Path dir, SessionCodec codec, Clock clock, long maxEntries) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(clock, "clock");
    FileSessionStore store = new FileSessionStore(vertx, dir.toAbsolutePath().normalize(), codec, clock, maxEntries);
    return vertx.executeBlocking(() -> {
      try {
        store.loadAll(clock.instant());
      } catch (IOException | RuntimeException e) {
        store.releaseLock();
        throw e;
      }
      return store;
    }, false);
  }

  /** The directory this store writes to. */
  public Path directory() {
    return dir;
  }

  /** Where unreadable records are moved at open. */
  public Path quarantineDirectory() {
    return dir.resolve("quarantine");
  }

  @Override
  public Future<Optional<Session>> load(String id) {
    if (closed) {
      return Future.failedFuture(new IllegalStateException("session store closed"));
    }
    return memory.load(id);
  }

  @Override
  public Future<Void> save(Session session, Instant retainUntil) {
    if (closed) {
      return Future.failedFuture(new IllegalStateException("session store closed"));
    }
    String key;
    try {
      key = memory.saveNow(session, retainUntil);
    } catch (IllegalArgumentException | NullPointerException e) {
      return Future.failedFuture(e);
    }
    return blocking(() -> {
      flush(key);
      return null;
    });
  }

  @Override
  public Future<Boolean> delete(String id) {
    if (closed) {
      return Future.failedFuture(new IllegalStateException("session store closed"));
    }
    Optional<String> key = codec.ids().storeKeyOf(id);
    if (key.isEmpty()) {
      return Future.succeededFuture(false);
    }
    boolean existed = memory.remove(key.get());
    return blocking(() -> {
      flush(key.get());
      return existed;
    });
  }

  @Override
  public Future<List<Session>> findByOpSessionId(String issuer, String sid) {
    return memory.findByOpSessionId(issuer, sid);
  }

  @Override
  public Future<List<Session>> findBySubject(String issuer, String subject) {
    return memory.findBySubject(issuer, subject);
  }

  /** Stops writing: saves already running finish, later ones fail. Files stay for the next open. */
  @Override
  public Future<Void> close() {
    Callable<Void> closing = () -> {
      for (Object stripe : stripes) {
        synchronized (stripe) {
          closed = true;
        }
      }
      closed = true;
      memory.close();
      releaseLock();
      return null;
    };
    try {
      return vertx.executeBlocking(closing, false);
    } catch (RejectedExecutionException e) {
      // Vert.x is already shut down: close here, the lock must still be released.
      try {
        return Future.succeededFuture(closing.call());
      } catch (Exception ex) {
        return Future.failedFuture(ex);
      }
    }
  }

  /** Runs file I/O on the worker pool; a shut-down Vert.x gives a failed future, not an exception. */
  private <T> Future<T> blocking(Callable<T> task) {
    try {
      return vertx.executeBlocking(task, false);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Live sessions held (tests). */
  long size() {
    return memory.size();
  }

  // Caffeine dropped an entry (expired or over max entries): remove its file too, off-thread.
  private void evicted(String key, RemovalCause cause) {
    if (closed) {
      return;
    }
    // Runs inside Caffeine's eviction: must not throw. A missed delete is redone at the next open.
    blocking(() -> {
      flush(key);
      return null;
    }).onFailure(e -> LOG.warn("session store: could not remove evicted record {}: {}", key, e.toString()));
  }

  /** Makes the file for {@code key} match memory: write the live record, or delete the file. */
  private void flush(String key) throws IOException {
    lastIoThread = Thread.currentThread().getName();
    synchronized (stripes[Math.floorMod(key.hashCode(), STRIPES)]) {
      if (closed) {
        throw new IllegalStateException("session store closed");
      }
      Optional<MemorySessionStore.Entry> entry = memory.peek(key);
      Path file = dir.resolve(key + SUFFIX);
      if (entry.isPresent()) {
        writeAtomically(file, codec.seal(entry.get().session(), entry.get().retainUntil()));
      } else if (Files.deleteIfExists(file)) {
        fsyncDirectory();
      }
    }
  }

  private void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path tmp = dir.resolve(file.getFileName() + "." + SessionIds.randomToken(9) + TEMP_SUFFIX);
    try {
      try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), filePermissions())) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("session store: file system cannot rename atomically", e);
      }
      fsyncDirectory();
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private void fsyncDirectory() {
    // Makes the rename/unlink itself durable (POSIX); not supported on every OS, hence best effort.
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("session store: directory fsync unsupported: {}", e.toString());
    }
  }

  private void loadAll(Instant now) throws IOException {
    lastIoThread = Thread.currentThread().getName();
    createDirectory(dir);
    acquireLock();
    int loaded = 0;
    int expired = 0;
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      ds.forEach(entries::add);
    }
    for (Path p : entries) {
      String name = p.getFileName().toString();
      if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        continue; // quarantine/ and anything else that is not a plain file
      }
      if (name.equals(LOCK_FILE)) {
        continue;
      }
      if (name.endsWith(TEMP_SUFFIX)) {
        Files.deleteIfExists(p); // a save interrupted by a crash; its old record (if any) is intact
        continue;
      }
      if (!name.endsWith(SUFFIX)) {
        LOG.warn("session store: ignoring foreign file {} in {}", name, dir);
        continue;
      }
      if (!RECORD_NAME.matcher(name).matches()) {
        quarantine(p, "not a record name");
        continue;
      }
      String key = name.substring(0, name.length() - SUFFIX.length());
      long size = Files.size(p);
      if (size > MAX_FILE_BYTES) {
        quarantine(p, "larger than " + MAX_FILE_BYTES + " bytes");
        continue;
      }
      Optional<SessionCodec.Stored> stored = codec.open(key, Files.readAllBytes(p));
      if (stored.isEmpty()) {
        quarantine(p, "unreadable (truncated, tampered, wrong secret or misnamed)");
        continue;
      }
      Instant until = stored.get().retainUntil();
      if (until == null || !now.isBefore(until)) {
        Files.deleteIfExists(p);
        expired++;
        continue;
      }
      memory.put(key, new MemorySessionStore.Entry(stored.get().session(), until));
      loaded++;
    }
    fsyncDirectory();
    LOG.info("session store: loaded {} sessions from {} ({} expired removed)", loaded, dir, expired);
  }

  /**
   * One gateway process per directory: two processes would each serve from their own memory and
   * silently overwrite each other's records. The OS drops the lock when a process dies, kill -9
   * included, so a crashed gateway never blocks its successor.
   */
  private void acquireLock() throws IOException {
    FileChannel ch = FileChannel.open(dir.resolve(LOCK_FILE), Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), filePermissions());
    FileLock l;
    try {
      l = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null;
    }
    if (l == null) {
      ch.close();
      throw new IllegalStateException("session store: " + dir + " is in use by another gateway (" + LOCK_FILE + " is locked)");
    }
    lockChannel = ch;
    lock = l;
  }

  private void releaseLock() {
    try {
      if (lock != null) {
        lock.release();
      }
      if (lockChannel != null) {
        lockChannel.close();
      }
    } catch (IOException e) {
      LOG.warn("session store: could not release {}: {}", LOCK_FILE, e.toString());
    }
  }

  private void quarantine(Path p, String reason) {
    Path q = quarantineDirectory();
    try {
      createDirectory(q);
      Path target = q.resolve(p.getFileName() + "." + SessionIds.randomToken(6));
      Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);
      LOG.warn("session store: skipped {}: {}; moved to {}", p.getFileName(), reason, target);
    } catch (IOException e) {
      LOG.warn("session store: skipped {}: {}; could not quarantine it: {}", p.getFileName(), reason, e.toString());
    }
  }

  private static void createDirectory(Path d) throws IOException {
    if (Files.isDirectory(d)) {
      return;
    }
    try {
      if (d.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.createDirectories(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectories(d);
      }
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(d)) {
        throw e;
      }
    }
  }

  private FileAttribute<?>[] filePermissions() {
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))};
    }
    return new FileAttribute<?>[0];
  }
}
