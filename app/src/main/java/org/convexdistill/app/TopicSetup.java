package org.convexdistill.app;

import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.convexdistill.runtime.topics.Topics;

/** Creates the service's topics that are missing on a cluster. */
public final class TopicSetup {
  private TopicSetup() {}

  /** Creates the missing topics, or fails with one line when Kafka cannot be reached. */
  public static void ensure(String bootstrapServers, int partitions) {
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
}
