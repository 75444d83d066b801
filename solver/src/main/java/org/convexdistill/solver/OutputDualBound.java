package org.convexdistill.solver;

/**
 * The best dual bound of an iterative group-lasso solve, output by output. The dual of the
 * one-vs-all group lasso separates over outputs: θ = (θ_1 … θ_C) is feasible when every output's
 * block is (‖Φ_gᵀθ_k‖ ≤ λ·m over output k's groups g), and D(θ) = Σ_k (2⟨θ_k, y_k⟩ − ‖θ_k‖²)/(2m).
 * So each output keeps the best of its own dual points, whichever iterations they came from, and
 * the bound is the sum of those.
 *
 * <p>The points offered are scaled residuals θ_k = α_k·r_k of the iterates, and — once {@link
 * #MEMORY} + 1 are stored — their extrapolation (Massias, Vaiter, Gramfort and Salmon, "Dual
 * extrapolation for sparse GLMs", JMLR 2020, as in Celer): r_acc = Σ c_i r⁽ⁱ⁾ with c ∝ (UᵀU)⁻¹1
 * over the differences U of the last residuals. A linearly converging sequence (ADMM's tail) is
 * close to a vector autoregression, and then r_acc is close to its limit: the dual bound catches up
 * with the primal objective in fewer iterations. Its gradient is the same combination of the stored
 * gradients (Φᵀ is linear), so it costs no product. Any θ is a valid bound once scaled to
 * feasibility, so a poor extrapolation costs nothing but its arithmetic.
 */
final class OutputDualBound {
  /** Residuals combined per extrapolation (Celer's default). */
  static final int MEMORY = 5;

  private final int n;
  private final int outputs;
  private final int gates;
  private final int d;
  private final double m;
  private final float[] y;
  private final boolean[] allowed;
  private final double[] best;
  private final double[][] residuals = new double[MEMORY + 1][];
  private final float[][] gradients = new float[MEMORY + 1][];
  private int stored;
  private double[] rAcc;
  private float[] gAcc;

  /**
   * @param y targets, column-major (k·n + r)
   * @param allowed groups that may be non-zero (their gradients bound θ), or null for all
   */
  OutputDualBound(int n, int outputs, int gates, int d, double m, float[] y, boolean[] allowed) {
    this.n = n;
    this.outputs = outputs;
    this.gates = gates;
    this.d = d;
    this.m = m;
    this.y = y;
    this.allowed = allowed;
    this.best = new double[outputs];
    java.util.Arrays.fill(best, Double.NEGATIVE_INFINITY);
  }

  /** Forgets the stored residuals (the sequence changed: a new ρ); the best bounds stay. */
  void restartSequence() {
    stored = 0;
  }

  /**
   * Offers one iterate's residual r = Y − Ŷ (column-major n×C) and g = Φᵀr/m; returns the bound.
   * Neither array is kept.
   */
  double offer(double[] r, float[] g, double lambda) {
    for (int k = 0; k < outputs; k++) {
      best[k] = Math.max(best[k], term(k, r, g, lambda));
    }
    int slot = stored % (MEMORY + 1);
    if (residuals[slot] == null) {
      residuals[slot] = new double[r.length];
      gradients[slot] = new float[g.length];
    }
    System.arraycopy(r, 0, residuals[slot], 0, r.length);
    System.arraycopy(g, 0, gradients[slot], 0, g.length);
    stored++;
    if (stored > MEMORY) {
      extrapolate(lambda);
    }
    double sum = 0;
    for (double b : best) {
      sum += b;
    }
    return sum;
  }

  /** The dual value of one point alone (stores nothing): Σ_k of output k's best α·r_k. */
  double value(double[] r, float[] g, double lambda) {
    double sum = 0;
    for (int k = 0; k < outputs; k++) {
      sum += term(k, r, g, lambda);
    }
    return sum;
  }

  /** Output k's best dual value over θ_k = α·r_k, with g_k = Φᵀr_k/m (its gradient blocks). */
  private double term(int k, double[] r, float[] g, double lambda) {
    double r2 = 0;
    double ry = 0;
    for (int i = k * n; i < (k + 1) * n; i++) {
      r2 += r[i] * r[i];
      ry += r[i] * y[i];
    }
    double nu = 0;
    for (int j = 0; j < gates; j++) {
      int grp = k * gates + j;
      if (allowed != null && !allowed[grp]) {
        continue;
      }
      double s = 0;
      for (int i = grp * d; i < (grp + 1) * d; i++) {
        s += (double) g[i] * g[i];
      }
      nu = Math.max(nu, Math.sqrt(s));
    }
    return parabolaMax(r2, ry, nu > 0 ? lambda / nu : Double.MAX_VALUE, m);
  }

  /** max over |α| ≤ bound of (2α⟨r, y⟩ − α²‖r‖²)/(2m): the concave parabola's clipped maximiser. */
  static double parabolaMax(double r2, double ry, double bound, double m) {
    double alpha = r2 > 0 ? ry / r2 : 0.0;
    alpha = Math.max(-bound, Math.min(bound, alpha));
    return (2 * alpha * ry - alpha * alpha * r2) / (2 * m);
  }

  /** Per output: the extrapolated residual of the last MEMORY + 1 and its bound. */
  private void extrapolate(double lambda) {
    // Oldest first: slots (stored − MEMORY − 1) … (stored − 1).
    int[] order = new int[MEMORY + 1];
    for (int i = 0; i <= MEMORY; i++) {
      order[i] = (stored - MEMORY - 1 + i) % (MEMORY + 1);
    }
    if (rAcc == null) {
      rAcc = new double[n * outputs];
      gAcc = new float[gradients[0].length];
    }
    for (int k = 0; k < outputs; k++) {
      double[] c = weights(k, order);
      if (c == null) {
        continue;
      }
      for (int i = k * n; i < (k + 1) * n; i++) {
        double s = 0;
        for (int a = 0; a < MEMORY; a++) {
          s += c[a] * residuals[order[a + 1]][i];
        }
        rAcc[i] = s;
      }
      for (int i = k * gates * d; i < (k + 1) * gates * d; i++) {
        double s = 0;
        for (int a = 0; a < MEMORY; a++) {
          s += c[a] * gradients[order[a + 1]][i];
        }
        gAcc[i] = (float) s;
      }
      best[k] = Math.max(best[k], term(k, rAcc, gAcc, lambda));
    }
  }

  /**
   * c = (UᵀU)⁻¹1 / 1ᵀ(UᵀU)⁻¹1 for output k's residual differences (UᵀU by its eigen-decomposition,
   * lifted by 1e-12 of its trace); null when U = 0 or the weights are not finite.
   */
  private double[] weights(int k, int[] order) {
    int q = MEMORY;
    double[][] u = new double[q][n];
    for (int a = 0; a < q; a++) {
      double[] newer = residuals[order[a + 1]];
      double[] older = residuals[order[a]];
      for (int r = 0; r < n; r++) {
        u[a][r] = newer[k * n + r] - older[k * n + r];
      }
    }
    double[] gram = new double[q * q];
    double trace = 0;
    for (int a = 0; a < q; a++) {
      for (int b = 0; b <= a; b++) {
        double s = 0;
        for (int r = 0; r < n; r++) {
          s += u[a][r] * u[b][r];
        }
        gram[a * q + b] = s;
        gram[b * q + a] = s;
      }
      trace += gram[a * q + a];
    }
    if (!(trace > 0)) {
      return null;
    }
    double[] vectors = new double[q * q];
    double[] values = new double[q];
    SmallEigen.symmetricEigen(gram, q, vectors, values);
    // z = Σ_e v_e·(v_eᵀ1)/(σ_e + 1e-12·tr).
    double[] z = new double[q];
    for (int e = 0; e < q; e++) {
      double along = 0;
      for (int a = 0; a < q; a++) {
        along += vectors[a * q + e];
      }
      double f = along / (Math.max(values[e], 0) + 1e-12 * trace);
      for (int a = 0; a < q; a++) {
        z[a] += f * vectors[a * q + e];
      }
    }
    double sum = 0;
    for (double v : z) {
      sum += v;
    }
    if (!(Math.abs(sum) > 0) || !Double.isFinite(sum)) {
      return null;
    }
    for (int a = 0; a < q; a++) {
      z[a] /= sum;
    }
    return z;
  }
}
