package org.convexdistill.ingest.device;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.runtime.topics.Topics;

/**
 * What device code embeds to publish images: an idempotent Kafka producer (acks=all, so a retried
 * send never duplicates an image) writing to {@code images} with the device id as key and the
 * {@code content-type} header. Thread-safe.
 *
 * <pre>{@code
 * try (DevicePublisher p = DevicePublisher.builder().setBootstrapServers("host:9092").build()) {
 *   p.publish("camera-7", pngBytes, "image/png");
 * }
 * }</pre>
 */
public final class DevicePublisher implements AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;
  private final String topic;

  private DevicePublisher(KafkaProducer<String, byte[]> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Sends one image asynchronously.
   *
   * @param contentType image/png, image/jpeg or application/x-raw-gray8
   */
  public Future<RecordMetadata> publish(String deviceId, byte[] image, String contentType) {
    RecordHeaders h = new RecordHeaders();
    h.add(Topics.CONTENT_TYPE, contentType.getBytes(StandardCharsets.UTF_8));
    return producer.send(new ProducerRecord<>(topic, null, deviceId, image, h));
  }

  /** Waits until every sent image is acknowledged. */
  public void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close();
  }

  /** Builds a publisher; the bootstrap servers are required. */
  public static final class Builder {
    private KafkaConnection kafka;
    private String topic = Topics.IMAGES;
    private String clientId = "distill-device";

    private Builder() {}

    /** Required: the Kafka cluster. */
    public Builder setBootstrapServers(String servers) {
      this.kafka = KafkaConnection.of(servers);
      return this;
    }

    /** Required (or {@link #setBootstrapServers}): the Kafka cluster and client settings. */
    public Builder setKafka(KafkaConnection kafka) {
      this.kafka = kafka;
      return this;
    }

    /** The topic (default {@code images}). */
    public Builder optTopic(String topic) {
      this.topic = topic;
      return this;
    }

    /** The client id shown in broker metrics. */
    public Builder optClientId(String clientId) {
      this.clientId = clientId;
      return this;
    }

    public DevicePublisher build() {
      if (kafka == null) {
        throw new IllegalArgumentException("bootstrap servers are required");
      }
      Properties c = kafka.clientProperties();
      // Idempotence with acks=all: a retried send never stores an image twice.
      c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      c.put(ProducerConfig.ACKS_CONFIG, "all");
      c.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
      // A few ms of batching: many devices' small images share a request.
      c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
      return new DevicePublisher(
          new KafkaProducer<>(c, new StringSerializer(), new ByteArraySerializer()), topic);
    }
  }
}
