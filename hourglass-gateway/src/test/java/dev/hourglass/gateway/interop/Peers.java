package dev.hourglass.gateway.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real OPs of {@code ../shared/peers}, driven through {@code interop/gateway/peer.sh} (which
 * picks the port, the private run directory and serialises starts; see that script). Any failure
 * to start a peer FAILS the test with the script's output and the peer's log: an interop test that
 * silently skips proves nothing.
 */
final class Peers {
  /** Keycloak's first start on a busy 2-core machine has taken up to 100 s. */
  private static final long START_TIMEOUT_S = 420;

  private Peers() {}

  /** The repository root (the directory holding {@code interop/gateway/peer.sh}). */
  static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("interop/gateway/peer.sh"))) return d;
    }
    throw new AssertionError("interop/gateway/peer.sh not found above " + dir);
  }

  /** Starts (or reuses) the peer; returns its issuer URL. */
  static String start(String peer, Map<String, String> env) {
    return run(START_TIMEOUT_S, env, "start", peer);
  }

  static void stop(String peer) {
    run(120, Map.of(), "stop", peer);
  }

  /** Keycloak: re-points the running peer's client and lifetimes (env as configure-client.sh). */
  static void configureKeycloak(Map<String, String> env) {
    run(60, env, "configure", "keycloak");
  }

  /** Whether the test should leave the peer running for the next run (KEEP_PEERS=1). */
  static boolean keep() {
    return "1".equals(System.getenv("KEEP_PEERS"));
  }

  private static String run(long timeoutS, Map<String, String> env, String action, String peer) {
    Path root = repoRoot();
    Path err = null;
    try {
      err = Files.createTempFile("peer-" + peer + "-" + action, ".log");
      ProcessBuilder pb = new ProcessBuilder(List.of("bash", root.resolve("interop/gateway/peer.sh").toString(), action, peer))
          .directory(root.toFile())
          .redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      pb.environment().putAll(env);
      Process p = pb.start();
      // stdout is one line (the URL): read it fully, then wait for the exit code.
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("peer.sh " + action + " " + peer + " did not finish in " + timeoutS + " s\n" + diagnostics(peer, err));
      }
      if (p.exitValue() != 0) {
        throw new AssertionError("peer.sh " + action + " " + peer + " failed (exit " + p.exitValue()
            + "): the real " + peer + " peer is required for this interop test\n" + diagnostics(peer, err));
      }
      String[] lines = out.split("\n");
      return lines[lines.length - 1].trim();
    } catch (IOException e) {
      throw new AssertionError("could not run peer.sh " + action + " " + peer + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      if (err != null) {
        try {
          Files.deleteIfExists(err);
        } catch (IOException ignored) {
          // a temp file
        }
      }
    }
  }

  private static String diagnostics(String peer, Path err) {
    StringBuilder b = new StringBuilder("--- peer.sh stderr ---\n").append(tail(err, 40));
    Path log = runDir().resolve(peer + ".log");
    b.append("--- ").append(log).append(" ---\n").append(tail(log, 30));
    return b.toString();
  }

  /** The peers' run directory, chosen exactly as peer.sh chooses it. */
  static Path runDir() {
    String testRun = System.getenv("HOURGLASS_TEST_RUN");
    if (testRun != null && !testRun.isEmpty()) {
      String peersRun = System.getenv("PEERS_RUN");
      return Path.of(peersRun != null && !peersRun.isEmpty() ? peersRun : testRun + "/peers");
    }
    String own = System.getenv("GW_INTEROP_PEERS_RUN");
    return Path.of(own != null && !own.isEmpty() ? own : "/tmp/hourglass-gw-interop-peers");
  }

  /** The last lines of a peer's log, for failure messages. */
  static String logTail(String peer, int lines) {
    return tail(runDir().resolve(peer + ".log"), lines);
  }

  private static String tail(Path file, int n) {
    try {
      if (file == null || !Files.isRegularFile(file)) return "(missing)\n";
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size())) + "\n";
    } catch (IOException e) {
      return "(unreadable: " + e + ")\n";
    }
  }
}
