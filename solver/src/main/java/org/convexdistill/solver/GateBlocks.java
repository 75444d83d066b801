package org.convexdistill.solver;

/**
 * Gate blocks of weights laid out as (C, P, d): gate j's block is the C × d matrix M_j with rows
 * U[k,j,:] (V_j = M_jᵀ in the nuclear-norm problem).
 */
final class GateBlocks {
  private GateBlocks() {}

  /** M_j·M_jᵀ (C × C, row-major, in double) of gate j's block in {@code a}. */
  static double[] gram(float[] a, int outputs, int gates, int d, int j) {
    int c = outputs;
    double[] gram = new double[c * c];
    for (int k = 0; k < c; k++) {
      int ok = (k * gates + j) * d;
      for (int l = k; l < c; l++) {
        int ol = (l * gates + j) * d;
        double s = 0;
        for (int i = 0; i < d; i++) {
          s += (double) a[ok + i] * a[ol + i];
        }
        gram[k * c + l] = s;
        gram[l * c + k] = s;
      }
    }
    return gram;
  }
}
