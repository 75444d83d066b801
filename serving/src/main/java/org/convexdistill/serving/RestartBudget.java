package org.convexdistill.serving;

/**
 * How often a supervised worker may fail and be restarted: a worker that fails more than {@link
 * #MAX_RESTARTS} times within {@link #WINDOW_NANOS} is not restarted again — the fault is not
 * transient, and liveness turning false gets the pod restarted instead. Used by one thread.
 */
final class RestartBudget {
  static final int MAX_RESTARTS = 5;

  static final long WINDOW_NANOS = 60_000_000_000L;

  /** The times of the last MAX_RESTARTS + 1 failures, a ring. */
  private final long[] failures = new long[MAX_RESTARTS + 1];

  private int count;

  /** Records a failure at {@code now} (nanoTime); true when the worker may be restarted. */
  boolean failed(long now) {
    failures[count % failures.length] = now;
    count++;
    // The slot written next holds the failure MAX_RESTARTS + 1 failures ago.
    return count <= MAX_RESTARTS || now - failures[count % failures.length] >= WINDOW_NANOS;
  }

  /** Failures recorded so far. */
  int failures() {
    return count;
  }
}
