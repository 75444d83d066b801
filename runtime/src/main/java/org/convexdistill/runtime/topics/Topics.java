package org.convexdistill.runtime.topics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The five topics of the service, declared once. Keys are UTF-8 strings; values are bytes in the
 * formats of {@code org.convexdistill.core.stream} (see the README's "Topics and formats").
 */
public final class Topics {
  /** key = device id; value = PNG, JPEG or raw 28×28 grey bytes; header {@code content-type}. */
  public static final String IMAGES = "images";

  /** key = the image's key; value = {@code ActivationRecord} (CDAR). */
  public static final String ACTIVATIONS = "activations";

  /** Compacted; key = model id; value = {@code StudentRelease} (CDSR). */
  public static final String STUDENTS = "students";

  /**
   * Compacted; key = model id; value = the pinned release exactly as published (with its signature
   * header), or null (a tombstone) when nothing is pinned. Written by serving nodes on pin/unpin
   * and read by all of them, so a pin holds on every replica and across restarts (even after
   * compaction removed the pinned version from {@link #STUDENTS}).
   */
  public static final String SERVING_CONTROL = "serving-control";

  /** The original bytes plus {@link DeadLetters} headers: stage, reason, source. */
  public static final String DEAD_LETTER = "dead-letter";

  /** Header naming the payload type of an image record. */
  public static final String CONTENT_TYPE = "content-type";

  /** Largest students record: a block-4 release is ~5.4 MB; headroom for larger students. */
  public static final int STUDENTS_MAX_MESSAGE_BYTES = 64 << 20;

  private Topics() {}

  /** The topics as {@code settings} say to create them (students: one partition, compacted). */
  public static List<NewTopic> declarations(TopicSettings settings) {
    Map<String, String> common = new HashMap<>();
    if (settings.minInsyncReplicas() > 0) {
      common.put(
          TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(settings.minInsyncReplicas()));
    }
    short rf = settings.replicationFactor();
    Map<String, String> students = new HashMap<>(common);
    // One partition keeps every version of a model in order; compaction keeps the latest per key.
    students.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    students.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(STUDENTS_MAX_MESSAGE_BYTES));
    List<NewTopic> topics = new ArrayList<>();
    topics.add(
        new NewTopic(IMAGES, Optional.of(settings.partitions()), optional(rf)).configs(common));
    topics.add(
        new NewTopic(ACTIVATIONS, Optional.of(settings.partitions()), optional(rf))
            .configs(common));
    topics.add(new NewTopic(STUDENTS, Optional.of(1), optional(rf)).configs(students));
    topics.add(new NewTopic(SERVING_CONTROL, Optional.of(1), optional(rf)).configs(students));
    topics.add(new NewTopic(DEAD_LETTER, Optional.of(1), optional(rf)).configs(common));
    return topics;
  }

  private static Optional<Short> optional(short rf) {
    return rf < 0 ? Optional.empty() : Optional.of(rf);
  }

  /**
   * Waits until every partition of {@code names} has a leader. A producer that writes to a topic
   * the moment it is created can get NotLeaderOrFollower, and an idempotent one then retried into
   * an endless OutOfOrderSequence loop on a loaded machine (seen in a test run).
   */
  static void awaitLeaders(Admin admin, List<String> names)
      throws InterruptedException, ExecutionException, TimeoutException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      boolean ready;
      try {
        ready =
            admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
                .allMatch(t -> t.partitions().stream().allMatch(pi -> pi.leader() != null));
      } catch (ExecutionException e) {
        // createTopics can return before the broker's metadata holds the new topic: describing it
        // then fails with UnknownTopicOrPartition (seen in a CI run). Not ready yet, not an error.
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
        ready = false;
      }
      if (ready) {
        return;
      }
      if (System.nanoTime() > end) {
        throw new TimeoutException("partitions of " + names + " have no leader after 30 s");
      }
      Thread.sleep(50);
    }
  }

  /** {@link #ensure(Admin, TopicSettings)} on a single broker (tests). */
  public static List<String> ensure(Admin admin, int partitions) {
    return ensure(admin, TopicSettings.single(partitions));
  }

  /**
   * Creates whichever of the topics are missing. Existing topics are left alone, but every way in
   * which one differs from what {@code settings} would have created is returned, one line each, so
   * that the role can say so instead of silently running on, say, an uncompacted students topic.
   */
  public static List<String> ensure(Admin admin, TopicSettings settings) {
    try {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> wanted = declarations(settings);
      List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        awaitLeaders(admin, missing.stream().map(NewTopic::name).toList());
      }
      List<NewTopic> present = wanted.stream().filter(t -> existing.contains(t.name())).toList();
      return present.isEmpty() ? List.of() : differences(admin, present);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create the topics: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the topics", e);
    }
  }

  private static List<String> differences(Admin admin, List<NewTopic> wanted)
      throws InterruptedException, ExecutionException, TimeoutException {
    List<String> names = wanted.stream().map(NewTopic::name).toList();
    Map<String, TopicDescription> described =
        admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
    List<ConfigResource> resources =
        names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
    Map<ConfigResource, Config> configs =
        admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
    List<String> out = new ArrayList<>();
    for (NewTopic t : wanted) {
      TopicDescription d = described.get(t.name());
      int partitions = d.partitions().size();
      if (t.numPartitions() > 0 && partitions != t.numPartitions()) {
        out.add(
            String.format(
                "topic '%s' exists with %d partitions, not %d",
                t.name(), partitions, t.numPartitions()));
      }
      int replicas = d.partitions().get(0).replicas().size();
      if (t.replicationFactor() > 0 && replicas != t.replicationFactor()) {
        out.add(
            String.format(
                "topic '%s' exists with replication factor %d, not %d",
                t.name(), replicas, t.replicationFactor()));
      }
      Config c = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, t.name()));
      for (Map.Entry<String, String> e : t.configs().entrySet()) {
        ConfigEntry actual = c.get(e.getKey());
        String value = actual == null ? null : actual.value();
        if (!e.getValue().equals(value)) {
          out.add(
              String.format(
                  "topic '%s' exists with %s=%s, not %s",
                  t.name(), e.getKey(), value, e.getValue()));
        }
      }
    }
    return out;
  }
}
