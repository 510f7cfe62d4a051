package dev.hourglass.lab.scenario;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository root (the folder with scenarios/) from a module's working directory. */
public final class BundledScenariosTestSupport {
  private BundledScenariosTestSupport() {}

  public static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("scenarios"))) {
      p = p.getParent();
    }
    if (p == null) throw new IllegalStateException("no scenarios/ folder above " + Path.of("").toAbsolutePath());
    return p;
  }
}
