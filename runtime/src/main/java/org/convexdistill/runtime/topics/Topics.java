package org.convexdistill.runtime.topics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The four topics of the service, declared once. Keys are UTF-8 strings; values are bytes in the
 * formats of {@code org.convexdistill.core.stream} (see the README's "Topics and formats").
 */
public final class Topics {
  /** key = device id; value = PNG, JPEG or raw 28×28 grey bytes; header {@code content-type}. */
  public static final String IMAGES = "images";

  /** key = the image's key; value = {@code ActivationRecord} (CDAR). */
  public static final String ACTIVATIONS = "activations";

  /** Compacted; key = model id; value = {@code StudentRelease} (CDSR). */
  public static final String STUDENTS = "students";

  /** The original bytes plus {@link DeadLetters} headers: stage, reason, source. */
  public static final String DEAD_LETTER = "dead-letter";

  /** Header naming the payload type of an image record. */
  public static final String CONTENT_TYPE = "content-type";

  private Topics() {}

  /** The topics with the given partition count for the data topics (students: one partition). */
  public static List<NewTopic> declarations(int partitions) {
    List<NewTopic> topics = new ArrayList<>();
    topics.add(new NewTopic(IMAGES, partitions, (short) 1));
    topics.add(new NewTopic(ACTIVATIONS, partitions, (short) 1));
    // One partition keeps every version of a model in order; compaction keeps the latest per key.
    topics.add(
        new NewTopic(STUDENTS, 1, (short) 1)
            .configs(
                Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_COMPACT,
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                    String.valueOf(64 << 20))));
    topics.add(new NewTopic(DEAD_LETTER, 1, (short) 1));
    return topics;
  }

  /** Creates whichever of the topics are missing (existing ones are left alone). */
  /**
   * Waits until every partition of {@code names} has a leader. A producer that writes to a topic
   * the moment it is created can get NotLeaderOrFollower, and an idempotent one then retried into
   * an endless OutOfOrderSequence loop on a loaded machine (seen in a test run).
   */
  static void awaitLeaders(Admin admin, List<String> names)
      throws InterruptedException, ExecutionException, TimeoutException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      boolean ready =
          admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
              .allMatch(t -> t.partitions().stream().allMatch(pi -> pi.leader() != null));
      if (ready) {
        return;
      }
      if (System.nanoTime() > end) {
        throw new TimeoutException("partitions of " + names + " have no leader after 30 s");
      }
      Thread.sleep(50);
    }
  }

  public static void ensure(Admin admin, int partitions) {
    try {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing =
          declarations(partitions).stream().filter(t -> !existing.contains(t.name())).toList();
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        awaitLeaders(admin, missing.stream().map(NewTopic::name).toList());
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create the topics: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the topics", e);
    }
  }
}
