package org.convexdistill.core.numeric;

/**
 * {@code y[0..n) += v · x[xOff..xOff+n)}: the rank-1 update a student's first layer is made of.
 *
 * <p>Why a class: C2 vectorises this loop only when both arrays start at offset 0 (it cannot rule
 * out aliasing otherwise), so a flat matrix read at a row offset ran scalar, 3.3 GMAC/s against 15
 * here. Rows as separate arrays would vectorise, but a student's W1ᵀ as a thousand small arrays
 * lands in the young generation and is copied by every GC it survives, which made each hot swap
 * show in serving's p99; as one flat array it is allocated once, in old space (a humongous object),
 * and never copied. So the JDK's Vector API runs the loop when the JVM has it ({@code --add-modules
 * jdk.incubator.vector}: the launcher, the tests and the image do; 13 GMAC/s), and the scalar loop
 * otherwise.
 */
public final class Axpy {
  private static final boolean VECTOR =
      ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

  private Axpy() {}

  /** Whether this JVM runs the Vector API loop. */
  public static boolean vectorised() {
    return VECTOR;
  }

  /** y[0..n) += v · x[xOff..xOff + n). */
  public static void axpy(float v, float[] x, int xOff, float[] y, int n) {
    if (VECTOR) {
      VectorAxpy.axpy(v, x, xOff, y, n);
    } else {
      for (int u = 0; u < n; u++) {
        y[u] += v * x[xOff + u];
      }
    }
  }
}
