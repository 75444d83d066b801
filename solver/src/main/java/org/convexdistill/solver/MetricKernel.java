package org.convexdistill.solver;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The sample-space system of ADMM's V-step under a per-gate metric: with Φ = [D_1 Zn … D_P Zn] and
 * R = diag(ρ_j) (ρ_j on every coordinate of gate j's groups),
 *
 * <pre>
 *   K_R = Φ R⁻¹ Φᵀ / m = (Zn Znᵀ ⊙ D R⁻¹ Dᵀ) / m,
 * </pre>
 *
 * factorised as I + K_R = LLᵀ once per metric. The Gram Zn Znᵀ is formed once and kept, so a new
 * metric costs one n×P×n product, an element-wise product and a Cholesky factorisation.
 *
 * <p>Double precision for the factor: I + K_R is ill-conditioned when ρ is small next to K̃'s
 * spectrum. The triangular solves call OpenBLAS's {@code dtrsm} directly: ND4J 1.0.0-M2.1's
 * Level3.trsm passes its Diag flag unconverted, which OpenBLAS rejects. Not thread-safe; close it
 * to free the native buffers.
 */
final class MetricKernel implements AutoCloseable {
  private static final int COL_MAJOR = 102;
  private static final int NO_TRANS = 111;
  private static final int TRANS = 112;
  private static final int LOWER = 122;
  private static final int NON_UNIT = 131;
  private static final int LEFT = 141;

  /** {@code -Dadmm.trace=true}: each factorisation's time on stderr. */
  private static final boolean TRACE = Boolean.getBoolean("admm.trace");

  private final int n;
  private final int gates;
  private final double m;
  private final INDArray gram;
  private final INDArray patterns;
  private final INDArray factor;
  private final INDArray targets;
  private final INDArray kernelTimesTargets;
  private final double meanEigenvalue;
  private double[] metric;
  private int factorizations;

  /**
   * Forms Zn Znᵀ (one n×d×n product).
   *
   * @param zn Zn, float n×d in Fortran order (not kept)
   * @param patterns D column-major (j·n + r), entries 0 or 1
   * @param targets Y column-major (k·n + r)
   * @param m the loss normaliser n·C
   */
  MetricKernel(INDArray zn, float[] patterns, float[] targets, int gates, double m) {
    this.n = (int) zn.rows();
    this.gates = gates;
    this.m = m;
    gram = Nd4j.create(DataType.FLOAT, new long[] {n, n}, 'f');
    Nd4j.gemm(zn, zn, gram, false, true, 1.0, 0.0);
    this.patterns = Nd4j.create(patterns, new long[] {n, gates}, 'f');
    int outputs = targets.length / n;
    this.targets = Nd4j.create(DataType.DOUBLE, new long[] {n, outputs}, 'f');
    java.nio.DoubleBuffer tb = this.targets.data().asNioDouble();
    for (int i = 0; i < targets.length; i++) {
      tb.put(i, targets[i]);
    }
    // tr(K̃)/n at ρ = 1 on every gate: Σ_r ‖zn_r‖²·(open gates of row r) / (m·n).
    double trace = 0;
    for (int r = 0; r < n; r++) {
      double open = 0;
      for (int j = 0; j < gates; j++) {
        open += patterns[j * n + r];
      }
      trace += gram.getDouble(r, r) * open;
    }
    meanEigenvalue = trace / (m * n);
    factor = Nd4j.create(DataType.DOUBLE, new long[] {n, n}, 'f');
    kernelTimesTargets = Nd4j.create(DataType.DOUBLE, new long[] {n, outputs}, 'f');
  }

  /** Floating-point operations of the constructor's product. */
  static double gramFlops(int n, int d) {
    return 2.0 * n * n * d;
  }

  /** tr(K̃)/n with the unit metric: K̃'s mean eigenvalue, the scale of ρ. */
  double meanEigenvalue() {
    return meanEigenvalue;
  }

  /** Factorises I + K_R for R = diag(rho) unless that metric is already factorised. */
  void factorise(double[] rho) {
    if (rho.length != gates) {
      throw new IllegalArgumentException("metric of length " + rho.length + " != " + gates);
    }
    if (metric != null && java.util.Arrays.equals(metric, rho)) {
      return;
    }
    long t0 = System.nanoTime();
    // Weights ρ_ref/ρ_j stay near 1 in float; ρ_ref goes into the final division.
    double[] sorted = rho.clone();
    java.util.Arrays.sort(sorted);
    double ref = sorted[gates / 2];
    float[] weights = new float[gates];
    for (int j = 0; j < gates; j++) {
      if (!(rho[j] > 0)) {
        throw new IllegalArgumentException("ρ must be positive, got " + rho[j]);
      }
      weights[j] = (float) (ref / rho[j]);
    }
    INDArray weighted = patterns.dup('f');
    weighted.muliRowVector(Nd4j.create(weights, new long[] {1, gates}));
    INDArray overlap = Nd4j.create(DataType.FLOAT, new long[] {n, n}, 'f');
    Nd4j.gemm(weighted, patterns, overlap, false, true, 1.0, 0.0);
    weighted.close();
    overlap.muli(gram);
    factor.assign(overlap);
    overlap.close();
    factor.divi(m * ref);
    Nd4j.gemm(factor, targets, kernelTimesTargets, false, false, 1.0, 0.0);
    DoublePointer p = (DoublePointer) factor.data().addressPointer();
    for (int i = 0; i < n; i++) {
      long at = (long) i * n + i;
      p.put(at, p.get(at) + 1.0);
    }
    long t1 = System.nanoTime();
    Nd4j.getBlasWrapper().lapack().potrf(factor, true);
    if (TRACE) {
      System.err.printf(
          "admm metric: formed in %.0f ms, factorised in %.0f ms%n",
          (t1 - t0) / 1e6, (System.nanoTime() - t1) / 1e6);
    }
    metric = rho.clone();
    factorizations++;
  }

  /** K_R·Y (double n×C, Fortran order) for the metric last factorised. */
  INDArray kernelTimesTargets() {
    return kernelTimesTargets;
  }

  /** How many metrics this instance has factorised. */
  int factorizations() {
    return factorizations;
  }

  /** B ← (I + K_R)⁻¹·B for B double n×k in Fortran order. */
  void solveInPlace(INDArray b) {
    if (metric == null) {
      throw new IllegalStateException("no metric factorised yet");
    }
    if (b.dataType() != DataType.DOUBLE || b.ordering() != 'f' || b.rows() != n) {
      throw new IllegalArgumentException("B must be double n×k in Fortran order");
    }
    int k = (int) b.columns();
    DoublePointer l = (DoublePointer) factor.data().addressPointer();
    DoublePointer x = (DoublePointer) b.data().addressPointer();
    openblas_nolapack.cblas_dtrsm(
        COL_MAJOR, LEFT, LOWER, NO_TRANS, NON_UNIT, n, k, 1.0, l, n, x, n);
    openblas_nolapack.cblas_dtrsm(COL_MAJOR, LEFT, LOWER, TRANS, NON_UNIT, n, k, 1.0, l, n, x, n);
  }

  @Override
  public void close() {
    gram.close();
    patterns.close();
    factor.close();
    targets.close();
    kernelTimesTargets.close();
  }
}
