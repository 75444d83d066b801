package org.convexdistill.cli;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.convexdistill.runtime.topics.Topics;

/** What the role commands share: teacher identity, topic creation, running until stopped. */
final class Roles {
  private Roles() {}

  /** Creates the topics that are missing. */
  static void ensureTopics(String bootstrapServers, int partitions) {
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                30_000))) {
      Topics.ensure(admin, partitions);
    } catch (IllegalStateException e) {
      throw new UserException(
          "cannot reach Kafka at " + bootstrapServers + " (" + e.getMessage() + ")");
    }
  }

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
