package org.convexdistill.core.stream;

/**
 * Offsets {@code [from, to]} (inclusive) of one partition of the activations topic. An empty range
 * ({@code to == from - 1}) records a partition the learner has read up to {@code from} without any
 * of its records being in the window, so that a restart resumes there.
 */
public record OffsetRange(int partition, long from, long to) {
  public OffsetRange {
    if (partition < 0 || from < 0 || to < from - 1) {
      throw new IllegalArgumentException(
          "bad offset range: partition " + partition + " [" + from + ", " + to + "]");
    }
  }

  /** Number of offsets covered. */
  public long count() {
    return to - from + 1;
  }
}
