package org.convexdistill.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.convexdistill.broker.EmbeddedKafka;
import org.convexdistill.core.stream.ActivationRecord;
import org.convexdistill.ingest.device.DevicePublisher;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.runtime.topics.TopicSettings;
import org.convexdistill.runtime.topics.Topics;
import org.convexdistill.serving.ServingNode;
import org.convexdistill.teacher.DjlTeacher;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker goes down for a few seconds and comes back (same port, same data) while devices
 * publish and every role runs: each role reconnects, the learner publishes again and serving takes
 * it, and every acknowledged image yields exactly one activation.
 */
@Tag("integration")
class BrokerRestartTest {
  @Test
  void allRolesReconnectAndNothingIsLostOrDoubled(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("kafka");
    EmbeddedKafka broker = EmbeddedKafka.start(0, data);
    int port = broker.port();
    KafkaConnection conn = KafkaConnection.of(broker.bootstrapServers());
    TopicSetup.ensure(conn, TopicSettings.single(1));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger acked = new AtomicInteger();
    try (DjlTeacher ingestTeacher = DjlTeacher.create(10, 11, 16);
        DjlTeacher servingTeacher = DjlTeacher.create(10, 11, 16);
        SmallRoles roles =
            SmallRoles.start(conn, dir.resolve("state"), ingestTeacher, servingTeacher)) {
      ServingNode serving = roles.serving();
      Thread devices =
          new Thread(
              () -> {
                try (DevicePublisher p = DevicePublisher.builder().setKafka(conn).build()) {
                  Random r = new Random(1);
                  while (!stop.get()) {
                    byte[] img = new byte[784];
                    r.nextBytes(img);
                    p.publish("cam-1", img, "application/x-raw-gray8");
                    acked.incrementAndGet();
                    Thread.sleep(20);
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      devices.start();
      try {
        awaitServed(serving, 1);
        long before = serving.registry().current().version();
        broker.close();
        Thread.sleep(3000);
        broker = EmbeddedKafka.start(port, data);
        awaitServed(serving, before + 1);
        assertThat(roles.learner().alive()).isTrue();
        assertThat(roles.stage().alive()).isTrue();
      } finally {
        stop.set(true);
        devices.join(180_000);
      }
      assertThat(devices.isAlive()).as("every device send was acknowledged").isFalse();
      // Every acknowledged image exactly once as an activation.
      assertThat(activations(broker.bootstrapServers(), acked.get())).hasSize(acked.get());
    } finally {
      broker.close();
    }
  }

  private static void awaitServed(ServingNode s, long v) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (s.registry().current().version() < v && System.nanoTime() < end) {
      Thread.sleep(100);
    }
    assertThat(s.registry().current().version()).isGreaterThanOrEqualTo(v);
  }

  private static Set<String> activations(String bootstrap, int expected) throws Exception {
    Set<String> seen = new HashSet<>();
    int total = 0;
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(
            Map.of("bootstrap.servers", bootstrap, "isolation.level", "read_committed"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(Topics.ACTIVATIONS, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (seen.size() < expected && System.nanoTime() < end) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          ActivationRecord a = ActivationRecord.decode(r.value());
          seen.add(a.sourcePartition() + "/" + a.sourceOffset());
          total++;
        }
      }
      long settle = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < settle) {
        total += c.poll(Duration.ofMillis(200)).count();
      }
    }
    assertThat(total).as("no activation twice").isEqualTo(seen.size());
    return seen;
  }
}
