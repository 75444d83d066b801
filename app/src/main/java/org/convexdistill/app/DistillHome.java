package org.convexdistill.app;

import java.nio.file.Path;

/**
 * Where distill keeps what it makes: {@code $DISTILL_HOME}, by default ~/.cache/convex-distill
 * (teachers, logs). Nothing is kept beside the checkout.
 */
public final class DistillHome {
  private DistillHome() {}

  /** The home folder (not created here). */
  public static Path home() {
    String env = System.getenv("DISTILL_HOME");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "convex-distill");
  }

  /** The default teacher folder. */
  public static Path defaultTeacher() {
    return home().resolve("teacher");
  }

  /** Where library logs go unless {@code --verbose}. */
  public static Path logs() {
    return home().resolve("logs");
  }
}
