package org.convexdistill.ingest.stage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.convexdistill.broker.EmbeddedKafka;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.stream.ActivationRecord;
import org.convexdistill.core.stream.ImagePayload;
import org.convexdistill.ingest.device.DevicePublisher;
import org.convexdistill.runtime.topics.DeadLetters;
import org.convexdistill.runtime.topics.Topics;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * N images in → N activations out, exactly once, although the stage is killed (SIGKILL, in a child
 * JVM, committing every 100 ms so that it is killed between commits and mid-batch) three times, at
 * a quarter, half and three quarters of the way, each time restarted on a fresh machine (empty
 * state directory: the buffer comes back from its changelog).
 */
@Tag("integration")
class ExactlyOnceTest {
  private static final int IMAGES = 5000;
  private static final int GARBAGE = 6;
  private static final int KILLS = 3;

  @TempDir Path tmp;

  @Test
  void everyImageYieldsExactlyOneActivationAcrossAKill() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        Topics.ensure(admin, 2);
      }
      Images images = TestImages.fixture();
      try (DevicePublisher p =
          DevicePublisher.builder().setBootstrapServers(kafka.bootstrapServers()).build()) {
        for (int i = 0; i < IMAGES; i++) {
          p.publish("device-" + (i % 4), TestImages.png(images, i % images.count()), "image/png");
          if (i % (IMAGES / GARBAGE) == 0 && i / (IMAGES / GARBAGE) < GARBAGE) {
            p.publish("device-x", new byte[] {1, 2, 3}, ImagePayload.RAW);
          }
        }
        p.flush();
      }
      Counts c = new Counts(kafka.bootstrapServers());
      try {
        for (int k = 1; k <= KILLS; k++) {
          Process p = stage(kafka, tmp.resolve("state-" + k));
          try {
            c.awaitAtLeast(k * IMAGES / (KILLS + 1), Duration.ofSeconds(120));
          } finally {
            p.destroyForcibly().waitFor();
          }
          assertThat(c.activations.size()).as("kill %d came before the end", k).isLessThan(IMAGES);
        }
        Process last = stage(kafka, tmp.resolve("state-last"));
        try {
          c.awaitAtLeast(IMAGES, Duration.ofSeconds(120));
          c.pollFor(Duration.ofSeconds(3)); // anything duplicated would show up by now
        } finally {
          last.destroyForcibly().waitFor();
        }
      } finally {
        c.close();
      }
      assertThat(c.total).isEqualTo(IMAGES);
      assertThat(c.activations).hasSize(IMAGES);
      assertThat(c.deadLetters).isEqualTo(GARBAGE);
    }
  }

  private static Process stage(EmbeddedKafka kafka, Path stateDir) throws Exception {
    Files.createDirectories(stateDir);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-Xmx1g",
            "--add-modules",
            "jdk.incubator.vector",
            "-Dai.djl.offline=true",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-cp",
            System.getProperty("java.class.path"),
            IngestStageMain.class.getName(),
            kafka.bootstrapServers(),
            stateDir.toString())
        .redirectErrorStream(true)
        .redirectOutput(new File(stateDir.toFile(), "stage.log"))
        .start();
  }

  /** Counts committed activations (by source partition/offset) and dead letters. */
  private static final class Counts implements AutoCloseable {
    final Set<String> activations = new HashSet<>();
    int total;
    int deadLetters;
    private final KafkaConsumer<String, byte[]> consumer;

    Counts(String bootstrap) {
      consumer =
          new KafkaConsumer<>(
              Map.of(
                  ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  bootstrap,
                  ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                  "read_committed"),
              new StringDeserializer(),
              new ByteArrayDeserializer());
      List<TopicPartition> tps =
          List.of(
              new TopicPartition(Topics.ACTIVATIONS, 0),
              new TopicPartition(Topics.ACTIVATIONS, 1),
              new TopicPartition(Topics.DEAD_LETTER, 0));
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
    }

    void awaitAtLeast(int n, Duration timeout) throws Exception {
      long end = System.nanoTime() + timeout.toNanos();
      while (activations.size() < n && System.nanoTime() < end) {
        pollFor(Duration.ofMillis(200));
      }
    }

    void pollFor(Duration d) throws Exception {
      long end = System.nanoTime() + d.toNanos();
      do {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          if (r.topic().equals(Topics.DEAD_LETTER)) {
            deadLetters++;
            assertThat(DeadLetters.text(r.headers(), DeadLetters.REASON))
                .contains("raw image has 3");
          } else {
            ActivationRecord a = ActivationRecord.decode(r.value());
            activations.add(a.sourcePartition() + "/" + a.sourceOffset());
            total++;
          }
        }
      } while (System.nanoTime() < end);
    }

    @Override
    public void close() {
      consumer.close();
    }
  }
}
