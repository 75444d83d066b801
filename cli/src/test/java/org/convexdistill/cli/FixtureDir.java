package org.convexdistill.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's Fashion-MNIST fixture, {@code data/fashion-mnist-mini}. */
final class FixtureDir {
  private FixtureDir() {}

  static Path find() {
    Path d = Path.of("").toAbsolutePath();
    for (int up = 0; up < 4 && d != null; up++, d = d.getParent()) {
      Path candidate = d.resolve("data/fashion-mnist-mini");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("data/fashion-mnist-mini not found");
  }
}
