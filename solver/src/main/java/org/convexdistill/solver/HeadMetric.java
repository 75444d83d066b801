package org.convexdistill.solver;

import org.convexdistill.core.student.OutputBasis;

/**
 * The output metric that puts a linear teacher suffix into the loss: for block outputs y, logits
 * {@code y·H + b} (H: C × K), the student's squared error is measured in {@code M = I + μ·H·Hᵀ /
 * ‖H‖₂²}, so {@code ‖(ŷ − y)·M^{1/2}‖² = ‖ŷ − y‖² + μ·‖(ŷ − y)·H‖² / ‖H‖₂²}: block-output error
 * plus μ times the error of the teacher's own logits, scaled so that μ = 1 weighs the classifier's
 * strongest direction twice. The logits are the teacher's outputs, not labels; the problem stays
 * convex. Fitting in the returned {@link OutputBasis}'s coordinates is fitting in M.
 */
public final class HeadMetric {
  /** Directions whose singular value is below this fraction of the largest are dropped. */
  private static final double RANK_TOLERANCE = 1e-6;

  private HeadMetric() {}

  /**
   * The weighted basis of M.
   *
   * @param head H, row-major C × K (the suffix's linear map)
   * @param weight μ ≥ 0; 0 gives the identity metric (null)
   * @return the basis, or null for μ = 0 or H = 0
   */
  public static OutputBasis basis(float[] head, int c, int k, double weight) {
    if (!(weight >= 0) || Double.isInfinite(weight)) {
      throw new InvalidProblemException("head weight must be ≥ 0 and finite, got " + weight);
    }
    return build(head, c, k, weight, false);
  }

  /**
   * The basis for fitting the teacher's logits alone, the limit μ → ∞ after dividing the loss by μ:
   * its first r coordinates, weighted σ_m/σ_1, carry everything the linear suffix reads, so {@code
   * ‖ŷ' − y'‖²} over them is {@code ‖(ŷ − y)·H‖² / ‖H‖₂²} and the other C − r coordinates can be
   * left at zero. A student fitted to those r coordinates gives the teacher's logits through the
   * suffix; its block output is the projection of y onto the classifier's directions.
   *
   * @return the basis, or null for H = 0
   */
  public static OutputBasis logitBasis(float[] head, int c, int k) {
    return build(head, c, k, 0, true);
  }

  private static OutputBasis build(float[] head, int c, int k, double weight, boolean logitsOnly) {
    if (head.length != (long) c * k) {
      throw new InvalidProblemException(
          "head has " + head.length + " values, expected C·K = " + (long) c * k);
    }
    if (weight == 0 && !logitsOnly) {
      return null;
    }
    // Singular directions of H from the K × K eigenproblem of HᵀH (K = classes, small).
    double[] gram = new double[k * k];
    for (int a = 0; a < k; a++) {
      for (int b = a; b < k; b++) {
        double s = 0;
        for (int i = 0; i < c; i++) {
          s += (double) head[i * k + a] * head[i * k + b];
        }
        gram[a * k + b] = s;
        gram[b * k + a] = s;
      }
    }
    double[] vectors = new double[k * k];
    double[] values = new double[k];
    SmallEigen.symmetricEigen(gram, k, vectors, values);
    Integer[] order = new Integer[k];
    for (int i = 0; i < k; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (x, y) -> Double.compare(values[y], values[x]));
    double top = values[order[0]];
    if (!(top > 0)) {
      return null;
    }
    int r = 0;
    while (r < k && values[order[r]] > RANK_TOLERANCE * RANK_TOLERANCE * top) {
      r++;
    }
    // Q = H·W·diag(1/σ): orthonormal C × r, the classifier's directions, strongest first.
    double[] q = new double[c * r];
    float[] scales = new float[r];
    for (int m = 0; m < r; m++) {
      int e = order[m];
      double sigma = Math.sqrt(values[e]);
      for (int i = 0; i < c; i++) {
        double s = 0;
        for (int a = 0; a < k; a++) {
          s += head[i * k + a] * vectors[a * k + e];
        }
        q[i * r + m] = s / sigma;
      }
      scales[m] =
          (float)
              (logitsOnly ? Math.sqrt(values[e] / top) : Math.sqrt(1 + weight * values[e] / top));
    }
    return new OutputBasis(c, householder(q, c, r), scales);
  }

  /**
   * Householder reflectors v_1..v_r with (H_1·…·H_r)·e_m = ±Q[:, m]: the QR factorisation of the
   * orthonormal Q, whose R is diagonal with entries ±1.
   */
  static float[] householder(double[] q, int c, int r) {
    double[] a = q.clone();
    float[] out = new float[r * c];
    double[] v = new double[c];
    for (int m = 0; m < r; m++) {
      double norm = 0;
      for (int i = m; i < c; i++) {
        norm += a[i * r + m] * a[i * r + m];
      }
      norm = Math.sqrt(norm);
      double alpha = a[m * r + m] >= 0 ? -norm : norm;
      java.util.Arrays.fill(v, 0);
      for (int i = m; i < c; i++) {
        v[i] = a[i * r + m];
      }
      v[m] -= alpha;
      double vn = 0;
      for (int i = m; i < c; i++) {
        vn += v[i] * v[i];
      }
      vn = Math.sqrt(vn);
      for (int i = m; i < c; i++) {
        v[i] /= vn;
        out[m * c + i] = (float) v[i];
      }
      for (int col = m; col < r; col++) {
        double dot = 0;
        for (int i = m; i < c; i++) {
          dot += v[i] * a[i * r + col];
        }
        for (int i = m; i < c; i++) {
          a[i * r + col] -= 2 * dot * v[i];
        }
      }
    }
    return out;
  }
}
