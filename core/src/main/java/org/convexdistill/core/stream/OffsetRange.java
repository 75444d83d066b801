package org.convexdistill.core.stream;

/** Offsets {@code [from, to]} (inclusive) of one partition of the activations topic. */
public record OffsetRange(int partition, long from, long to) {
  public OffsetRange {
    if (partition < 0 || from < 0 || to < from) {
      throw new IllegalArgumentException(
          "bad offset range: partition " + partition + " [" + from + ", " + to + "]");
    }
  }

  /** Number of offsets covered. */
  public long count() {
    return to - from + 1;
  }
}
