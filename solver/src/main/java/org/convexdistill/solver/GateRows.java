package org.convexdistill.solver;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Each gate's design D_j·Zn as a GEMM operand: for a sparse gate, a copy of only the rows its
 * pattern opens (n_j × d), so its products cost n_j/n of a masked full one; for a dense gate, the
 * shared Zn with the mask applied elementwise as before.
 *
 * <p>Why: a unit's rows outside its pattern contribute exact zeros to both products, and real
 * patterns are far from half open (stage-4 activations, 8 gates: 7 % to 98 % of rows). Copies are
 * made for the sparsest gates first, within a budget of {@link #BUDGET_FACTOR}·n·d numbers (and
 * {@link #MAX_COPIED}), so memory stays a small multiple of Zn's whatever the number of gates.
 */
final class GateRows implements AutoCloseable {
  /** Gates open on more than this fraction of rows keep the shared, masked Zn. */
  static final double MAX_DENSITY = 0.8;

  /** Copies hold at most this many times Zn's size in total... */
  static final double BUDGET_FACTOR = 4.0;

  /**
   * ... and at most this many numbers (256 MB): an offline fit on 40,000 images would otherwise add
   * 655 MB off-heap beside its 164 MB Zn.
   */
  static final double MAX_COPIED = 64.0 * 1024 * 1024;

  private final INDArray[] matrix;
  private final int[][] rows;
  private final int[] rowCount;
  private final boolean[] owned;

  GateRows(GatedReluProblem problem) {
    int n = problem.samples();
    int d = problem.inputDim();
    int gates = problem.gates();
    float[] patterns = problem.patternsColumnMajor();
    INDArray zn = problem.normalizedInputs();
    matrix = new INDArray[gates];
    rows = new int[gates][];
    rowCount = new int[gates];
    owned = new boolean[gates];
    int[] open = new int[gates];
    for (int j = 0; j < gates; j++) {
      for (int r = 0; r < n; r++) {
        if (patterns[j * n + r] != 0f) {
          open[j]++;
        }
      }
    }
    Integer[] order = IntStream.range(0, gates).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingInt(j -> open[j]));
    double budget = Math.min(BUDGET_FACTOR * n * (double) d, MAX_COPIED);
    FloatBuffer source = zn.data().asNioFloat();
    float[] column = new float[n];
    for (int j : order) {
      boolean gather = open[j] > 0 && open[j] <= MAX_DENSITY * n && (double) open[j] * d <= budget;
      if (!gather) {
        matrix[j] = zn;
        rowCount[j] = n;
        continue;
      }
      budget -= (double) open[j] * d;
      int[] picked = new int[open[j]];
      int c = 0;
      for (int r = 0; r < n; r++) {
        if (patterns[j * n + r] != 0f) {
          picked[c++] = r;
        }
      }
      INDArray copy = Nd4j.create(DataType.FLOAT, new long[] {open[j], d}, 'f');
      FloatBuffer target = copy.data().asNioFloat();
      float[] gathered = new float[open[j]];
      for (int i = 0; i < d; i++) {
        source.get(i * n, column, 0, n);
        for (int p = 0; p < picked.length; p++) {
          gathered[p] = column[picked[p]];
        }
        target.put(i * open[j], gathered, 0, open[j]);
      }
      matrix[j] = copy;
      rows[j] = picked;
      rowCount[j] = open[j];
      owned[j] = true;
    }
  }

  /** Gate j's GEMM operand, rowCount(j) × d, Fortran order. Shared, do not modify. */
  INDArray matrix(int j) {
    return matrix[j];
  }

  /** The rows of Zn that {@link #matrix(int)} holds, ascending; null when it is Zn itself. */
  int[] rows(int j) {
    return rows[j];
  }

  /** The number of rows of {@link #matrix(int)}. */
  int rowCount(int j) {
    return rowCount[j];
  }

  @Override
  public void close() {
    for (int j = 0; j < matrix.length; j++) {
      if (owned[j]) {
        matrix[j].close();
      }
    }
  }
}
