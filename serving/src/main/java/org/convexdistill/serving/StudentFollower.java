package org.convexdistill.serving;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.convexdistill.core.release.ReleaseVerifier;
import org.convexdistill.core.stream.RecordFormatException;
import org.convexdistill.core.stream.StudentRelease;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.runtime.topics.StudentLog;
import org.convexdistill.runtime.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the {@code students} topic (committed records, from the beginning) and offers each
 * release of this server's model to the registry. Loading and checking happen here, off the request
 * path; requests only ever see a fully checked model.
 */
public final class StudentFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StudentFollower.class);

  private final KafkaConnection kafka;

  /** Replaced by a new one, at the same offsets, when the loop restarts. */
  private volatile KafkaConsumer<String, byte[]> consumer;

  /** The next offset to read per partition: where a restarted loop resumes. */
  private final Map<TopicPartition, Long> next = new java.util.HashMap<>();

  private final ModelRegistry registry;
  private final ServingMetrics metrics;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread thread;

  /** Where the students log ended when this follower started: replayed once reached. */
  private final Map<TopicPartition, Long> replayEnd;

  private volatile boolean replayed;

  public StudentFollower(KafkaConnection kafka, ModelRegistry registry, ServingMetrics metrics) {
    this.kafka = kafka;
    this.consumer = newConsumer();
    this.registry = registry;
    this.metrics = metrics;
    this.replayEnd = consumer.endOffsets(consumer.assignment());
    this.thread = new Thread(this::supervise, "distill-student-follower");
    thread.setDaemon(true);
    thread.start();
  }

  private KafkaConsumer<String, byte[]> newConsumer() {
    return StudentLog.consumer(
        kafka, "distill-serving", java.util.List.of(Topics.STUDENTS, Topics.SERVING_CONTROL));
  }

  /**
   * Runs the loop, and after a failure runs it again on a new consumer from where it was: the
   * follower's only state is its offsets (the registry keeps the models), so a restart loses
   * nothing. The record being handled when it failed is skipped (it is the likeliest cause; it is
   * logged and counted). More than {@link RestartBudget#MAX_RESTARTS} failures within a minute stop
   * it: liveness turns false and the pod is restarted.
   */
  private void supervise() {
    RestartBudget budget = new RestartBudget();
    while (true) {
      try {
        loop();
        return;
      } catch (RuntimeException | Error e) {
        metrics.workerDied("student-follower");
        if (!budget.failed(System.nanoTime()) || closed.get()) {
          LOG.error("student follower stopped (liveness turns false): {}", e.toString(), e);
          return;
        }
        LOG.error("student follower failed, restarting it at {}: {}", next, e.toString(), e);
        try {
          KafkaConsumer<String, byte[]> c = newConsumer();
          next.forEach(c::seek);
          consumer = c;
          metrics.workerRestarted("student-follower");
        } catch (RuntimeException again) {
          LOG.error("student follower cannot restart: {}", again.toString(), again);
          return;
        }
      }
    }
  }

  private void loop() {
    KafkaConsumer<String, byte[]> c = consumer;
    try {
      while (!closed.get()) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          next.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
          if (!registry.modelId().equals(r.key())) {
            continue;
          }
          try {
            if (r.topic().equals(Topics.SERVING_CONTROL)) {
              control(r);
            } else if (r.value() != null) {
              handle(r);
            }
          } catch (RuntimeException e) {
            // One release that breaks a check (a bug, or input nobody foresaw) must not stop the
            // follower: no later version would ever be served.
            LOG.error("rejected {} record at offset {}: {}", r.topic(), r.offset(), e, e);
            metrics.swap("rejected", "error");
          }
        }
        if (!replayed) {
          replayed = StudentLog.reached(c, replayEnd);
        }
      }
    } catch (WakeupException e) {
      if (!closed.get()) {
        throw e;
      }
    } finally {
      c.close();
    }
  }

  /** The record's release when it is trusted and decodes; else null, counted and logged. */
  private StudentRelease trusted(ConsumerRecord<String, byte[]> r) {
    ReleaseVerifier verifier = registry.policy().verifier();
    if (verifier != null) {
      ReleaseVerifier.Verdict v = verifier.verify(r.value(), StudentLog.signature(r));
      if (!v.trusted()) {
        LOG.warn("rejected {} record at offset {}: {}", r.topic(), r.offset(), v.detail());
        metrics.swap("rejected", v.problem().tag);
        return null;
      }
    }
    try {
      return StudentRelease.decode(r.value());
    } catch (RecordFormatException e) {
      LOG.warn("rejected {} record at offset {}: {}", r.topic(), r.offset(), e.getMessage());
      metrics.swap("rejected", "malformed");
      return null;
    }
  }

  /** A pin (the pinned release) or an unpin (a tombstone) from the control log. */
  private void control(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      registry.applyUnpin();
      LOG.info("unpinned (control log offset {})", r.offset());
      return;
    }
    StudentRelease release = trusted(r);
    if (release == null) {
      return;
    }
    ModelRegistry.Offer o = registry.applyPin(release, r.value(), StudentLog.signature(r));
    if (o.accepted()) {
      LOG.info("version {} pinned (control log offset {})", release.version(), r.offset());
    } else {
      metrics.swap("rejected", o.tag());
      LOG.warn("pin of version {} refused: {}", release.version(), o.reason());
    }
  }

  private void handle(ConsumerRecord<String, byte[]> r) {
    StudentRelease release = trusted(r);
    if (release == null) {
      return;
    }
    ModelRegistry.Offer o = registry.offer(release, r.value(), StudentLog.signature(r));
    if (o.accepted()) {
      metrics.swap("accepted", "ok");
      LOG.info("student version {} accepted", release.version());
    } else {
      metrics.swap("rejected", o.tag());
      LOG.warn("student version {} rejected: {}", release.version(), o.reason());
    }
  }

  /**
   * True once every release published before this follower started has been offered to the
   * registry: serving is then ready (it would otherwise answer with an old version or the teacher).
   */
  public boolean replayed() {
    return replayed;
  }

  /** False once the follower's thread died (not by {@link #close}): no new version would arrive. */
  public boolean alive() {
    return closed.get() || thread.isAlive();
  }

  @Override
  public void close() {
    closed.set(true);
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
