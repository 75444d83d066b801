package org.convexdistill.ingest.stage;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.convexdistill.core.numeric.Finite;
import org.convexdistill.core.stream.ActivationRecord;
import org.convexdistill.core.stream.ImagePayload;
import org.convexdistill.core.stream.RecordFormatException;
import org.convexdistill.runtime.topics.DeadLetters;
import org.convexdistill.runtime.topics.Topics;

/**
 * Decodes images, buffers them per partition and runs the teacher on full (or timed-out) batches.
 *
 * <p>The buffer is a changelogged state store, not a field: under exactly-once its writes commit in
 * the same transaction as the input offsets, so a crash between reading an image and emitting its
 * activations neither loses the image (the restored buffer still holds it) nor emits it twice.
 */
final class InferenceProcessor implements Processor<String, byte[], String, Outcome> {
  static final String STAGE = "ingest";

  private final BlockInference teacher;
  private final InferenceConfig config;
  private final IngestMetrics metrics;
  private ProcessorContext<String, Outcome> context;
  private KeyValueStore<Long, byte[]> buffer;
  private long nextSeq;
  private int pending;
  private long oldestPendingMs;

  InferenceProcessor(BlockInference teacher, InferenceConfig config, IngestMetrics metrics) {
    this.teacher = teacher;
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Outcome> context) {
    this.context = context;
    this.buffer = context.getStateStore(InferenceTopology.BUFFER_STORE);
    // After a restart the restored buffer may hold images: continue after them, flush them soon.
    try (KeyValueIterator<Long, byte[]> it = buffer.all()) {
      while (it.hasNext()) {
        KeyValue<Long, byte[]> kv = it.next();
        nextSeq = Math.max(nextSeq, kv.key + 1);
        pending++;
      }
    }
    oldestPendingMs = context.currentSystemTimeMs();
    long tick = Math.max(5, config.maxWait().toMillis() / 4);
    context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME, this::flushIfDue);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    metrics.imageIn();
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    byte[] pixels;
    try {
      pixels = ImagePayload.decode(record.value(), contentType(record.headers()));
    } catch (RecordFormatException e) {
      deadLetter(record, meta, e.getMessage());
      return;
    }
    PendingImage img =
        new PendingImage(
            record.key(),
            meta.topic(),
            meta.partition(),
            meta.offset(),
            record.timestamp(),
            pixels);
    if (pending == 0) {
      oldestPendingMs = context.currentSystemTimeMs();
    }
    buffer.put(nextSeq++, img.encode());
    pending++;
    if (pending >= config.batchSize()) {
      flush();
    }
  }

  private void deadLetter(Record<String, byte[]> record, RecordMetadata meta, String reason) {
    metrics.deadLetter();
    Headers h =
        DeadLetters.headers(
            record.headers(), STAGE, reason, meta.topic(), meta.partition(), meta.offset());
    context.forward(
        new Record<>(record.key(), Outcome.deadLetter(record.value()), record.timestamp(), h));
  }

  private static String contentType(Headers headers) {
    Header h = headers.lastHeader(Topics.CONTENT_TYPE);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private void deadLetterPixels(PendingImage img, String reason) {
    metrics.processingFailed();
    RecordHeaders h = new RecordHeaders();
    h.add(Topics.CONTENT_TYPE, ImagePayload.RAW.getBytes(StandardCharsets.UTF_8));
    context.forward(
        new Record<>(
            img.key(),
            Outcome.deadLetter(img.pixels()),
            img.timestamp(),
            DeadLetters.headers(h, STAGE, reason, img.topic(), img.partition(), img.offset())));
  }

  /** Wall-clock punctuation (the driver's clock in tests). */
  private void flushIfDue(long nowMs) {
    if (pending > 0 && nowMs - oldestPendingMs >= config.maxWait().toMillis()) {
      flush();
    }
  }

  /** Runs the teacher on the buffered images (oldest first) and emits one record per image. */
  private void flush() {
    while (pending > 0) {
      List<Long> keys = new ArrayList<>();
      List<PendingImage> batch = new ArrayList<>();
      try (KeyValueIterator<Long, byte[]> it = buffer.all()) {
        while (it.hasNext() && batch.size() < config.batchSize()) {
          KeyValue<Long, byte[]> kv = it.next();
          keys.add(kv.key);
          batch.add(PendingImage.decode(kv.value));
        }
      }
      if (batch.isEmpty()) {
        pending = 0;
        return;
      }
      int n = batch.size();
      byte[] pixels = new byte[n * ImagePayload.RAW_BYTES];
      for (int i = 0; i < n; i++) {
        System.arraycopy(
            batch.get(i).pixels(), 0, pixels, i * ImagePayload.RAW_BYTES, ImagePayload.RAW_BYTES);
      }
      long t0 = System.nanoTime();
      BlockInference.Batch out;
      try {
        out = teacher.run(pixels, n);
      } catch (RuntimeException e) {
        // The teacher failed on this batch: its images go to the dead-letter topic with the
        // reason (as pixels; the original payload was decoded on arrival), and the stage goes on.
        // Rethrowing would stop the stream thread and replay the same batch into the same error.
        for (int i = 0; i < n; i++) {
          deadLetterPixels(batch.get(i), "teacher failed on the batch: " + e);
          buffer.delete(keys.get(i));
        }
        pending -= n;
        oldestPendingMs = context.currentSystemTimeMs();
        continue;
      }
      metrics.batch(n, Duration.ofNanos(System.nanoTime() - t0));
      int zs = teacher.inputShape().size();
      int ys = teacher.outputShape().size();
      for (int i = 0; i < n; i++) {
        PendingImage img = batch.get(i);
        float[] z = new float[zs];
        float[] y = new float[ys];
        System.arraycopy(out.z(), i * zs, z, 0, zs);
        System.arraycopy(out.y(), i * ys, y, 0, ys);
        if (!Finite.all(z, y)) {
          deadLetterPixels(img, "teacher's activations hold a NaN or an infinity");
          buffer.delete(keys.get(i));
          continue;
        }
        ActivationRecord a =
            new ActivationRecord(
                teacher.teacherId(),
                teacher.block(),
                teacher.inputShape(),
                teacher.outputShape(),
                z,
                y,
                img.topic(),
                img.partition(),
                img.offset());
        context.forward(
            new Record<>(
                img.key(),
                Outcome.activation(a.encode(config.precision())),
                img.timestamp(),
                new RecordHeaders()));
        buffer.delete(keys.get(i));
      }
      pending -= n;
      oldestPendingMs = context.currentSystemTimeMs();
    }
  }

  @Override
  public void close() {
    // The buffer is not flushed here: on a clean shutdown or a crash alike, its restored contents
    // are flushed by the next owner of this partition.
  }
}
