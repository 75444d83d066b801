package org.convexdistill.solver;

import org.nd4j.linalg.factory.Nd4j;

/**
 * The number of threads OpenBLAS runs the solvers' GEMMs on. It is one setting per process
 * (OpenBLAS has a single pool), so a role that owns the solver sets it once at start; the
 * elementwise passes are sized separately by each solver's {@code threads} argument.
 */
public final class BlasThreads {
  private BlasThreads() {}

  /**
   * Sets OpenBLAS's thread count for every later GEMM in this process.
   *
   * @throws IllegalArgumentException for fewer than one thread
   */
  public static void set(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("BLAS threads must be >= 1, got " + threads);
    }
    Nd4j.factory().blas().setMaxThreads(threads);
  }

  /** OpenBLAS's current thread count. */
  public static int get() {
    return Nd4j.factory().blas().getMaxThreads();
  }
}
