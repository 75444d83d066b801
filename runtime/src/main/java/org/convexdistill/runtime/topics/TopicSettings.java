package org.convexdistill.runtime.topics;

/**
 * How the service's topics are created when missing: partitions of the data topics and, for every
 * topic, the replication factor and {@code min.insync.replicas}.
 *
 * @param partitions partitions of {@code images} and {@code activations} (students: always 1)
 * @param replicationFactor replicas per partition; -1 = the broker's default
 * @param minInsyncReplicas {@code min.insync.replicas}; 0 = the broker's default
 */
public record TopicSettings(int partitions, short replicationFactor, int minInsyncReplicas) {
  public TopicSettings {
    if (partitions < 1) {
      throw new IllegalArgumentException("--partitions must be >= 1, got " + partitions);
    }
    if (replicationFactor == 0 || replicationFactor < -1) {
      throw new IllegalArgumentException(
          "--replication-factor must be >= 1 or -1 (the broker's default), got "
              + replicationFactor);
    }
    if (minInsyncReplicas < 0) {
      throw new IllegalArgumentException(
          "--min-insync-replicas must be >= 1 or 0 (the broker's default), got "
              + minInsyncReplicas);
    }
    if (replicationFactor > 0 && minInsyncReplicas > replicationFactor) {
      throw new IllegalArgumentException(
          "--min-insync-replicas ("
              + minInsyncReplicas
              + ") cannot exceed --replication-factor ("
              + replicationFactor
              + "): no write could ever be acknowledged");
    }
  }

  /** A single-broker setup: replication 1, the broker's min ISR. */
  public static TopicSettings single(int partitions) {
    return new TopicSettings(partitions, (short) 1, 0);
  }
}
