package org.convexdistill.cli;

import java.nio.file.Path;

/** Where distill keeps what it makes: {@code $DISTILL_HOME}, by default ~/.cache/convex-distill. */
final class Paths {
  private Paths() {}

  static Path home() {
    String env = System.getenv("DISTILL_HOME");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "convex-distill");
  }

  /** The default teacher folder. */
  static Path defaultTeacher() {
    return home().resolve("teacher");
  }
}
