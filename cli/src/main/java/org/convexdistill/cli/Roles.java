package org.convexdistill.cli;

import java.util.concurrent.CountDownLatch;
import org.convexdistill.app.UserException;

/** What the role commands share: teacher identity, topic creation, running until stopped. */
final class Roles {
  private Roles() {}

  static String requireBootstrap(StreamOptions.Kafka kafka) {
    if (kafka.bootstrapServers == null || kafka.bootstrapServers.isBlank()) {
      throw new UserException(
          "--bootstrap-servers is required (or DISTILL_BOOTSTRAP_SERVERS); for a local broker use"
              + " 'distill up'");
    }
    return kafka.bootstrapServers;
  }

  /** Blocks until SIGINT/SIGTERM, then closes {@code resources} in reverse order. */
  static void runUntilStopped(AutoCloseable... resources) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  for (int i = resources.length - 1; i >= 0; i--) {
                    try {
                      resources[i].close();
                    } catch (Exception e) {
                      System.err.println("distill: error while stopping: " + e);
                    }
                  }
                  done.countDown();
                }));
    done.await();
  }
}
