package org.convexdistill.learner.stream;

import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.convexdistill.broker.EmbeddedKafka;
import org.convexdistill.core.stream.ActivationRecord;
import org.convexdistill.core.teacher.TensorShape;
import org.convexdistill.runtime.topics.Topics;

/**
 * Activation rows of a planted model the learner can fit, y = ReLU(W z) with Gaussian z, published
 * to {@code activations} as teacher "t" block 4 — what the stage would emit, without a teacher.
 */
final class PlantedRows {
  private final int d;
  private final int c;
  private final Random random;
  private final float[] planted;

  PlantedRows(int d, int c, long rowSeed, long modelSeed) {
    this.d = d;
    this.c = c;
    this.random = new Random(rowSeed);
    this.planted = new float[c * d];
    Random r = new Random(modelSeed);
    for (int i = 0; i < planted.length; i++) {
      planted[i] = (float) r.nextGaussian();
    }
  }

  void publish(KafkaProducer<String, byte[]> p, int n) {
    for (int i = 0; i < n; i++) {
      float[] z = new float[d];
      for (int j = 0; j < d; j++) {
        z[j] = (float) random.nextGaussian();
      }
      float[] y = new float[c];
      for (int k = 0; k < c; k++) {
        double s = 0;
        for (int j = 0; j < d; j++) {
          s += planted[k * d + j] * z[j];
        }
        y[k] = (float) Math.max(0, s);
      }
      ActivationRecord a =
          new ActivationRecord(
              "t", 4, new TensorShape(d, 1, 1), new TensorShape(c, 1, 1), z, y, "images", 0, i);
      p.send(
          new ProducerRecord<>(
              Topics.ACTIVATIONS, "k", a.encode(ActivationRecord.Precision.FLOAT32)));
    }
    p.flush();
  }

  /** A plain producer to {@code kafka}, after creating the topics (one partition each). */
  static KafkaProducer<String, byte[]> producerWithTopics(EmbeddedKafka kafka) {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Topics.ensure(admin, 1);
    }
    return new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
        new StringSerializer(),
        new ByteArraySerializer());
  }
}
