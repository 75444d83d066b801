package org.convexdistill.learner.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.convexdistill.core.stream.OffsetRange;

/**
 * The last {@code capacity} activation rows (z, y) with their source coordinates, in arrival order:
 * a ring buffer, so adding is O(d + C) and never allocates after construction.
 */
public final class ActivationWindow {
  private final int capacity;
  private final int zDim;
  private final int yDim;
  private final float[] z;
  private final float[] y;
  private final int[] partitions;
  private final long[] offsets;
  private final Map<Integer, Long> lastRead = new TreeMap<>();
  private int next;
  private int size;

  public ActivationWindow(int capacity, int zDim, int yDim) {
    if (capacity < 2 || zDim < 1 || yDim < 1) {
      throw new IllegalArgumentException(
          "window needs capacity >= 2 and positive dims, got "
              + capacity
              + ", "
              + zDim
              + ", "
              + yDim);
    }
    if ((long) capacity * Math.max(zDim, yDim) > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("window too large: " + capacity + " × " + zDim);
    }
    this.capacity = capacity;
    this.zDim = zDim;
    this.yDim = yDim;
    this.z = new float[capacity * zDim];
    this.y = new float[capacity * yDim];
    this.partitions = new int[capacity];
    this.offsets = new long[capacity];
  }

  /** Appends one row, evicting the oldest when full. */
  public void add(int partition, long offset, float[] zRow, float[] yRow) {
    if (zRow.length != zDim || yRow.length != yDim) {
      throw new IllegalArgumentException(
          "row has z "
              + zRow.length
              + ", y "
              + yRow.length
              + "; window takes "
              + zDim
              + ", "
              + yDim);
    }
    add(partition, offset, zRow, 0, yRow, 0);
  }

  /** Appends row {@code row} of row-major z (·×d) and y (·×C) matrices, like {@link #add}. */
  public void add(int partition, long offset, float[] zs, int row, float[] ys) {
    if (row < 0 || (long) (row + 1) * zDim > zs.length || (long) (row + 1) * yDim > ys.length) {
      throw new IllegalArgumentException("row " + row + " is outside the given matrices");
    }
    add(partition, offset, zs, row * zDim, ys, row * yDim);
  }

  private void add(int partition, long offset, float[] zs, int zOff, float[] ys, int yOff) {
    System.arraycopy(zs, zOff, z, next * zDim, zDim);
    System.arraycopy(ys, yOff, y, next * yDim, yDim);
    partitions[next] = partition;
    offsets[next] = offset;
    lastRead.merge(partition, offset, Math::max);
    next = (next + 1) % capacity;
    size = Math.min(size + 1, capacity);
  }

  /** Notes that {@code offset} of {@code partition} was read even though it added no row. */
  public void skipped(int partition, long offset) {
    lastRead.merge(partition, offset, Math::max);
  }

  public int size() {
    return size;
  }

  public boolean isFull() {
    return size == capacity;
  }

  public int zDim() {
    return zDim;
  }

  public int yDim() {
    return yDim;
  }

  /** The rows oldest first, copied, with the offset ranges they came from. */
  public Snapshot snapshot() {
    float[] zs = new float[size * zDim];
    float[] ys = new float[size * yDim];
    long[] rowOffsets = new long[size];
    int start = (next - size + capacity) % capacity;
    Map<Integer, long[]> ranges = new TreeMap<>();
    for (int i = 0; i < size; i++) {
      int src = (start + i) % capacity;
      System.arraycopy(z, src * zDim, zs, i * zDim, zDim);
      System.arraycopy(y, src * yDim, ys, i * yDim, yDim);
      rowOffsets[i] = offsets[src];
      long[] r = ranges.computeIfAbsent(partitions[src], p -> new long[] {Long.MAX_VALUE, -1});
      r[0] = Math.min(r[0], offsets[src]);
      r[1] = Math.max(r[1], offsets[src]);
    }
    List<OffsetRange> out = new ArrayList<>();
    for (Map.Entry<Integer, Long> e : lastRead.entrySet()) {
      long[] r = ranges.get(e.getKey());
      // A partition read but with no row left in the window resumes after its last offset.
      out.add(
          r == null
              ? new OffsetRange(e.getKey(), e.getValue() + 1, e.getValue())
              : new OffsetRange(e.getKey(), r[0], Math.max(r[1], e.getValue())));
    }
    return new Snapshot(size, zDim, yDim, zs, ys, rowOffsets, out);
  }

  /** A copy of the window's rows (oldest first), each row's source offset, and the lineage. */
  public record Snapshot(
      int n, int zDim, int yDim, float[] z, float[] y, long[] offsets, List<OffsetRange> ranges) {}
}
