package dev.hourglass.op.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibraryDirTest {
  @TempDir Path tmp;

  @Test
  void aClaimRemovesWhatKilledStartsLeftAndNothingElse() throws Exception {
    Path dir = tmp.resolve("native");
    Path leftover = Files.createDirectories(dir.resolve(NativeLibraryDir.UNPACKED_PREFIX + "3b51615d6fdf57f7"));
    Files.write(leftover.resolve("libamazonCorrettoCryptoProvider.so"), new byte[4096]);
    Files.createDirectories(dir.resolve(NativeLibraryDir.UNPACKED_PREFIX + "4d37e988172a3d7b"));
    Path unrelated = Files.writeString(dir.resolve("notes.txt"), "keep me");
    try (NativeLibraryDir claim = NativeLibraryDir.claim(dir)) {
      assertThat(claim).isNotNull();
      assertThat(claim.removed()).isEqualTo(2);
      assertThat(claim.path()).isEqualTo(dir);
    }
    assertThat(leftover).doesNotExist();
    assertThat(unrelated).hasContent("keep me");
  }

  @Test
  void aClaimCreatesTheDirectory() {
    Path dir = tmp.resolve("a/b/native");
    try (NativeLibraryDir claim = NativeLibraryDir.claim(dir)) {
      assertThat(claim).isNotNull();
      assertThat(claim.removed()).isZero();
    }
    assertThat(dir).isDirectory();
  }

  @Test
  void whileOneLoadHoldsTheDirectoryAnotherNeverClearsIt() throws Exception {
    Path dir = tmp.resolve("native");
    try (NativeLibraryDir first = NativeLibraryDir.claim(dir)) {
      assertThat(first).isNotNull();
      // a load in progress: its freshly unpacked library must survive a second claim
      Path unpacking = Files.createDirectories(dir.resolve(NativeLibraryDir.UNPACKED_PREFIX + "inprogress"));
      assertThat(NativeLibraryDir.claim(dir)).as("the same JVM cannot take the lock twice").isNull();
      assertThat(unpacking).isDirectory();
    }
  }

  @Test
  void noUsableDirectoryMeansNoClaim() throws Exception {
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    assertThat(NativeLibraryDir.claim(file.resolve("native"))).isNull();
    assertThat(NativeLibraryDir.claim(null)).isNull();
  }

  @Test
  void theProviderUnpacksIntoOurDirectoryAndLeavesNothingThere() throws Exception {
    assertThat(NativeSigning.awaitLoaded(30, TimeUnit.SECONDS)).isTrue();
    assumeTrue(NativeSigning.provider().isPresent(), NativeSigning.description());
    Path ours = NativeLibraryDir.defaultDir();
    assumeTrue(ours != null, "no home directory");
    assertThat(System.getProperty(NativeLibraryDir.ACCP_TMPDIR)).isEqualTo(ours.toString());
    assertThat(ours.resolve(".lock")).exists();
  }
}
