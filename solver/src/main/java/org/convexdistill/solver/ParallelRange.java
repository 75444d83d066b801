package org.convexdistill.solver;

import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/** Runs a loop body over [0, count) split into one contiguous range per thread. */
final class ParallelRange implements AutoCloseable {
  /** A loop body over [from, to); {@code chunk} indexes per-thread scratch space. */
  @FunctionalInterface
  interface Body {
    void run(int chunk, int from, int to);
  }

  private final int threads;
  private final ForkJoinPool pool;

  ParallelRange(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    this.pool = threads > 1 ? new ForkJoinPool(threads) : null;
  }

  int threads() {
    return threads;
  }

  void run(int count, Body body) {
    int chunks = Math.min(threads, count);
    if (chunks <= 1) {
      body.run(0, 0, count);
      return;
    }
    pool.submit(
            () ->
                IntStream.range(0, chunks)
                    .parallel()
                    .forEach(
                        c ->
                            body.run(
                                c,
                                (int) ((long) count * c / chunks),
                                (int) ((long) count * (c + 1) / chunks))))
        .join();
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdown();
    }
  }
}
