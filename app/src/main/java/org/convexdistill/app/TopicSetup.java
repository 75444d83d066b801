package org.convexdistill.app;

import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.runtime.topics.TopicSettings;
import org.convexdistill.runtime.topics.Topics;

/** Creates the service's topics that are missing on a cluster. */
public final class TopicSetup {
  private TopicSetup() {}

  /** {@link #ensure(KafkaConnection, TopicSettings)} on a plaintext single-broker cluster. */
  public static void ensure(String bootstrapServers, int partitions) {
    ensure(KafkaConnection.of(bootstrapServers), TopicSettings.single(partitions));
  }

  /**
   * Creates the missing topics, or fails with one line when Kafka cannot be reached. Topics that
   * exist with other settings are used as they are, each difference said on stderr (and returned):
   * an operator may have chosen them, but must not be surprised by them.
   */
  public static List<String> ensure(KafkaConnection kafka, TopicSettings settings) {
    var config = kafka.clientConfig();
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    // A short-lived admin has no use for rebootstrapping, and it hides a refused login: after an
    // authentication failure the only broker is in backoff, so the admin rebootstraps, which
    // clears the recorded failure; a wrong password could then end as "timed out waiting for a
    // node assignment" 30 s later instead of the authentication error (seen once in CI).
    config.put(AdminClientConfig.METADATA_RECOVERY_STRATEGY_CONFIG, "none");
    try (Admin admin = Admin.create(config)) {
      List<String> differences = Topics.ensure(admin, settings);
      differences.forEach(
          d -> System.err.println("distill: warning: " + d + "; using it as it is"));
      return differences;
    } catch (IllegalStateException e) {
      throw new UserException(
          "cannot reach Kafka at " + kafka.bootstrapServers() + " (" + e.getMessage() + ")");
    }
  }
}
