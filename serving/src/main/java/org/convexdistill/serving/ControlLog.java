package org.convexdistill.serving;

import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.convexdistill.core.release.ReleaseSigner;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.runtime.topics.Topics;

/**
 * Writes pins to the compacted {@code serving-control} topic: the pinned release exactly as it was
 * published (its signature header too, so every node checks it again), or a tombstone on unpin. The
 * write is acknowledged by the cluster before the HTTP call answers.
 */
final class ControlLog implements ModelRegistry.PinLog, AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;
  private final String modelId;

  ControlLog(KafkaConnection kafka, String modelId) {
    Properties p = kafka.clientProperties();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.STUDENTS_MAX_MESSAGE_BYTES);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "distill-serving-control");
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    this.modelId = modelId;
  }

  @Override
  public void pinned(byte[] value, byte[] signature) {
    ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.SERVING_CONTROL, modelId, value);
    if (signature != null) {
      r.headers().add(ReleaseSigner.HEADER, signature);
    }
    send(r);
  }

  @Override
  public void unpinned() {
    send(new ProducerRecord<>(Topics.SERVING_CONTROL, modelId, null));
  }

  private void send(ProducerRecord<String, byte[]> r) {
    try {
      producer.send(r).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot record the pin: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while recording the pin", e);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
