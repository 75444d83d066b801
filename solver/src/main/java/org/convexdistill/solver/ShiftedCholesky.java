package org.convexdistill.solver;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Solves {@code (A + ρI)·X = B} for a symmetric positive semi-definite n×n matrix A and ρ > 0: one
 * Cholesky factorisation per ρ (LAPACK through ND4J), then two triangular solves per right-hand
 * side block (OpenBLAS {@code dtrsm}). Double precision: A + ρI may be ill-conditioned when ρ is
 * small next to A's spectrum. Not thread-safe; close it to free the native buffers.
 */
final class ShiftedCholesky implements AutoCloseable {
  // CBLAS enum values. ND4J's own Level3.trsm passes the Diag character to cblas_dtrsm
  // unconverted (OpenBLAS rejects it), so the triangular solves call OpenBLAS directly.
  private static final int COL_MAJOR = 102;
  private static final int NO_TRANS = 111;
  private static final int TRANS = 112;
  private static final int LOWER = 122;
  private static final int NON_UNIT = 131;
  private static final int LEFT = 141;

  private final int n;
  private final INDArray matrix;
  private final INDArray factor;
  private double shift = Double.NaN;
  private int factorizations;

  /**
   * @param a the matrix A, double n×n in Fortran order; kept (not copied): do not modify it
   */
  ShiftedCholesky(INDArray a) {
    if (a.dataType() != DataType.DOUBLE || a.ordering() != 'f' || a.rank() != 2) {
      throw new IllegalArgumentException("A must be a double matrix in Fortran order");
    }
    this.n = (int) a.rows();
    if (a.columns() != n) {
      throw new IllegalArgumentException("A must be square, got " + a.rows() + "×" + a.columns());
    }
    this.matrix = a;
    this.factor = Nd4j.create(DataType.DOUBLE, new long[] {n, n}, 'f');
  }

  /** Factorises A + ρI unless that ρ is already factorised. */
  void shift(double rho) {
    if (!(rho > 0)) {
      throw new IllegalArgumentException("ρ must be positive, got " + rho);
    }
    if (rho == shift) {
      return;
    }
    factor.assign(matrix);
    DoublePointer p = (DoublePointer) factor.data().addressPointer();
    for (int i = 0; i < n; i++) {
      long at = (long) i * n + i;
      p.put(at, p.get(at) + rho);
    }
    Nd4j.getBlasWrapper().lapack().potrf(factor, true);
    shift = rho;
    factorizations++;
  }

  /** The ρ last factorised (NaN before the first). */
  double currentShift() {
    return shift;
  }

  /** How many factorisations this instance has computed. */
  int factorizations() {
    return factorizations;
  }

  /** B ← (A + ρI)⁻¹·B for B double n×k in Fortran order. */
  void solveInPlace(INDArray b) {
    if (Double.isNaN(shift)) {
      throw new IllegalStateException("no ρ factorised yet");
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
    factor.close();
  }
}
