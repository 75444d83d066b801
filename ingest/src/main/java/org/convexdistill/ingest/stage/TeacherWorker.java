package org.convexdistill.ingest.stage;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Where the teacher runs: its own thread in the stage, so that decoding, buffering, producing and
 * committing (the stream thread's work) overlap with the next batch instead of idling the teacher;
 * or the caller's thread, where a test wants each batch done before {@code pipeInput} returns.
 *
 * <p>One worker serves every processor of a stage: batches of all partitions queue on one thread,
 * so the teacher never runs two batches at once and fights itself for the cores.
 */
public final class TeacherWorker implements AutoCloseable {
  /** A batch's activations and the teacher time it took (on the worker, queueing excluded). */
  record Result(BlockInference.Batch batch, long nanos) {}

  private final ExecutorService executor; // null: the caller's thread

  private TeacherWorker(ExecutorService executor) {
    this.executor = executor;
  }

  /** A worker with one daemon thread of its own. */
  public static TeacherWorker ownThread() {
    return new TeacherWorker(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "distill-teacher");
              t.setDaemon(true);
              return t;
            }));
  }

  /** Runs each batch on the calling thread (the returned future is already complete). */
  public static TeacherWorker callerThread() {
    return new TeacherWorker(null);
  }

  /** Runs prefix + block on {@code n} images; a teacher failure completes the future with it. */
  CompletableFuture<Result> run(BlockInference teacher, byte[] pixels, int n) {
    if (executor == null) {
      CompletableFuture<Result> f = new CompletableFuture<>();
      try {
        f.complete(timed(teacher, pixels, n));
      } catch (RuntimeException | Error e) {
        f.completeExceptionally(e);
      }
      return f;
    }
    return CompletableFuture.supplyAsync(() -> timed(teacher, pixels, n), executor);
  }

  private static Result timed(BlockInference teacher, byte[] pixels, int n) {
    long t0 = System.nanoTime();
    BlockInference.Batch b = teacher.run(pixels, n);
    return new Result(b, System.nanoTime() - t0);
  }

  /** Stops the thread after the batch it runs (the stage's buffers keep unfinished images). */
  @Override
  public void close() {
    if (executor != null) {
      executor.shutdownNow();
      try {
        executor.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
