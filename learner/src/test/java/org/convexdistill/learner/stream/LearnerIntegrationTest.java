package org.convexdistill.learner.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.convexdistill.broker.EmbeddedKafka;
import org.convexdistill.core.release.ReleaseKeys;
import org.convexdistill.core.release.ReleaseSigner;
import org.convexdistill.core.release.ReleaseVerifier;
import org.convexdistill.core.stream.ActivationRecord;
import org.convexdistill.core.stream.OffsetRange;
import org.convexdistill.core.stream.StudentRelease;
import org.convexdistill.core.teacher.TensorShape;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.runtime.topics.DeadLetters;
import org.convexdistill.runtime.topics.StudentLog;
import org.convexdistill.runtime.topics.Topics;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The learner against a real broker: versions with warm starts and lineage, a dead-lettered bad
 * record, and a restart that resumes from the last window without duplicating a version.
 */
@Tag("integration")
class LearnerIntegrationTest {
  private static final int D = 24;
  private static final int C = 3;
  private static final int WINDOW = 300;
  private static final int EVERY = 100;

  private final PlantedRows rows = new PlantedRows(D, C, 5, 9);

  private static LearnerConfig config() {
    return config(LearnerConfig.Solver.ADMM);
  }

  private static LearnerConfig config(LearnerConfig.Solver solver) {
    return new LearnerConfig(
        "test-model",
        WINDOW,
        EVERY,
        Duration.ofHours(1),
        4,
        7,
        10 * (D + 1),
        1e-4,
        2000,
        6,
        0.05,
        1.1,
        0.1,
        0,
        10,
        0.05,
        0.5,
        0.0,
        500,
        0,
        0,
        1,
        solver,
        LearnerConfig.StudentKind.ONE_VS_ALL);
  }

  private void publish(KafkaProducer<String, byte[]> p, int n) {
    rows.publish(p, n);
  }

  @Test
  void publishesWarmStartedVersionsWithLineageAndResumesWithoutDuplicates() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        KafkaProducer<String, byte[]> p = PlantedRows.producerWithTopics(kafka)) {
      publish(p, WINDOW);
      p.send(new ProducerRecord<>(Topics.ACTIVATIONS, "bad", new byte[] {1, 2, 3})).get();
      float[] nanZ = new float[D];
      nanZ[3] = Float.NaN;
      ActivationRecord nan =
          new ActivationRecord(
              "t",
              4,
              new TensorShape(D, 1, 1),
              new TensorShape(C, 1, 1),
              nanZ,
              new float[C],
              "images",
              0,
              9999);
      p.send(
              new ProducerRecord<>(
                  Topics.ACTIVATIONS, "nan", nan.encode(ActivationRecord.Precision.FLOAT32)))
          .get();
      List<StreamingLearner.Event> events = new java.util.concurrent.CopyOnWriteArrayList<>();
      ReleaseSigner signer = new ReleaseSigner(ReleaseKeys.generate().getPrivate());
      // R-FISTA: its refits start from the previous solution, so the lineage records warm
      // starts (ADMM refits start from zero and report cold; see aFitUsesEverything...).
      StreamingLearner learner =
          new StreamingLearner(
              KafkaConnection.of(kafka.bootstrapServers()),
              config(LearnerConfig.Solver.RFISTA),
              new SimpleMeterRegistry(),
              null,
              signer,
              List.of());
      learner.addListener(events::add);
      learner.start();
      awaitVersion(learner, 1);
      publish(p, EVERY);
      awaitVersion(learner, 2);
      learner.close();
      // Someone with a plain producer publishes "version 1000" (unsigned): the restarted learner
      // must not continue its numbering from it.
      StudentRelease v2 = releases(kafka.bootstrapServers(), 2).get(1);
      StudentRelease forged =
          new StudentRelease(
              v2.modelId(),
              v2.teacherId(),
              v2.block(),
              1000,
              999,
              v2.lambda(),
              v2.objective(),
              v2.relativeGap(),
              v2.heldOutMse(),
              v2.teacherAgreement(),
              v2.selectionLambda(),
              v2.iterations(),
              v2.solverSeconds(),
              v2.nonzeroGroups(),
              v2.parameters(),
              v2.createdAtMillis(),
              true,
              v2.window(),
              v2.student());
      p.send(new ProducerRecord<>(Topics.STUDENTS, v2.modelId(), forged.encode())).get();

      // Restart: the window comes back from the lineage; no new rows → no new version.
      StreamingLearner again =
          new StreamingLearner(
              KafkaConnection.of(kafka.bootstrapServers()),
              config(LearnerConfig.Solver.RFISTA),
              new SimpleMeterRegistry(),
              null,
              signer,
              List.of());
      List<StreamingLearner.Event> resumed = new java.util.concurrent.CopyOnWriteArrayList<>();
      again.addListener(resumed::add);
      again.start();
      awaitVersion(again, 2);
      Thread.sleep(3000);
      assertThat(again.version()).isEqualTo(2);
      assertThat(again.windowFill()).isEqualTo(WINDOW);
      publish(p, EVERY);
      awaitVersion(again, 3, resumed);
      again.close();

      List<ConsumerRecord<String, byte[]>> records = studentRecords(kafka.bootstrapServers(), 4);
      assertThat(records).hasSize(4);
      ReleaseVerifier verifier = new ReleaseVerifier(List.of(signer.publicKey()));
      List<StudentRelease> releases = new ArrayList<>();
      for (ConsumerRecord<String, byte[]> r : records) {
        if (verifier.verify(r.value(), StudentLog.signature(r)).trusted()) {
          releases.add(StudentRelease.decode(r.value()));
        }
      }
      assertThat(releases).extracting(StudentRelease::version).containsExactly(1L, 2L, 3L);
      assertThat(releases).extracting(StudentRelease::parentVersion).containsExactly(0L, 1L, 2L);
      assertThat(releases)
          .extracting(StudentRelease::warmStarted)
          .containsExactly(false, true, true);
      // Offsets: rows at 0..299, the bad record at 300, the NaN row at 301, later rows at
      // 302..401 and 402..501; the window holds the last 300 rows.
      assertThat(releases.get(0).window()).containsExactly(new OffsetRange(0, 0, 301));
      assertThat(releases.get(1).window()).containsExactly(new OffsetRange(0, 100, 401));
      assertThat(releases.get(2).window()).containsExactly(new OffsetRange(0, 200, 501));
      for (StudentRelease r : releases) {
        assertThat(r.relativeGap()).isLessThanOrEqualTo(0.05);
        assertThat(r.nonzeroGroups()).isBetween(1, 10);
        assertThat(r.heldOutMse()).isFinite();
      }
      // The first fit walks a λ path (several solves); the next is one warm-started refit plus
      // the polish, not a new path.
      StreamingLearner.Event cold = events.get(0);
      StreamingLearner.Event warm = events.get(1);
      assertThat(cold.refit().warm()).isFalse();
      assertThat(warm.refit().warm()).isTrue();
      assertThat(cold.refit().solves()).isGreaterThan(2);

      List<ConsumerRecord<String, byte[]>> dead = deadLetters(kafka.bootstrapServers());
      assertThat(dead).hasSize(2);
      assertThat(DeadLetters.text(dead.get(0).headers(), DeadLetters.STAGE)).isEqualTo("learner");
      assertThat(DeadLetters.text(dead.get(0).headers(), DeadLetters.REASON))
          .contains("truncated activation record");
      assertThat(DeadLetters.text(dead.get(1).headers(), DeadLetters.REASON))
          .contains("NaN or an infinity");
    }
  }

  @Test
  void aFitUsesEverythingPublishedBeforeItNotOnlyThePollThatFilledTheWindow() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        KafkaProducer<String, byte[]> p = PlantedRows.producerWithTopics(kafka)) {
      // Ten windows' worth is waiting when the learner starts: the window fills after the first
      // 300 rows, but the first version must be fitted to the newest 300.
      // First, a record of another shape: the window's dimensions come from the teacher, so it is
      // dead-lettered instead of fixing the window to its shape (and rejecting all the rest).
      ActivationRecord odd =
          new ActivationRecord(
              "t",
              4,
              new TensorShape(D + 1, 1, 1),
              new TensorShape(C, 1, 1),
              new float[D + 1],
              new float[C],
              "images",
              0,
              0);
      p.send(
              new ProducerRecord<>(
                  Topics.ACTIVATIONS, "odd", odd.encode(ActivationRecord.Precision.FLOAT32)))
          .get();
      publish(p, 10 * WINDOW);
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      TeacherSuffix shapes =
          new TeacherSuffix() {
            @Override
            public float[] logits(float[] y, int rows) {
              return y.clone(); // C "classes": the block outputs themselves
            }

            @Override
            public int blockInputSize() {
              return D;
            }

            @Override
            public int blockOutputSize() {
              return C;
            }
          };
      StreamingLearner learner =
          new StreamingLearner(
              KafkaConnection.of(kafka.bootstrapServers()), config(), meters, shapes);
      learner.start();
      try {
        awaitVersion(learner, 1);
      } finally {
        learner.close();
      }
      StudentRelease v1 = releases(kafka.bootstrapServers(), 1).get(0);
      assertThat(v1.warmStarted()).isFalse();
      assertThat(v1.relativeGap()).isLessThanOrEqualTo(0.05);
      assertThat(v1.window()).containsExactly(new OffsetRange(0, 9L * WINDOW + 1, 10L * WINDOW));
      assertThat(meters.get("distill.dead.letter").tag("reason", "wrong-shape").counter().count())
          .isEqualTo(1.0);
      // Data age: the newest row's (image's) timestamp to publication, seconds.
      assertThat(meters.get("distill.learner.data.age").gauge().value()).isBetween(0.0, 120.0);
    }
  }

  @Test
  void aZombieLearnerIsFencedAndNoVersionIsPublishedTwice() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        KafkaProducer<String, byte[]> p = PlantedRows.producerWithTopics(kafka)) {
      publish(p, WINDOW);
      KafkaConnection conn = KafkaConnection.of(kafka.bootstrapServers());
      StreamingLearner old = new StreamingLearner(conn, config(), new SimpleMeterRegistry());
      old.start();
      awaitVersion(old, 1);
      // The "old" instance is partitioned away but still running; a new one starts (a rescheduled
      // pod) and takes over the lineage. Both see the next rows and want to publish version 2.
      StreamingLearner fresh = new StreamingLearner(conn, config(), new SimpleMeterRegistry());
      fresh.start();
      long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!fresh.ready() && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      publish(p, EVERY);
      awaitVersion(fresh, 2);
      until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!old.fenced() && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      assertThat(old.fenced()).as("the old instance was fenced when it tried to publish").isTrue();
      assertThat(old.alive()).isFalse();
      publish(p, EVERY);
      awaitVersion(fresh, 3);
      fresh.close();
      old.close();
      List<StudentRelease> all = releases(kafka.bootstrapServers(), 3);
      Thread.sleep(1000);
      assertThat(releases(kafka.bootstrapServers(), 4))
          .extracting(StudentRelease::version)
          .containsExactly(1L, 2L, 3L);
      assertThat(all).extracting(StudentRelease::parentVersion).containsExactly(0L, 1L, 2L);
      // ADMM (this config's solver) warm-starts from its own previous solve's weights and dual:
      // not v1 (nothing before it), not v2 (the new instance has only the released student, no
      // dual), but v3.
      assertThat(all).extracting(StudentRelease::warmStarted).containsExactly(false, false, true);
    }
  }

  private static void awaitVersion(StreamingLearner l, long v) throws InterruptedException {
    awaitVersion(l, v, List.of());
  }

  private static void awaitVersion(StreamingLearner l, long v, List<StreamingLearner.Event> seen)
      throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (l.version() < v && System.nanoTime() < end) {
      Thread.sleep(50);
    }
    assertThat(l.version())
        .as(
            "version; refits seen: %s",
            seen.stream().map(e -> e.outcome() + " " + e.reason()).toList())
        .isEqualTo(v);
  }

  private static List<StudentRelease> releases(String bootstrap, int n) throws Exception {
    List<StudentRelease> out = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : studentRecords(bootstrap, n)) {
      out.add(StudentRelease.decode(r.value()));
    }
    return out;
  }

  private static List<ConsumerRecord<String, byte[]>> studentRecords(String bootstrap, int n) {
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c =
        StudentLog.consumer(KafkaConnection.of(bootstrap), "test")) {
      long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (System.nanoTime() < end && out.size() < n) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  private static List<ConsumerRecord<String, byte[]>> deadLetters(String bootstrap) {
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(
            Map.of("bootstrap.servers", bootstrap, "isolation.level", "read_committed"),
            new org.apache.kafka.common.serialization.StringDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(Topics.DEAD_LETTER, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      // Leaves as soon as both are read; the margin is for a loaded machine's first fetch.
      long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (System.nanoTime() < end && out.size() < 2) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }
}
