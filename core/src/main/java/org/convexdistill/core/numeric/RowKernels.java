package org.convexdistill.core.numeric;

/**
 * The two loops a student's first layer is made of, on flat row-major matrices: four dot products
 * against one weight row, and the rank-1 update {@code y += v · x}.
 *
 * <p>Why a class: C2 vectorises neither on flat arrays read at row offsets (a float reduction
 * never; the update only with both arrays at offset 0, as it cannot rule out aliasing otherwise),
 * and the scalar loops ran at 1–3 GMAC/s here. Rows as separate arrays would let the update
 * vectorise, but a student's weights as a thousand small arrays land in the young generation and
 * are copied by every GC they survive, which made each hot swap show in serving's p99; as one flat
 * array they are allocated once, in old space (a humongous object), and never copied. So the JDK's
 * Vector API runs both loops when the JVM has it ({@code --add-modules jdk.incubator.vector}: the
 * launcher, the tests and the image do), and scalar loops run otherwise.
 */
public final class RowKernels {
  private static final boolean VECTOR =
      ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

  private RowKernels() {}

  /** Whether this JVM runs the Vector API loops. */
  public static boolean vectorised() {
    return VECTOR;
  }

  /** y[0..n) += v · x[xOff..xOff + n). */
  public static void axpy(float v, float[] x, int xOff, float[] y, int n) {
    if (VECTOR) {
      VectorRowKernels.axpy(v, x, xOff, y, n);
    } else {
      axpyFrom(0, v, x, xOff, y, n);
    }
  }

  /** {@link #axpy} for u in [from, n): the whole scalar loop, or the vector loop's remainder. */
  static void axpyFrom(int from, float v, float[] x, int xOff, float[] y, int n) {
    for (int u = from; u < n; u++) {
      y[u] += v * x[xOff + u];
    }
  }

  /**
   * out[r] = Σ_i w[wOff + i] · x[x_r + i] over i < n, for the four rows starting at x0..x3 (a row
   * may repeat when fewer are wanted): the weight row is read once for all four.
   */
  public static void dot4(
      float[] w, int wOff, float[] x, int x0, int x1, int x2, int x3, int n, float[] out) {
    if (VECTOR) {
      VectorRowKernels.dot4(w, wOff, x, x0, x1, x2, x3, n, out);
    } else {
      dot4From(0, 0, 0, 0, 0, w, wOff, x, x0, x1, x2, x3, n, out);
    }
  }

  /**
   * {@link #dot4} for i in [from, n), starting from the sums s0..s3: the whole scalar loop, or the
   * vector loop's remainder.
   */
  static void dot4From(
      int from,
      float s0,
      float s1,
      float s2,
      float s3,
      float[] w,
      int wOff,
      float[] x,
      int x0,
      int x1,
      int x2,
      int x3,
      int n,
      float[] out) {
    for (int i = from; i < n; i++) {
      float v = w[wOff + i];
      s0 += v * x[x0 + i];
      s1 += v * x[x1 + i];
      s2 += v * x[x2 + i];
      s3 += v * x[x3 + i];
    }
    out[0] = s0;
    out[1] = s1;
    out[2] = s2;
    out[3] = s3;
  }
}
