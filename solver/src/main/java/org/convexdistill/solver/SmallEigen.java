package org.convexdistill.solver;

/**
 * Dense kernels on small (r × r, r ≤ a few hundred) symmetric matrices in double precision:
 * Cholesky and the cyclic Jacobi eigen-decomposition. Row-major arrays, caller-owned outputs.
 */
final class SmallEigen {
  private SmallEigen() {}

  /**
   * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations.
   *
   * @param a row-major r × r, symmetric; destroyed (its diagonal holds the eigenvalues on return)
   * @param vectors row-major r × r; on return column k is the eigenvector of eigenvalue k
   * @param values length r; eigenvalues (unsorted)
   */
  static void symmetricEigen(double[] a, int r, double[] vectors, double[] values) {
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < r; j++) {
        vectors[i * r + j] = i == j ? 1 : 0;
      }
    }
    for (int sweep = 0; sweep < 100; sweep++) {
      double off = 0;
      double total = 0;
      for (int i = 0; i < r; i++) {
        for (int j = 0; j < r; j++) {
          double v = a[i * r + j] * a[i * r + j];
          total += v;
          if (i != j) {
            off += v;
          }
        }
      }
      if (off <= 1e-30 * Math.max(total, 1e-300)) {
        break;
      }
      for (int p = 0; p < r - 1; p++) {
        for (int q = p + 1; q < r; q++) {
          double apq = a[p * r + q];
          if (apq == 0) {
            continue;
          }
          double app = a[p * r + p];
          double aqq = a[q * r + q];
          double theta = (aqq - app) / (2 * apq);
          double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          if (theta == 0) {
            t = 1;
          }
          double c = 1 / Math.sqrt(t * t + 1);
          double s = t * c;
          for (int k = 0; k < r; k++) {
            double akp = a[k * r + p];
            double akq = a[k * r + q];
            a[k * r + p] = c * akp - s * akq;
            a[k * r + q] = s * akp + c * akq;
          }
          for (int k = 0; k < r; k++) {
            double apk = a[p * r + k];
            double aqk = a[q * r + k];
            a[p * r + k] = c * apk - s * aqk;
            a[q * r + k] = s * apk + c * aqk;
          }
          for (int k = 0; k < r; k++) {
            double vkp = vectors[k * r + p];
            double vkq = vectors[k * r + q];
            vectors[k * r + p] = c * vkp - s * vkq;
            vectors[k * r + q] = s * vkp + c * vkq;
          }
        }
      }
    }
    for (int i = 0; i < r; i++) {
      values[i] = a[i * r + i];
    }
  }
}
