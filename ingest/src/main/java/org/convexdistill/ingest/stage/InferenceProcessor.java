package org.convexdistill.ingest.stage;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
 *
 * <p>The teacher runs on the {@link TeacherWorker}'s thread, one batch at a time: while it works on
 * batch k this (stream) thread decodes and buffers batch k + 1, emits batch k − 1 and commits, so
 * the teacher does not wait for Kafka. An image leaves the buffer only when its activation record
 * (or dead letter) is forwarded, on this thread, in the transaction of its commit; a batch still in
 * flight at a commit or a crash is still in the buffer and runs again under the next owner. At most
 * one batch runs and one full batch waits: with a second full batch waiting, {@code process} blocks
 * until the teacher is done, so a fast input cannot pile up in memory.
 */
final class InferenceProcessor implements Processor<String, byte[], String, Outcome> {
  static final String STAGE = "ingest";

  private final BlockInference teacher;
  private final TeacherWorker worker;
  private final InferenceConfig config;
  private final IngestMetrics metrics;
  private ProcessorContext<String, Outcome> context;
  private KeyValueStore<Long, byte[]> buffer;
  private long nextSeq;

  /** Buffered images not yet handed to the teacher, oldest first, by buffer key. */
  private final LinkedHashMap<Long, Waiting> waiting = new LinkedHashMap<>();

  /** The batch the teacher is working on, or null. */
  private InFlight inFlight;

  /** A buffered image; its pixels are null when it was restored from the changelog. */
  private record Waiting(PendingImage image, byte[] pixels, long arrivedMs) {}

  private record InFlight(
      List<Long> keys,
      List<PendingImage> images,
      CompletableFuture<TeacherWorker.Result> result,
      long submittedMs) {}

  InferenceProcessor(
      BlockInference teacher, TeacherWorker worker, InferenceConfig config, IngestMetrics metrics) {
    this.teacher = teacher;
    this.worker = worker;
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Outcome> context) {
    this.context = context;
    this.buffer = context.getStateStore(InferenceTopology.BUFFER_STORE);
    // After a restart the restored buffer may hold images: continue after them, flush them soon.
    long now = context.currentSystemTimeMs();
    try (KeyValueIterator<Long, byte[]> it = buffer.all()) {
      while (it.hasNext()) {
        KeyValue<Long, byte[]> kv = it.next();
        nextSeq = Math.max(nextSeq, kv.key + 1);
        waiting.put(kv.key, new Waiting(PendingImage.decode(kv.value), null, now));
      }
    }
    long tick = Math.max(5, config.maxWait().toMillis() / 4);
    context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME, this::onTick);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    metrics.imageIn();
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    String type = contentType(record.headers());
    byte[] pixels;
    try {
      pixels = ImagePayload.decode(record.value(), type);
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
            type,
            record.value());
    long seq = nextSeq++;
    buffer.put(seq, img.encode());
    waiting.put(seq, new Waiting(img, pixels, context.currentSystemTimeMs()));
    advance(false, false);
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

  /** A buffered image the stage cannot turn into activations: its original bytes, the reason. */
  private void deadLetterBuffered(PendingImage img, String reason) {
    metrics.processingFailed();
    RecordHeaders h = new RecordHeaders();
    if (img.contentType() != null) {
      h.add(Topics.CONTENT_TYPE, img.contentType().getBytes(StandardCharsets.UTF_8));
    }
    context.forward(
        new Record<>(
            img.key(),
            Outcome.deadLetter(img.payload()),
            img.timestamp(),
            DeadLetters.headers(h, STAGE, reason, img.topic(), img.partition(), img.offset())));
  }

  /**
   * Wall-clock punctuation (the driver's clock in tests): flushes a partial batch older than the
   * max wait, emits a finished batch, and waits for one running longer than the max wait.
   */
  private void onTick(long nowMs) {
    boolean due =
        !waiting.isEmpty()
            && nowMs - waiting.values().iterator().next().arrivedMs()
                >= config.maxWait().toMillis();
    boolean overdue =
        inFlight != null && nowMs - inFlight.submittedMs() >= config.maxWait().toMillis();
    advance(due, overdue);
  }

  /**
   * Hands batches to the teacher and emits finished ones until nothing more can happen without
   * waiting (or, with a full batch queued behind a running one, waits).
   *
   * @param flushPartial hand over a batch smaller than the batch size too
   * @param awaitRunning wait for the running batch even when no full batch queues behind it
   */
  private void advance(boolean flushPartial, boolean awaitRunning) {
    while (true) {
      boolean full = waiting.size() >= config.batchSize();
      boolean ready = full || (flushPartial && !waiting.isEmpty());
      if (inFlight == null) {
        if (!ready) {
          return;
        }
        inFlight = submit();
        continue;
      }
      if (!inFlight.result().isDone() && !full && !awaitRunning) {
        return;
      }
      InFlight done = inFlight;
      TeacherWorker.Result result = null;
      Throwable failure = null;
      try {
        result = done.result().join();
      } catch (CompletionException | CancellationException e) {
        failure = e.getCause() != null ? e.getCause() : e;
      }
      // The next batch goes to the teacher before this one is emitted: emitting (encoding and
      // producing 32 records) then overlaps with the teacher instead of idling it.
      inFlight = ready ? submit() : null;
      emit(done, result, failure);
      awaitRunning = false;
    }
  }

  /** Hands the oldest waiting images (up to a batch) to the teacher; null if none was left. */
  private InFlight submit() {
    List<Long> keys = new ArrayList<>();
    List<PendingImage> images = new ArrayList<>();
    List<byte[]> pixels = new ArrayList<>();
    Iterator<Map.Entry<Long, Waiting>> it = waiting.entrySet().iterator();
    while (it.hasNext() && keys.size() < config.batchSize()) {
      Map.Entry<Long, Waiting> e = it.next();
      it.remove();
      Waiting w = e.getValue();
      byte[] p = w.pixels();
      if (p == null) { // restored from the changelog: decode again
        try {
          p = ImagePayload.decode(w.image().payload(), w.image().contentType());
        } catch (RecordFormatException ex) {
          deadLetterBuffered(w.image(), ex.getMessage());
          buffer.delete(e.getKey());
          continue;
        }
      }
      keys.add(e.getKey());
      images.add(w.image());
      pixels.add(p);
    }
    int n = keys.size();
    if (n == 0) {
      return null;
    }
    byte[] batch = new byte[n * ImagePayload.RAW_BYTES];
    for (int i = 0; i < n; i++) {
      System.arraycopy(pixels.get(i), 0, batch, i * ImagePayload.RAW_BYTES, ImagePayload.RAW_BYTES);
    }
    return new InFlight(keys, images, worker.run(teacher, batch, n), context.currentSystemTimeMs());
  }

  /** Forwards one record per image of a finished batch and removes the images from the buffer. */
  private void emit(InFlight done, TeacherWorker.Result result, Throwable failure) {
    int n = done.keys().size();
    if (failure != null) {
      // The teacher failed on this batch: its images go to the dead-letter topic with the reason,
      // as the device sent them, and the stage goes on. Rethrowing would stop the stream thread
      // and replay the same batch into the same error.
      for (int i = 0; i < n; i++) {
        deadLetterBuffered(done.images().get(i), "teacher failed on the batch: " + failure);
        buffer.delete(done.keys().get(i));
      }
      return;
    }
    metrics.batch(n, Duration.ofNanos(result.nanos()));
    BlockInference.Batch out = result.batch();
    int zs = teacher.inputShape().size();
    int ys = teacher.outputShape().size();
    for (int i = 0; i < n; i++) {
      PendingImage img = done.images().get(i);
      float[] z = new float[zs];
      float[] y = new float[ys];
      System.arraycopy(out.z(), i * zs, z, 0, zs);
      System.arraycopy(out.y(), i * ys, y, 0, ys);
      if (!Finite.all(z, y)) {
        deadLetterBuffered(img, "teacher's activations hold a NaN or an infinity");
        buffer.delete(done.keys().get(i));
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
      buffer.delete(done.keys().get(i));
    }
  }

  @Override
  public void close() {
    // Nothing is flushed here: on a clean shutdown or a crash alike, the buffer's contents
    // (a running batch's images included) are flushed by the next owner of this partition. The
    // running batch is waited for so that the teacher is free for that owner.
    if (inFlight != null) {
      try {
        inFlight.result().join();
      } catch (CompletionException | CancellationException e) {
        // its images stay buffered
      }
      inFlight = null;
    }
    waiting.clear();
  }
}
