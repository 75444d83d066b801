package org.convexdistill.runtime.topics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.convexdistill.core.release.ReleaseSigner;
import org.convexdistill.core.release.ReleaseVerifier;
import org.convexdistill.core.stream.RecordFormatException;
import org.convexdistill.core.stream.StudentRelease;
import org.convexdistill.runtime.kafka.KafkaConnection;

/** Reads the {@code students} topic (committed records only) from the beginning to its end. */
public final class StudentLog {
  private StudentLog() {}

  /** A read-committed consumer assigned to every partition of {@code students}, at the start. */
  public static KafkaConsumer<String, byte[]> consumer(KafkaConnection kafka, String clientId) {
    return consumer(kafka, clientId, List.of(Topics.STUDENTS));
  }

  /** As {@link #consumer(KafkaConnection, String)}, over every partition of {@code topics}. */
  public static KafkaConsumer<String, byte[]> consumer(
      KafkaConnection kafka, String clientId, List<String> topics) {
    Properties p = kafka.clientProperties();
    // Versions are published in transactions: an aborted one must never be loaded.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // A block-4 release is ~5.4 MB; the defaults (1 MB per partition) would stall on it.
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 << 20);
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 << 20);
    KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> tps = new java.util.ArrayList<>();
    for (String t : topics) {
      tps.addAll(partitions(c, t));
    }
    c.assign(tps);
    c.seekToBeginning(tps);
    return c;
  }

  /**
   * The release of {@code modelId} with the highest version, or empty when none was published.
   * Undecodable records are skipped (the serving side counts them as rejected updates).
   */
  public static Optional<StudentRelease> latest(KafkaConnection kafka, String modelId) {
    return latest(kafka, modelId, null);
  }

  /**
   * As {@link #latest(KafkaConnection, String)}, counting only releases {@code verifier} trusts
   * (null = all): a forged release numbered 2^62 must not set the learner's next version.
   */
  public static Optional<StudentRelease> latest(
      KafkaConnection kafka, String modelId, ReleaseVerifier verifier) {
    try (KafkaConsumer<String, byte[]> c = consumer(kafka, "distill-student-log")) {
      Map<TopicPartition, Long> end = c.endOffsets(c.assignment());
      StudentRelease best = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!reached(c, end)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("timed out reading the students topic");
        }
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (!modelId.equals(r.key()) || r.value() == null) {
            continue;
          }
          if (verifier != null && !verifier.verify(r.value(), signature(r)).trusted()) {
            continue;
          }
          try {
            StudentRelease s = StudentRelease.decode(r.value());
            if (best == null || s.version() > best.version()) {
              best = s;
            }
          } catch (RecordFormatException e) {
            // not ours to judge here
          }
        }
      }
      return Optional.ofNullable(best);
    }
  }

  /** The record's release signature header ({@link ReleaseSigner#HEADER}), or null. */
  public static byte[] signature(ConsumerRecord<?, byte[]> r) {
    Header h = r.headers().lastHeader(ReleaseSigner.HEADER);
    return h == null ? null : h.value();
  }

  /** True once {@code c}'s position on every partition of {@code end} has reached its offset. */
  public static boolean reached(KafkaConsumer<?, ?> c, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (c.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Partitions of a topic, for manual assignment. */
  public static List<TopicPartition> partitions(KafkaConsumer<?, ?> c, String topic) {
    List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(30));
    return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
  }
}
