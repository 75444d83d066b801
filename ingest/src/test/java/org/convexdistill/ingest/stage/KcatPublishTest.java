package org.convexdistill.ingest.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.convexdistill.broker.EmbeddedKafka;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.stream.ActivationRecord;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.runtime.topics.Topics;
import org.convexdistill.teacher.DjlTeacher;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device needs nothing but a Kafka producer: a PNG published with kcat (a third-party C client,
 * librdkafka) comes out of the inference stage as an activation record. .ci/run installs kcat.
 */
@Tag("integration")
class KcatPublishTest {
  @TempDir Path tmp;

  @Test
  void aPngPublishedWithKcatIsProcessed() throws Exception {
    Path kcat = Path.of("/usr/bin/kcat");
    assertThat(Files.isExecutable(kcat)).as("kcat is required: apt-get install kcat").isTrue();
    Images images = TestImages.fixture();
    Path png = tmp.resolve("shirt.png");
    Files.write(png, TestImages.png(images, 7));
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        DjlTeacher teacher = DjlTeacher.create(10, 11, 8)) {
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        Topics.ensure(admin, 1);
      }
      Process p =
          new ProcessBuilder(
                  kcat.toString(),
                  "-P",
                  "-b",
                  kafka.bootstrapServers(),
                  "-t",
                  Topics.IMAGES,
                  "-k",
                  "kcat-device",
                  "-H",
                  "content-type=image/png",
                  png.toString())
              .redirectErrorStream(true)
              .start();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
      try (IngestStage stage =
          IngestStage.start(
              KafkaConnection.of(kafka.bootstrapServers()),
              new BlockInference(teacher, "test-teacher", 4),
              InferenceConfig.defaults(),
              new SimpleMeterRegistry(),
              tmp.resolve("state").toString(),
              1)) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c =
            new KafkaConsumer<>(
                Map.of(
                    "bootstrap.servers",
                    kafka.bootstrapServers(),
                    "isolation.level",
                    "read_committed"),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
          TopicPartition tp = new TopicPartition(Topics.ACTIVATIONS, 0);
          c.assign(List.of(tp));
          c.seekToBeginning(List.of(tp));
          long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
          while (out.isEmpty() && System.nanoTime() < end) {
            c.poll(Duration.ofMillis(200)).forEach(out::add);
          }
        }
        assertThat(out).hasSize(1);
        assertThat(out.get(0).key()).isEqualTo("kcat-device");
        ActivationRecord a = ActivationRecord.decode(out.get(0).value());
        assertThat(a.sourceOffset()).isZero();
        assertThat(a.z()).hasSize(teacher.blockInputShape(4).size());
      }
    }
  }
}
