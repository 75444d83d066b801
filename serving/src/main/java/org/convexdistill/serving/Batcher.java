package org.convexdistill.serving;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.convexdistill.core.stream.ImagePayload;

/**
 * Dynamic batching: requests queue FIFO (bounded: a full queue answers 503 at once instead of
 * letting latency grow without bound); one worker takes the oldest request and waits at most {@code
 * maxDelay} for more, up to {@code maxBatch} images, then runs them in one pass on the model
 * current at that moment.
 */
public final class Batcher implements AutoCloseable {
  /** The logits of one request's images and the model that produced them. */
  public record Result(float[] logits, int n, ServingModel model) {}

  private record Pending(byte[] pixels, int n, CompletableFuture<Result> future, long enqueued) {}

  private static final Pending STOP = new Pending(new byte[0], 0, null, 0);

  private final HybridRunner runner;
  private final ModelRegistry registry;
  private final int maxBatch;
  private final long maxDelayNanos;
  private final BlockingQueue<Pending> queue;
  private final Thread worker;
  private volatile boolean stopping;
  private final ServingMetrics metrics;

  public Batcher(
      HybridRunner runner,
      ModelRegistry registry,
      int maxBatch,
      Duration maxDelay,
      int queueCapacity,
      ServingMetrics metrics) {
    if (maxBatch < 1 || queueCapacity < 1 || maxDelay.isNegative()) {
      throw new IllegalArgumentException("max batch and queue capacity must be >= 1, delay >= 0");
    }
    this.runner = runner;
    this.registry = registry;
    this.maxBatch = maxBatch;
    this.maxDelayNanos = maxDelay.toNanos();
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.metrics = metrics;
    this.worker = new Thread(this::loop, "distill-batcher");
    worker.setDaemon(true);
    worker.start();
  }

  /**
   * Queues n images (n·784 grey bytes).
   *
   * @throws OverloadedException when the queue is full
   */
  public CompletableFuture<Result> submit(byte[] pixels, int n) throws OverloadedException {
    Pending p = new Pending(pixels, n, new CompletableFuture<>(), System.nanoTime());
    if (!queue.offer(p)) {
      throw new OverloadedException("server overloaded: " + queue.size() + " requests queued");
    }
    return p.future();
  }

  private void loop() {
    List<Pending> batch = new ArrayList<>();
    while (true) {
      try {
        Pending first = queue.take();
        if (first == STOP) {
          return;
        }
        batch.clear();
        batch.add(first);
        int images = first.n();
        long deadline = first.enqueued() + maxDelayNanos;
        while (images < maxBatch) {
          Pending next = queue.peek();
          if (next != null && images + next.n() > maxBatch) {
            break;
          }
          long wait = deadline - System.nanoTime();
          next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
          if (next == null) {
            break;
          }
          if (next == STOP) {
            queue.offer(STOP);
            break;
          }
          batch.add(next);
          images += next.n();
        }
        run(batch, images);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void run(List<Pending> batch, int images) {
    ServingModel model = registry.current();
    try {
      byte[] pixels = new byte[images * ImagePayload.RAW_BYTES];
      int at = 0;
      for (Pending p : batch) {
        System.arraycopy(p.pixels(), 0, pixels, at, p.pixels().length);
        at += p.pixels().length;
      }
      long t0 = System.nanoTime();
      float[] logits = runner.logits(pixels, images, model);
      metrics.batch(images, System.nanoTime() - t0);
      int classes = runner.numClasses();
      int row = 0;
      for (Pending p : batch) {
        float[] mine = new float[p.n() * classes];
        System.arraycopy(logits, row * classes, mine, 0, mine.length);
        row += p.n();
        p.future().complete(new Result(mine, p.n(), model));
      }
    } catch (RuntimeException e) {
      for (Pending p : batch) {
        p.future().completeExceptionally(e);
      }
    }
  }

  /** False once the batching thread died (not by {@link #close}): no request would be answered. */
  public boolean alive() {
    return stopping || worker.isAlive();
  }

  /** Stops after the requests already queued. */
  @Override
  public void close() {
    stopping = true;
    queue.offer(STOP);
    try {
      worker.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
