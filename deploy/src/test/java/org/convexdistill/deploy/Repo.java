package org.convexdistill.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root, found from the module's working directory (Maven runs tests in deploy/). */
final class Repo {
  private Repo() {}

  static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("k8s"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("no k8s/ above " + Path.of("").toAbsolutePath());
    }
    return p;
  }

  /** A program on PATH, or under the repository's .tools/ where './distill test' unpacks it. */
  static Path tool(String name, String installHint) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path c = Path.of(dir, name);
      if (Files.isExecutable(c)) {
        return c;
      }
    }
    Path local = root().resolve(".tools/prometheus/usr/bin").resolve(name);
    if (Files.isExecutable(local)) {
      return local;
    }
    throw new IllegalStateException(name + " not found: " + installHint);
  }
}
