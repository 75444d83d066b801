package org.convexdistill.solver;

import java.util.Random;
import org.convexdistill.core.student.StudentBlock;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The convex shared-output gated-ReLU model (the paper's Theorem 3B, vector output, nuclear-norm
 * penalty), which no library implements:
 *
 * <pre>
 *   min over V_j ∈ R^{d×C}:  ‖Σ_j D_j·Zn·V_j − Y‖²/(2nC) + λ·Σ_j ‖V_j‖_*
 * </pre>
 *
 * with the same Zn and D_j = diag(1(Zn·g_j > 0)) as the group-lasso problem. Solved in the
 * Burer–Monteiro factorisation V_j = A_j·B_jᵀ (A_j d × r, B_j C × r), where the penalty becomes
 * λ/2·(‖A_j‖² + ‖B_j‖²) and the objective is smooth: L-BFGS with a backtracking line search, three
 * GEMMs of n × P·r per evaluation and nothing of size d × C per gate (Sahiner et al., "Scaling
 * convex neural networks with Burer–Monteiro factorization": with enough rank every local minimum
 * is global). Whether it is, is checked, not assumed: the certificate is the convex problem's
 * duality gap, with the dual feasibility test max_j ‖(D_j Zn)ᵀ θ‖₂ ≤ λ·nC (spectral norms by power
 * iteration on all gates at once) and the exact nuclear norms of the factored V_j.
 *
 * <p>Each V_j's singular triplets become hidden units (gate j, w1 = u√σ, w2 = v√σ): a second layer
 * shared across outputs by construction, rank = units per gate.
 */
public final class NuclearNormFit {
  private final GatedReluProblem problem;
  private final int n;
  private final int d;
  private final int c;
  private final int p;
  private final int rank;
  private final double m;
  private final INDArray zn;
  private final INDArray y;
  private final INDArray mask;
  private final DataType type;

  /** The last power-iteration vectors (C × P): warm starts for the next certificate. */
  private INDArray powerStart;

  /** What a solve produced. */
  public record Result(
      float[] a,
      float[] b,
      int rank,
      double lambda,
      double objective,
      double dualValue,
      double loss,
      double nuclearNorm,
      int iterations,
      double seconds) {
    /** (objective − dual) / objective: the certificate. */
    public double relativeGap() {
      return objective > 0 ? (objective - dualValue) / objective : 0;
    }
  }

  /**
   * @param rank the factor rank r per gate: an upper bound on units per gate
   */
  public NuclearNormFit(GatedReluProblem problem, int rank) {
    this(problem, rank, DataType.FLOAT);
  }

  /**
   * @param type FLOAT for speed (the GEMMs; certificates then bottom out near 1e-3 relative), or
   *     DOUBLE to certify to near machine precision
   */
  public NuclearNormFit(GatedReluProblem problem, int rank, DataType type) {
    if (rank < 1) {
      throw new InvalidProblemException("rank must be >= 1, got " + rank);
    }
    this.problem = problem;
    this.n = problem.samples();
    this.d = problem.inputDim();
    this.c = problem.outputs();
    this.p = problem.gates();
    this.rank = rank;
    this.m = (double) n * c;
    this.type = type;
    this.zn =
        type == DataType.FLOAT
            ? problem.normalizedInputs()
            : problem.normalizedInputs().castTo(type).dup('f');
    this.y = Nd4j.create(problem.targetsColumnMajor(), new long[] {n, c}, 'f').castTo(type);
    // The gate mask expanded to the n × P·r layout of H = Zn·A: column j·r + k carries D_j.
    float[] pat = problem.patternsColumnMajor();
    float[] expanded = new float[n * p * rank];
    for (int j = 0; j < p; j++) {
      for (int k = 0; k < rank; k++) {
        System.arraycopy(pat, j * n, expanded, (j * rank + k) * n, n);
      }
    }
    this.mask = Nd4j.create(expanded, new long[] {n, (long) p * rank}, 'f').castTo(type);
  }

  /** λmax: the smallest λ at which V = 0 is optimal, max_j ‖(D_j Zn)ᵀ Y‖₂ / (nC). */
  public double lambdaMax() {
    return spectralMax(y) / m;
  }

  /**
   * Solves at λ from a warm start (factors of this rank), or from a small random start.
   *
   * @param warmA A (d × P·r, column-major), or null
   * @param warmB B (C × P·r, column-major), or null
   */
  public Result solve(
      double lambda,
      float[] warmA,
      float[] warmB,
      double gapTolerance,
      int maxIterations,
      long seed) {
    if (!(lambda > 0) || maxIterations < 1) {
      throw new InvalidProblemException("need λ > 0 and max iterations >= 1");
    }
    long t0 = System.nanoTime();
    int na = d * p * rank;
    int nb = c * p * rank;
    double[] x = new double[na + nb];
    if (warmA != null && warmB != null) {
      for (int i = 0; i < na; i++) {
        x[i] = warmA[i];
      }
      for (int i = 0; i < nb; i++) {
        x[na + i] = warmB[i];
      }
    } else {
      // Zero is a saddle of the factored objective: start from small random factors.
      Random r = new Random(seed);
      double s = 1e-3;
      for (int i = 0; i < x.length; i++) {
        x[i] = s * r.nextGaussian();
      }
    }
    Lbfgs opt = new Lbfgs(x.length, 10);
    double[] g = new double[x.length];
    double f = evaluate(x, g, lambda);
    int it = 0;
    Result cert = null;
    while (it < maxIterations) {
      it++;
      double[] dir = opt.direction(g);
      double slope = dot(dir, g);
      if (!(slope < 0)) {
        opt.reset();
        dir = negate(g);
        slope = dot(dir, g);
      }
      double step = it == 1 ? Math.min(1, 1 / Math.sqrt(dot(g, g))) : 1;
      double[] xNew = new double[x.length];
      double[] gNew = new double[x.length];
      double fNew;
      int backtracks = 0;
      while (true) {
        for (int i = 0; i < x.length; i++) {
          xNew[i] = x[i] + step * dir[i];
        }
        fNew = evaluate(xNew, gNew, lambda);
        if (fNew <= f + 1e-4 * step * slope || backtracks > 30) {
          break;
        }
        step *= 0.5;
        backtracks++;
      }
      opt.update(xNew, x, gNew, g);
      x = xNew;
      g = gNew;
      double drop = f - fNew;
      f = fNew;
      if (it % 25 == 0 || it == maxIterations || drop <= 1e-12 * Math.abs(f)) {
        cert = certificate(x, lambda, it, t0);
        if (cert.relativeGap() <= gapTolerance || drop <= 1e-14 * Math.abs(f)) {
          break;
        }
      }
    }
    if (cert == null || cert.iterations() != it) {
      cert = certificate(x, lambda, it, t0);
    }
    return cert;
  }

  /**
   * Solves at each λ = ratio·λmax in turn (descending), each warm-started from the last; returns
   * every point.
   */
  public java.util.List<Result> path(
      double[] ratios, double gapTolerance, int maxIterations, long seed) {
    double top = lambdaMax();
    java.util.List<Result> out = new java.util.ArrayList<>();
    Result last = null;
    for (double ratio : ratios) {
      Result r =
          solve(
              ratio * top,
              last == null ? null : last.a(),
              last == null ? null : last.b(),
              gapTolerance,
              maxIterations,
              seed);
      out.add(r);
      last = r;
    }
    return out;
  }

  /** f(x) = ‖Ŷ − Y‖²/(2m) + λ/2·‖x‖², its gradient in {@code grad}. */
  private double evaluate(double[] x, double[] grad, double lambda) {
    int pr = p * rank;
    try (INDArray a = factor(x, 0, d, pr);
        INDArray b = factor(x, d * pr, c, pr);
        INDArray hm = zn.mmul(a)) {
      hm.muli(mask);
      try (INDArray e = hm.mmul(b.transpose())) {
        e.subi(y);
        double sq = e.mul(e).sumNumber().doubleValue();
        // ∇B = Eᵀ·Hm/m + λB ; ∇A = Znᵀ·((E·B) ⊙ mask)/m + λA
        try (INDArray gb = e.transpose().mmul(hm);
            INDArray sm = e.mmul(b)) {
          sm.muli(mask);
          try (INDArray ga = zn.transpose().mmul(sm)) {
            copyOut(ga, grad, 0, 1 / m);
            copyOut(gb, grad, d * pr, 1 / m);
          }
        }
        double reg = 0;
        for (int i = 0; i < x.length; i++) {
          grad[i] += lambda * x[i];
          reg += x[i] * x[i];
        }
        return sq / (2 * m) + lambda / 2 * reg;
      }
    }
  }

  /** The convex problem's objective, dual bound and gap at the factored point. */
  private Result certificate(double[] x, double lambda, int iterations, long t0) {
    int pr = p * rank;
    double loss;
    double nu;
    double thetaY;
    double rr;
    try (INDArray a = factor(x, 0, d, pr);
        INDArray b = factor(x, d * pr, c, pr);
        INDArray hm = zn.mmul(a)) {
      hm.muli(mask);
      INDArray e = hm.mmul(b.transpose());
      // r = Y − Ŷ
      INDArray r = y.sub(e);
      e.close();
      rr = r.mul(r).sumNumber().doubleValue();
      loss = rr / (2 * m);
      thetaY = r.mul(y).sumNumber().doubleValue();
      nu = spectralMax(r) / m;
      r.close();
    }
    double nuclear = nuclearNorms(x);
    double objective = loss + lambda * nuclear;
    // θ = α·r/m scaled into the dual ball; D(α) = (‖Y‖² − ‖αr − Y‖²)/(2m), best α in [0, λ/ν].
    double alphaMax = nu > 0 ? Math.min(1, lambda / nu) : 1;
    // D(α) = (2α⟨r,Y⟩ − α²‖r‖²)/(2m): concave, maximised at ⟨r,Y⟩/‖r‖², clipped.
    double best = rr > 0 ? Math.max(0, Math.min(alphaMax, thetaY / rr)) : 0;
    double dual = (2 * best * thetaY - best * best * rr) / (2 * m);
    float[] fa = new float[d * pr];
    float[] fb = new float[c * pr];
    for (int i = 0; i < fa.length; i++) {
      fa[i] = (float) x[i];
    }
    for (int i = 0; i < fb.length; i++) {
      fb[i] = (float) x[d * pr + i];
    }
    return new Result(
        fa,
        fb,
        rank,
        lambda,
        objective,
        dual,
        loss,
        nuclear,
        iterations,
        (System.nanoTime() - t0) / 1e9);
  }

  /**
   * max_j ‖Znᵀ·D_j·R‖₂ for an n × C matrix R (column-major INDArray), by power iteration on all
   * gates at once until every estimate settles (1e-7 relative in float, 1e-10 in double), inflated
   * by ten times the last step (power iteration approaches σ₁ from below; a gate whose top two
   * singular values nearly tie converges slowly and is the one way this certificate could be
   * optimistic).
   */
  private double spectralMax(INDArray r) {
    if ((long) c * c * p <= 200_000 && c <= 128) {
      return exactSpectralMax(r);
    }
    // Warm-started power iteration can settle on a lower singular value when the top one moved
    // away from the previous vectors: a fresh random start as well, and the larger estimate.
    return Math.max(powerSpectralMax(r, true), powerSpectralMax(r, false));
  }

  /** Small C: M_j = Znᵀ D_j R formed, σ₁ from the eigenvalues of M_jᵀ M_j (C × C), exactly. */
  private double exactSpectralMax(INDArray r) {
    double best = 0;
    float[] pat = problem.patternsColumnMajor();
    for (int j = 0; j < p; j++) {
      float[] col = java.util.Arrays.copyOfRange(pat, j * n, (j + 1) * n);
      try (INDArray dj = Nd4j.create(col, new long[] {n, 1}, 'f').castTo(type);
          INDArray masked = r.mulColumnVector(dj);
          INDArray mj = zn.transpose().mmul(masked);
          INDArray gram = mj.transpose().mmul(mj)) {
        double[] g = gram.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        double[] vec = new double[c * c];
        double[] val = new double[c];
        SmallEigen.symmetricEigen(g, c, vec, val);
        for (double v : val) {
          best = Math.max(best, Math.sqrt(Math.max(0, v)));
        }
      }
    }
    return best;
  }

  private double powerSpectralMax(INDArray r, boolean warm) {
    INDArray pat = Nd4j.create(problem.patternsColumnMajor(), new long[] {n, p}, 'f').castTo(type);
    INDArray v;
    if (warm && powerStart != null) {
      v = powerStart.dup('f');
    } else {
      float[] start = new float[c * p];
      Random random = new Random(17 + (powerStart == null ? 0 : 1));
      for (int i = 0; i < start.length; i++) {
        start[i] = (float) random.nextGaussian();
      }
      v = Nd4j.create(start, new long[] {c, p}, 'f').castTo(type);
    }
    double[] sigma = new double[p];
    double settle = type == DataType.DOUBLE ? 1e-10 : 1e-7;
    double lastChange = 1;
    for (int it = 0; it < 1000; it++) {
      // u_j = Znᵀ D_j R v_j (d × P), then v_j = Rᵀ D_j Zn u_j (C × P)
      INDArray rv = r.mmul(v).muli(pat);
      INDArray u = zn.transpose().mmul(rv);
      rv.close();
      INDArray zu = zn.mmul(u).muli(pat);
      INDArray vNext = r.transpose().mmul(zu);
      zu.close();
      double[] norms = columnNorms(vNext);
      double[] uNorms = columnNorms(u);
      double[] vNorms = columnNorms(v);
      boolean settled = true;
      lastChange = 0;
      for (int j = 0; j < p; j++) {
        // ‖Mᵀ M v‖/‖M v‖ ≈ σ; with ‖v‖ normalised, ‖u‖ = ‖M v‖ is a lower bound on σ.
        double s = vNorms[j] > 0 ? uNorms[j] / vNorms[j] : 0;
        double change = Math.abs(s - sigma[j]) / Math.max(s, 1e-300);
        lastChange = Math.max(lastChange, change);
        if (change > settle) {
          settled = false;
        }
        sigma[j] = s;
        if (norms[j] > 0) {
          norms[j] = 1 / norms[j];
        }
      }
      u.close();
      v.close();
      try (INDArray scale = Nd4j.create(norms, new long[] {1, p}, type)) {
        v = vNext.muliRowVector(scale);
      }
      if (settled && it >= 30) {
        break;
      }
    }
    if (warm || powerStart == null) {
      if (powerStart != null) {
        powerStart.close();
      }
      powerStart = v;
    } else {
      v.close();
    }
    pat.close();
    double best = 0;
    for (double s : sigma) {
      best = Math.max(best, s);
    }
    // The estimates rise towards σ₁; ten times the last step is a margin for what is left.
    return best * (1 + Math.max(1e-12, 10 * lastChange));
  }

  /** Σ_j ‖A_j B_jᵀ‖_* exactly: the singular values of a product of thin factors. */
  private double nuclearNorms(double[] x) {
    double total = 0;
    for (int j = 0; j < p; j++) {
      for (double s : singularValues(x, j)) {
        total += s;
      }
    }
    return total;
  }

  /** Singular values of A_j B_jᵀ from the r × r Gram matrices. */
  private double[] singularValues(double[] x, int j) {
    double[][] t = triplets(x, j, false);
    return t[0];
  }

  /**
   * The singular triplets of V_j = A_j B_jᵀ: [σ (r)], and with {@code vectors}, also [u (r × d)
   * row-major, v (r × C) row-major] for the non-zero σ.
   */
  private double[][] triplets(double[] x, int j, boolean vectors) {
    int pr = p * rank;
    int r = rank;
    // Column k of A_j is column j·r + k of A (d × P·r, column-major).
    double[] ga = new double[r * r];
    double[] gb = new double[r * r];
    for (int k = 0; k < r; k++) {
      for (int l = 0; l < r; l++) {
        double sa = 0;
        int ak = (j * r + k) * d;
        int al = (j * r + l) * d;
        for (int i = 0; i < d; i++) {
          sa += x[ak + i] * x[al + i];
        }
        ga[k * r + l] = sa;
        double sb = 0;
        int bk = d * pr + (j * r + k) * c;
        int bl = d * pr + (j * r + l) * c;
        for (int i = 0; i < c; i++) {
          sb += x[bk + i] * x[bl + i];
        }
        gb[k * r + l] = sb;
      }
    }
    // AᵀA = Q Λ Qᵀ; with S = Λ^½ Qᵀ (BᵀB) Q Λ^½, the σ² of A Bᵀ are S's eigenvalues.
    double[] qa = new double[r * r];
    double[] la = new double[r];
    SmallEigen.symmetricEigen(ga.clone(), r, qa, la);
    double[] half = new double[r];
    for (int k = 0; k < r; k++) {
      half[k] = Math.sqrt(Math.max(0, la[k]));
    }
    double[] s = new double[r * r];
    for (int k = 0; k < r; k++) {
      for (int l = 0; l < r; l++) {
        double v = 0;
        for (int a = 0; a < r; a++) {
          for (int b = 0; b < r; b++) {
            v += qa[a * r + k] * gb[a * r + b] * qa[b * r + l];
          }
        }
        s[k * r + l] = half[k] * v * half[l];
      }
    }
    double[] w = new double[r * r];
    double[] ev = new double[r];
    SmallEigen.symmetricEigen(s, r, w, ev);
    double[] sigma = new double[r];
    for (int k = 0; k < r; k++) {
      sigma[k] = Math.sqrt(Math.max(0, ev[k]));
    }
    if (!vectors) {
      return new double[][] {sigma};
    }
    // Left singular vector k: A·Q·Λ^-½·w_k (unit norm in R^d); right: Bᵀ-side v = (A Bᵀ)ᵀ u / σ.
    double[] us = new double[r * d];
    double[] vs = new double[r * c];
    for (int k = 0; k < r; k++) {
      if (sigma[k] <= 1e-7 * maxOf(sigma)) {
        continue;
      }
      double[] coef = new double[r];
      for (int a = 0; a < r; a++) {
        double v = 0;
        for (int l = 0; l < r; l++) {
          v += qa[a * r + l] * (half[l] > 0 ? w[l * r + k] / half[l] : 0);
        }
        coef[a] = v;
      }
      for (int i = 0; i < d; i++) {
        double v = 0;
        for (int a = 0; a < r; a++) {
          v += x[(j * r + a) * d + i] * coef[a];
        }
        us[k * d + i] = v;
      }
      // v = B (Aᵀ u) / σ
      double[] atu = new double[r];
      for (int a = 0; a < r; a++) {
        double v = 0;
        for (int i = 0; i < d; i++) {
          v += x[(j * r + a) * d + i] * us[k * d + i];
        }
        atu[a] = v;
      }
      for (int i = 0; i < c; i++) {
        double v = 0;
        for (int a = 0; a < r; a++) {
          v += x[d * pr + (j * r + a) * c + i] * atu[a];
        }
        vs[k * c + i] = v / sigma[k];
      }
    }
    return new double[][] {sigma, us, vs};
  }

  private static double maxOf(double[] v) {
    double m = 0;
    for (double x : v) {
      m = Math.max(m, x);
    }
    return m;
  }

  /**
   * The student of a solution: every singular triplet (σ above {@code relativeCutoff}·σmax of all
   * gates) is a unit with gate j, w1 = u√σ, w2 = v√σ.
   */
  public StudentBlock student(Result r, double relativeCutoff) {
    int pr = p * rank;
    double[] x = new double[(d + c) * pr];
    for (int i = 0; i < d * pr; i++) {
      x[i] = r.a()[i];
    }
    for (int i = 0; i < c * pr; i++) {
      x[d * pr + i] = r.b()[i];
    }
    double[][][] all = new double[p][][];
    double top = 0;
    for (int j = 0; j < p; j++) {
      all[j] = triplets(x, j, true);
      top = Math.max(top, maxOf(all[j][0]));
    }
    int units = 0;
    for (int j = 0; j < p; j++) {
      for (double s : all[j][0]) {
        units += s > relativeCutoff * top && s > 0 ? 1 : 0;
      }
    }
    int[] unitGate = new int[units];
    float[] w1 = new float[units * d];
    float[] w2 = new float[units * c];
    int u = 0;
    boolean[] used = new boolean[p];
    for (int j = 0; j < p; j++) {
      double[] sigma = all[j][0];
      for (int k = 0; k < rank; k++) {
        if (!(sigma[k] > relativeCutoff * top && sigma[k] > 0)) {
          continue;
        }
        double root = Math.sqrt(sigma[k]);
        for (int i = 0; i < d; i++) {
          w1[u * d + i] = (float) (all[j][1][k * d + i] * root);
        }
        for (int i = 0; i < c; i++) {
          w2[u * c + i] = (float) (all[j][2][k * c + i] * root);
        }
        unitGate[u] = j;
        used[j] = true;
        u++;
      }
    }
    int[] row = new int[p];
    int g = 0;
    for (int j = 0; j < p; j++) {
      row[j] = used[j] ? g++ : -1;
    }
    float[] gates = StudentFactory.usedGateRows(problem, row, g);
    for (int k = 0; k < units; k++) {
      unitGate[k] = row[unitGate[k]];
    }
    return StudentBlock.sharedOutput(d, c, problem.columnScales(), gates, unitGate, w1, w2);
  }

  private INDArray factor(double[] x, int offset, int rows, int cols) {
    if (type == DataType.DOUBLE) {
      double[] v = java.util.Arrays.copyOfRange(x, offset, offset + rows * cols);
      return Nd4j.create(v, new long[] {rows, cols}, 'f');
    }
    float[] f = new float[rows * cols];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) x[offset + i];
    }
    return Nd4j.create(f, new long[] {rows, cols}, 'f');
  }

  private static void copyOut(INDArray a, double[] out, int offset, double scale) {
    INDArray f = a.ordering() == 'f' ? a : a.dup('f');
    double[] values = f.data().asDouble();
    int len = (int) f.length();
    for (int i = 0; i < len; i++) {
      out[offset + i] = values[i] * scale;
    }
    if (f != a) {
      f.close();
    }
  }

  private static double[] columnNorms(INDArray a) {
    try (INDArray sq = a.mul(a);
        INDArray sums = sq.sum(0)) {
      double[] out = sums.toDoubleVector();
      for (int i = 0; i < out.length; i++) {
        out[i] = Math.sqrt(out[i]);
      }
      return out;
    }
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double[] negate(double[] g) {
    double[] out = new double[g.length];
    for (int i = 0; i < g.length; i++) {
      out[i] = -g[i];
    }
    return out;
  }

  /** Limited-memory BFGS two-loop recursion over flat vectors. */
  private static final class Lbfgs {
    private final int size;
    private final int memory;
    private final double[][] s;
    private final double[][] yv;
    private final double[] rho;
    private int count;
    private int head;

    Lbfgs(int size, int memory) {
      this.size = size;
      this.memory = memory;
      this.s = new double[memory][];
      this.yv = new double[memory][];
      this.rho = new double[memory];
    }

    void reset() {
      count = 0;
      head = 0;
    }

    double[] direction(double[] g) {
      double[] q = g.clone();
      double[] alpha = new double[memory];
      for (int i = 0; i < count; i++) {
        int k = Math.floorMod(head - 1 - i, memory);
        alpha[k] = rho[k] * dot(s[k], q);
        for (int t = 0; t < size; t++) {
          q[t] -= alpha[k] * yv[k][t];
        }
      }
      if (count > 0) {
        int k = Math.floorMod(head - 1, memory);
        double gamma = dot(s[k], yv[k]) / dot(yv[k], yv[k]);
        for (int t = 0; t < size; t++) {
          q[t] *= gamma;
        }
      }
      for (int i = count - 1; i >= 0; i--) {
        int k = Math.floorMod(head - 1 - i, memory);
        double beta = rho[k] * dot(yv[k], q);
        for (int t = 0; t < size; t++) {
          q[t] += s[k][t] * (alpha[k] - beta);
        }
      }
      for (int t = 0; t < size; t++) {
        q[t] = -q[t];
      }
      return q;
    }

    void update(double[] xNew, double[] x, double[] gNew, double[] g) {
      double[] sk = new double[size];
      double[] yk = new double[size];
      for (int t = 0; t < size; t++) {
        sk[t] = xNew[t] - x[t];
        yk[t] = gNew[t] - g[t];
      }
      double sy = dot(sk, yk);
      if (!(sy > 1e-16)) {
        return;
      }
      s[head] = sk;
      yv[head] = yk;
      rho[head] = 1 / sy;
      head = (head + 1) % memory;
      count = Math.min(count + 1, memory);
    }
  }
}
