package org.convexdistill.learner.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.convexdistill.broker.EmbeddedKafka;
import org.convexdistill.core.stream.StudentRelease;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.runtime.topics.StudentLog;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learner killed with SIGKILL (a child JVM) three times while rows arrive and refits run: the
 * published versions still form one lineage — 1, 2, 3, … each once, each the child of the one
 * before, each window later than its parent's — and a restarted learner continues it.
 */
@Tag("integration")
class LearnerFaultTest {
  private static final int D = 64;
  private static final int C = 4;
  private static final int WINDOW = 500;

  @TempDir Path tmp;

  private final PlantedRows rows = new PlantedRows(D, C, 17, 3);

  private void publish(KafkaProducer<String, byte[]> p, int n) {
    rows.publish(p, n);
  }

  private Process learner(EmbeddedKafka kafka, int n) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("learner-" + n));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-Xmx512m",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-cp",
            System.getProperty("java.class.path"),
            LearnerMain.class.getName(),
            kafka.bootstrapServers(),
            String.valueOf(WINDOW))
        .redirectErrorStream(true)
        .redirectOutput(new File(dir.toFile(), "learner.log"))
        .start();
  }

  @Test
  void killedMidRefitThreeTimesTheLineageHasNoGapAndNoDuplicate() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        KafkaProducer<String, byte[]> p = PlantedRows.producerWithTopics(kafka)) {
      publish(p, WINDOW);
      Process child = learner(kafka, 0);
      try {
        awaitVersions(kafka, 1);
        Random when = new Random(5);
        for (int kill = 1; kill <= 3; kill++) {
          publish(p, WINDOW / 5); // a refit starts as these arrive
          Thread.sleep(200 + when.nextInt(1200));
          child.destroyForcibly().waitFor();
          child = learner(kafka, kill);
        }
        int before = releases(kafka).size();
        publish(p, WINDOW / 5);
        awaitVersions(kafka, before + 1);
      } finally {
        child.destroyForcibly().waitFor();
      }
      List<StudentRelease> all = releases(kafka);
      for (int i = 0; i < all.size(); i++) {
        StudentRelease r = all.get(i);
        assertThat(r.version()).as("versions in order, none twice").isEqualTo(i + 1);
        assertThat(r.parentVersion()).isEqualTo(i);
        if (i > 0) {
          assertThat(r.window().get(0).to())
              .as("version %d's window is later than its parent's", r.version())
              .isGreaterThanOrEqualTo(all.get(i - 1).window().get(0).to());
        }
      }
    }
  }

  private static void awaitVersions(EmbeddedKafka kafka, int n) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (releases(kafka).size() < n) {
      assertThat(System.nanoTime()).as("%d versions within 120 s", n).isLessThan(end);
      Thread.sleep(200);
    }
  }

  private static List<StudentRelease> releases(EmbeddedKafka kafka) throws Exception {
    List<StudentRelease> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c =
        StudentLog.consumer(KafkaConnection.of(kafka.bootstrapServers()), "fault-test")) {
      var end = c.endOffsets(c.assignment());
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!StudentLog.reached(c, end) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
          out.add(StudentRelease.decode(r.value()));
        }
      }
    }
    return out;
  }
}
