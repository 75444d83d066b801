package org.convexdistill.core.student;

import java.util.Arrays;

/**
 * A weighted orthogonal basis of a block's output space, in which a student is fitted so that its
 * squared error counts more in some directions than in others.
 *
 * <p>The basis is {@code P = H_1·H_2·…·H_r} for r Householder reflections {@code H_i = I −
 * 2·v_i·v_iᵀ} (unit vectors v_i of length C): its first r columns are the weighted directions, the
 * other C − r complete them. A row y (length C) has coordinates {@code y' = (y·P)·diag(s)} where
 * {@code s_i} is the weight of direction i (i &lt; r) and 1 beyond; back: {@code y =
 * (y'·diag(1/s))· Pᵀ}. Then {@code ‖ŷ' − y'‖² = ‖(ŷ − y)·M^{1/2}‖²} with {@code M = P·diag(s²)·Pᵀ}:
 * a least-squares fit in these coordinates is a fit in the metric M, and the map costs r·(C + 1)
 * stored numbers, not C².
 *
 * <p>Why: after block 4 of a ResNet the teacher's suffix is linear (pooling and the classifier), so
 * an error along the classifier's directions moves the logits and one orthogonal to them does not.
 * Weighting those directions puts the teacher's own logits in the loss (no labels) and keeps the
 * problem convex; a one-vs-all student fitted in these coordinates gives its units to the
 * directions that matter.
 *
 * <p>Immutable; the transforms work in place on caller-owned rows.
 */
public final class OutputBasis {
  private final int dim;
  private final int rank;
  private final float[] reflectors;
  private final float[] scales;

  /**
   * @param dim C, the output dimension
   * @param reflectors row-major r × C, each row a unit vector (Householder reflector)
   * @param scales length r, positive: the weight s_i of basis direction i
   */
  public OutputBasis(int dim, float[] reflectors, float[] scales) {
    if (dim <= 0) {
      throw new IllegalArgumentException("output basis dimension must be positive, got " + dim);
    }
    int r = scales.length;
    if (r > dim || reflectors.length != (long) r * dim) {
      throw new IllegalArgumentException(
          "output basis: "
              + r
              + " scales and "
              + reflectors.length
              + " reflector values for C="
              + dim);
    }
    for (int i = 0; i < r; i++) {
      float s = scales[i];
      if (!(s > 0) || Float.isInfinite(s)) {
        throw new IllegalArgumentException("output basis scale " + i + " is " + s);
      }
      double norm = 0;
      for (int c = 0; c < dim; c++) {
        norm += (double) reflectors[i * dim + c] * reflectors[i * dim + c];
      }
      if (Math.abs(norm - 1) > 1e-3) {
        throw new IllegalArgumentException(
            "output basis reflector " + i + " has squared norm " + norm + ", expected 1");
      }
    }
    this.dim = dim;
    this.rank = r;
    this.reflectors = reflectors.clone();
    this.scales = scales.clone();
  }

  /** Rows (n × C, row-major) from output coordinates to this basis's weighted coordinates. */
  public void toBasis(float[] rows, int n) {
    for (int b = 0; b < n; b++) {
      int off = b * dim;
      for (int i = 0; i < rank; i++) {
        reflect(rows, off, i);
      }
      for (int i = 0; i < rank; i++) {
        rows[off + i] *= scales[i];
      }
    }
  }

  /** Rows (n × C, row-major) from this basis's weighted coordinates back to output coordinates. */
  public void fromBasis(float[] rows, int n) {
    for (int b = 0; b < n; b++) {
      int off = b * dim;
      for (int i = 0; i < rank; i++) {
        rows[off + i] /= scales[i];
      }
      for (int i = rank - 1; i >= 0; i--) {
        reflect(rows, off, i);
      }
    }
  }

  /** row ← row·H_i = row − 2·(row·v_i)·v_i (H_i is symmetric). */
  private void reflect(float[] rows, int off, int i) {
    int v = i * dim;
    double dot = 0;
    for (int c = 0; c < dim; c++) {
      dot += rows[off + c] * reflectors[v + c];
    }
    float f = (float) (2 * dot);
    for (int c = 0; c < dim; c++) {
      rows[off + c] -= f * reflectors[v + c];
    }
  }

  /** C. */
  public int dim() {
    return dim;
  }

  /** r, the number of weighted directions. */
  public int rank() {
    return rank;
  }

  /** A copy of the reflectors, row-major r × C. */
  public float[] reflectors() {
    return reflectors.clone();
  }

  /** A copy of the weights s of the r directions. */
  public float[] scales() {
    return scales.clone();
  }

  /**
   * The largest direction weight (1 for an empty basis). λmax grows with it, so a λ path meant to
   * reach the unweighted directions has to go this much further down.
   */
  public double maxScale() {
    double m = 1;
    for (float s : scales) {
      m = Math.max(m, s);
    }
    return m;
  }

  /** Stored numbers: r·(C + 1). */
  public long parameterCount() {
    return (long) rank * (dim + 1);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OutputBasis b
        && b.dim == dim
        && Arrays.equals(b.reflectors, reflectors)
        && Arrays.equals(b.scales, scales);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(reflectors) + Arrays.hashCode(scales);
  }
}
