package dev.hourglass.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.hourglass.core.clock.ControllableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class FileSessionStoreTest {
  static final String ISS = "http://127.0.0.1:9090";
  @TempDir Path dir;
  final Vertx vertx = Vertx.vertx();
  final ControllableClock clock = ControllableClock.startingAt(Sessions.T0);
  final Instant retain = Sessions.T0.plus(Duration.ofHours(8));

  @AfterEach
  void closeVertx() throws Exception {
    await(vertx.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  FileSessionStore open() throws Exception {
    return await(FileSessionStore.open(vertx, dir, Sessions.codec(), clock, 10_000));
  }

  List<Path> records() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".session")).toList();
    }
  }

  @Test
  void sessionsSurviveCloseAndReopenWithTheirIndexes() throws Exception {
    FileSessionStore store = open();
    Session a = Sessions.session("alice", "sid-a");
    Session b = Sessions.session("bob", "sid-b");
    await(store.save(a, retain));
    await(store.save(b, retain));
    await(store.save(b.withLastSeenAt(Sessions.T0.plusSeconds(5)), retain));
    await(store.close());

    FileSessionStore reopened = open();
    assertThat(await(reopened.load(a.id()))).contains(a);
    assertThat(await(reopened.load(b.id()))).hasValueSatisfying(s -> assertThat(s.version()).isEqualTo(2));
    assertThat(await(reopened.findByOpSessionId(ISS, "sid-a"))).containsExactly(a);
    assertThat(await(reopened.findBySubject(ISS, "bob"))).hasSize(1);
    assertThat(records()).hasSize(2);
  }

  @Test
  void filesAreEncryptedNamedByStoreKeyAndPrivate() throws Exception {
    FileSessionStore store = open();
    Session a = Sessions.session("alice", "sid-a");
    await(store.save(a, retain));
    Path file = dir.resolve(Sessions.keys().sessionIds().storeKey(a.id()) + ".session");
    assertThat(file).exists();
    String raw = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    assertThat(raw).doesNotContain(a.id()).doesNotContain("alice").doesNotContain("rt-alice");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(a.id()));
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
  }

  @Test
  void deleteRemovesTheFile() throws Exception {
    FileSessionStore store = open();
    Session a = Sessions.session("alice", "sid-a");
    await(store.save(a, retain));
    assertThat(await(store.delete(a.id()))).isTrue();
    assertThat(await(store.delete(a.id()))).isFalse();
    assertThat(await(store.delete("garbage"))).isFalse();
    assertThat(records()).isEmpty();
    await(store.close());
    assertThat(await(open().load(a.id()))).isEmpty();
  }

  @Test
  void expiredRecordsAreDroppedOnOpenAndOnEviction() throws Exception {
    FileSessionStore store = open();
    Session shortLived = Sessions.session("alice", "sid-a");
    Session longLived = Sessions.session("bob", "sid-b");
    await(store.save(shortLived, Sessions.T0.plusSeconds(60)));
    await(store.save(longLived, retain));
    await(store.close());
    clock.advance(Duration.ofMinutes(2));
    FileSessionStore reopened = open();
    assertThat(await(reopened.load(shortLived.id()))).isEmpty();
    assertThat(await(reopened.load(longLived.id()))).isPresent();
    assertThat(records()).hasSize(1);

    // Expiry while running: Caffeine evicts on the clock, the file follows.
    clock.set(retain);
    reopened.size(); // runs maintenance
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!records().isEmpty() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(records()).isEmpty();
  }

  @Test
  void corruptedTruncatedForeignAndMisnamedFilesAreQuarantinedWithAWarning() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(FileSessionStore.class);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try {
      FileSessionStore store = open();
      Session good = Sessions.session("alice", "sid-a");
      Session truncated = Sessions.session("bob", "sid-b");
      Session flipped = Sessions.session("carol", "sid-c");
      Session swapped = Sessions.session("dave", "sid-d");
      for (Session s : List.of(good, truncated, flipped, swapped)) {
        await(store.save(s, retain));
      }
      await(store.close());
      var ids = Sessions.keys().sessionIds();
      Path t = dir.resolve(ids.storeKey(truncated.id()) + ".session");
      byte[] tb = Files.readAllBytes(t);
      Files.write(t, Arrays.copyOf(tb, tb.length / 2));
      Path f = dir.resolve(ids.storeKey(flipped.id()) + ".session");
      byte[] fb = Files.readAllBytes(f);
      fb[fb.length - 3] ^= 1;
      Files.write(f, fb);
      // dave's record copied over to a new name: the AAD no longer matches.
      Files.copy(dir.resolve(ids.storeKey(swapped.id()) + ".session"), dir.resolve(ids.storeKey(SessionIds.newId()) + ".session"));
      Files.writeString(dir.resolve(ids.storeKey(SessionIds.newId()) + ".session"), "garbage");
      Files.write(dir.resolve(ids.storeKey(SessionIds.newId()) + ".session"), new byte[0]);
      Files.writeString(dir.resolve("../../etc-passwd.session".replace("/", "_")), "x");
      Files.writeString(dir.resolve("README.txt"), "not ours");
      Files.writeString(dir.resolve(ids.storeKey(good.id()) + ".session.abc.tmp"), "half-written");

      FileSessionStore reopened = open();
      assertThat(await(reopened.load(good.id()))).contains(good);
      assertThat(await(reopened.load(swapped.id()))).isPresent();
      assertThat(await(reopened.load(truncated.id()))).isEmpty();
      assertThat(await(reopened.load(flipped.id()))).isEmpty();
      assertThat(reopened.size()).isEqualTo(2);
      try (Stream<Path> q = Files.list(reopened.quarantineDirectory())) {
        assertThat(q.count()).isEqualTo(6);
      }
      assertThat(dir.resolve("README.txt")).exists();
      try (Stream<Path> s = Files.list(dir)) {
        assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
      }
      List<String> warnings = new ArrayList<>();
      logs.list.stream().filter(e -> e.getLevel().toString().equals("WARN")).forEach(e -> warnings.add(e.getFormattedMessage()));
      assertThat(warnings).filteredOn(w -> w.contains("skipped")).hasSize(6);
      assertThat(warnings).anyMatch(w -> w.contains("README.txt"));
      assertThat(String.join("\n", warnings)).doesNotContain(good.id()).doesNotContain("garbage");
    } finally {
      logger.detachAppender(logs);
    }
  }

  @Test
  void oversizedFileIsQuarantinedUnread() throws Exception {
    Path big = dir.resolve(Sessions.keys().sessionIds().storeKey(SessionIds.newId()) + ".session");
    Files.write(big, new byte[(int) FileSessionStore.MAX_FILE_BYTES + 1]);
    FileSessionStore store = open();
    assertThat(store.size()).isZero();
    assertThat(big).doesNotExist();
  }

  @Test
  void concurrentSavesAndDeletesConvergeOnDisk() throws Exception {
    FileSessionStore store = open();
    List<Session> sessions = new ArrayList<>();
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      Session s = Sessions.session("u" + i, "s" + i);
      sessions.add(s);
      futures.add(store.save(s, retain));
      futures.add(store.save(s.withLastSeenAt(Sessions.T0.plusSeconds(1)), retain));
      if (i % 2 == 0) {
        futures.add(store.delete(s.id()));
      }
    }
    for (Future<?> f : futures) {
      await(f);
    }
    await(store.close());
    FileSessionStore reopened = open();
    for (int i = 0; i < sessions.size(); i++) {
      assertThat(await(reopened.load(sessions.get(i).id())).isPresent()).as("session %d", i).isEqualTo(i % 2 == 1);
    }
    assertThat(records()).hasSize(30);
  }

  @Test
  void closedStoreRefusesWritesAndKeepsFiles() throws Exception {
    FileSessionStore store = open();
    Session a = Sessions.session("alice", "sid-a");
    await(store.save(a, retain));
    await(store.close());
    assertThat(store.save(Sessions.session("bob", "x"), retain).failed()).isTrue();
    assertThat(records()).hasSize(1);
  }

  @Test
  void fileIoNeverRunsOnTheEventLoop() throws Exception {
    io.vertx.core.Promise<FileSessionStore> opened = io.vertx.core.Promise.promise();
    vertx.runOnContext(v -> FileSessionStore.open(vertx, dir, Sessions.codec(), clock, 100).onComplete(opened));
    FileSessionStore store = await(opened.future());
    assertThat(store.lastIoThread).isNotBlank().doesNotContain("eventloop");
    io.vertx.core.Promise<Void> saved = io.vertx.core.Promise.promise();
    vertx.runOnContext(v -> {
      assertThat(io.vertx.core.Context.isOnEventLoopThread()).isTrue();
      store.save(Sessions.session("alice", "a"), retain).onComplete(saved);
    });
    await(saved.future());
    assertThat(store.lastIoThread).isNotBlank().doesNotContain("eventloop");
  }

  @Test
  void aSecondGatewayOnTheSameDirectoryIsRefusedUntilTheFirstCloses() throws Exception {
    FileSessionStore first = open();
    assertThat(FileSessionStore.open(vertx, dir, Sessions.codec(), clock, 100).toCompletionStage().toCompletableFuture())
        .failsWithin(java.time.Duration.ofSeconds(10))
        .withThrowableThat().havingRootCause().withMessageContaining("in use by another gateway");
    await(first.close());
    assertThat(open()).isNotNull();
  }

  @Test
  void symlinksInTheDirectoryAreNeitherFollowedNorTouched() throws Exception {
    Path outside = Files.createTempFile("outside", ".txt");
    try {
      Files.writeString(outside, "do not touch");
      Path link = dir.resolve(Sessions.keys().sessionIds().storeKey(SessionIds.newId()) + ".session");
      Files.createSymbolicLink(link, outside);
      FileSessionStore store = open();
      assertThat(store.size()).isZero();
      assertThat(Files.isSymbolicLink(link)).isTrue();
      assertThat(Files.readString(outside)).isEqualTo("do not touch");
    } finally {
      Files.deleteIfExists(outside);
    }
  }

  @Test
  void afterVertxShutsDownTheStoreFailsCleanlyAndStillReleasesItsLock() throws Exception {
    FileSessionStore store = open();
    Session a = Sessions.session("alice", "sid-a");
    await(store.save(a, retain));
    Vertx other = Vertx.vertx();
    try {
      await(vertx.close());
      assertThat(store.save(Sessions.session("bob", "b"), retain).failed()).isTrue();
      await(store.close());
      FileSessionStore next = await(FileSessionStore.open(other, dir, Sessions.codec(), clock, 100));
      assertThat(await(next.load(a.id()))).isPresent();
    } finally {
      await(other.close());
    }
  }

  @Test
  void killMinus9LosesNoSessionThatWasWritten() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        FileStoreChild.class.getName(), dir.toString(), "25");
    pb.redirectErrorStream(true);
    Process child = pb.start();
    List<String> ids = new ArrayList<>();
    List<String> output = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        output.add(line);
        if (line.startsWith("id ")) {
          ids.add(line.substring(3));
        }
        if (line.equals("saved")) {
          break;
        }
      }
      assertThat(output).as("child output").contains("saved");
      Thread.sleep(200); // let it get busy with more writes: the kill must land mid-I/O
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(ids).hasSize(25);

    FileSessionStore store = open();
    for (String id : ids) {
      assertThat(await(store.load(id))).as(id).isPresent();
    }
    // Whatever was in flight at the kill is either complete or gone: nothing to quarantine.
    assertThat(store.quarantineDirectory()).doesNotExist();
    assertThat(store.size()).isGreaterThanOrEqualTo(25);
    assertThat(await(store.findBySubject(ISS, "user7"))).hasSize(1);
  }
}
