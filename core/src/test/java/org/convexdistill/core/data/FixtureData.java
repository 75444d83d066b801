package org.convexdistill.core.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository's small Fashion-MNIST fixture ({@code data/fashion-mnist-mini}). */
public final class FixtureData {
  private FixtureData() {}

  public static Path dir() {
    Path d = Path.of("").toAbsolutePath();
    for (int up = 0; up < 4 && d != null; up++, d = d.getParent()) {
      Path candidate = d.resolve("data/fashion-mnist-mini");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "data/fashion-mnist-mini not found above " + Path.of("").toAbsolutePath());
  }
}
