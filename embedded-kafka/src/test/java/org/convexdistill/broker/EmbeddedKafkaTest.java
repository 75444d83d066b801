package org.convexdistill.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.convexdistill.runtime.topics.TopicSettings;
import org.convexdistill.runtime.topics.Topics;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("integration")
class EmbeddedKafkaTest {
  @Test
  void startsCreatesTopicsAndCarriesTransactionalRecords() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        assertThat(Topics.ensure(admin, 2)).isEmpty();
        assertThat(Topics.ensure(admin, 2)).as("idempotent, nothing differs").isEmpty();
        assertThat(admin.listTopics().names().get())
            .contains(Topics.IMAGES, Topics.ACTIVATIONS, Topics.STUDENTS, Topics.DEAD_LETTER);
        // Existing topics are used as they are, but every difference is said.
        assertThat(Topics.ensure(admin, new TopicSettings(3, (short) 1, 0)))
            .contains(
                "topic 'images' exists with 2 partitions, not 3",
                "topic 'activations' exists with 2 partitions, not 3");
        ConfigResource students = new ConfigResource(ConfigResource.Type.TOPIC, Topics.STUDENTS);
        admin
            .incrementalAlterConfigs(
                Map.of(
                    students,
                    List.of(
                        new AlterConfigOp(
                            new ConfigEntry("cleanup.policy", "delete"),
                            AlterConfigOp.OpType.SET))))
            .all()
            .get();
        assertThat(Topics.ensure(admin, 2))
            .containsExactly("topic 'students' exists with cleanup.policy=delete, not compact");
        assertThatThrownBy(() -> new TopicSettings(2, (short) 1, 2))
            .hasMessageContaining("cannot exceed --replication-factor");
      }
      Map<String, Object> pc =
          Map.of(
              ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
              kafka.bootstrapServers(),
              ProducerConfig.TRANSACTIONAL_ID_CONFIG,
              "t1");
      try (KafkaProducer<String, String> p =
          new KafkaProducer<>(pc, new StringSerializer(), new StringSerializer())) {
        p.initTransactions();
        p.beginTransaction();
        p.send(new ProducerRecord<>(Topics.STUDENTS, "m", "aborted"));
        p.abortTransaction();
        p.beginTransaction();
        p.send(new ProducerRecord<>(Topics.STUDENTS, "m", "committed"));
        p.commitTransaction();
      }
      Map<String, Object> cc =
          Map.of(
              ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
              kafka.bootstrapServers(),
              ConsumerConfig.ISOLATION_LEVEL_CONFIG,
              "read_committed");
      List<String> seen = new ArrayList<>();
      try (KafkaConsumer<String, String> c =
          new KafkaConsumer<>(cc, new StringDeserializer(), new StringDeserializer())) {
        TopicPartition tp = new TopicPartition(Topics.STUDENTS, 0);
        c.assign(List.of(tp));
        c.seekToBeginning(List.of(tp));
        long deadline = System.currentTimeMillis() + 20_000;
        while (seen.isEmpty() && System.currentTimeMillis() < deadline) {
          for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
            seen.add(r.value());
          }
        }
      }
      assertThat(seen).containsExactly("committed");
    }
  }

  @Test
  void aTakenPortIsAClearError() {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      assertThatThrownBy(() -> EmbeddedKafka.start(kafka.port(), null))
          .isInstanceOf(BrokerException.class)
          .hasMessageContaining("--kafka-port");
    }
  }
}
