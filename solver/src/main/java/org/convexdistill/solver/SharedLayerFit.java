package org.convexdistill.solver;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The paper's polishing (appendix A.2): with the first layer frozen, refit a second layer W2 (h ×
 * C) shared across outputs on the hidden features Φ (n × h) by a multi-response group elastic net,
 * one group per row of W2 (a unit's outgoing weights):
 *
 * <pre>
 *   min_W  ‖ΦW − Y‖²/(2nC) + λ·(α·Σ_i ‖W_i‖₂ + (1−α)/2·‖W‖²_F)
 * </pre>
 *
 * A zero row drops its unit. Solved by FISTA with adaptive restart in the h-dimensional space of
 * the Gram matrix G = ΦᵀΦ and B = ΦᵀY (computed once, so an iteration costs one h×h×C GEMM and
 * nothing that grows with n), with a duality-gap certificate as the stopping rule: with Θ = (ΦW −
 * Y)/(nC), {@code D(Θ) = −⟨Θ,Y⟩ − nC/2·‖Θ‖² − Σ_i (‖(ΦᵀΘ)_i‖ − λα)₊² / (2λ(1−α))} is a lower bound
 * on the optimum for α &lt; 1 (for α = 1, Θ is scaled into the dual ball). Warm starts and a λ path
 * from λmax downwards, each point warm-started from the last.
 */
public final class SharedLayerFit implements AutoCloseable {
  private final int n;
  private final int h;
  private final int c;
  private final INDArray gram;
  private final INDArray cross;
  private final double yy;
  private final double scale;
  private final double gramNorm;

  /** What one solve produced. */
  public record Result(
      float[] weights,
      double lambda,
      double alpha,
      double objective,
      double dualValue,
      int iterations,
      int nonzeroRows,
      double seconds) {
    /** (objective − dual) / objective. */
    public double relativeGap() {
      return objective > 0 ? (objective - dualValue) / objective : 0;
    }
  }

  /**
   * @param features Φ, row-major n × h (the student's hidden activations on the training rows)
   * @param targets Y, row-major n × C
   */
  public SharedLayerFit(float[] features, float[] targets, int n, int h, int c) {
    if (n < 1 || h < 0 || c < 1) {
      throw new InvalidProblemException(
          "need n >= 1, h >= 0, C >= 1; got " + n + ", " + h + ", " + c);
    }
    if (features.length != (long) n * h || targets.length != (long) n * c) {
      throw new InvalidProblemException("features must be n × h and targets n × C");
    }
    this.n = n;
    this.h = h;
    this.c = c;
    this.scale = 1.0 / ((double) n * c);
    double sum = 0;
    for (float v : targets) {
      sum += (double) v * v;
    }
    this.yy = sum;
    if (h == 0) {
      gram = null;
      cross = null;
      gramNorm = 0;
      return;
    }
    INDArray phi = Nd4j.create(features, new long[] {n, h}, 'c').castTo(DataType.DOUBLE);
    INDArray y = Nd4j.create(targets, new long[] {n, c}, 'c').castTo(DataType.DOUBLE);
    gram = Nd4j.create(DataType.DOUBLE, new long[] {h, h}, 'f');
    cross = Nd4j.create(DataType.DOUBLE, new long[] {h, c}, 'f');
    Nd4j.gemm(phi, phi, gram, true, false, 1.0, 0.0);
    Nd4j.gemm(phi, y, cross, true, false, 1.0, 0.0);
    phi.close();
    y.close();
    gramNorm = largestEigenvalue(gram, h);
  }

  /** Units (rows of W2). */
  public int units() {
    return h;
  }

  /** The smallest λ at which W = 0 is optimal: max_i ‖(ΦᵀY)_i‖ / (nC·α). */
  public double lambdaMax(double alpha) {
    if (h == 0) {
      return 0;
    }
    double best = 0;
    for (double norm : rowNorms(cross)) {
      best = Math.max(best, norm);
    }
    return best * scale / alpha;
  }

  /** The objective of {@code w} (h × C row-major) at λ, α. */
  public double objective(float[] w, double lambda, double alpha) {
    if (h == 0) {
      return yy * scale / 2;
    }
    try (INDArray x = matrix(w)) {
      INDArray gx = gram.mmul(x);
      double obj = loss(x, gx) + penalty(x, lambda, alpha);
      gx.close();
      return obj;
    }
  }

  /**
   * Solves at one λ.
   *
   * @param alpha the group-lasso share of the penalty, in (0, 1]; the rest is ridge
   * @param warm a start (h × C row-major), or null for zero
   * @param gapTolerance stop at this relative duality gap
   */
  public Result solve(
      double lambda, double alpha, float[] warm, double gapTolerance, int maxIterations) {
    if (!(lambda > 0) || !(alpha > 0 && alpha <= 1) || maxIterations < 1) {
      throw new InvalidProblemException(
          "need λ > 0, α in (0, 1], max iterations >= 1; got " + lambda + ", " + alpha);
    }
    long t0 = System.nanoTime();
    if (h == 0) {
      double f = yy * scale / 2;
      return new Result(new float[0], lambda, alpha, f, f, 0, 0, 0);
    }
    double ridge = lambda * (1 - alpha);
    double l = gramNorm * scale + ridge;
    double threshold = lambda * alpha / l;
    INDArray w = warm == null ? Nd4j.zeros(DataType.DOUBLE, h, c).dup('f') : matrix(warm);
    INDArray v = w.dup('f');
    INDArray gv = gram.mmul(v);
    double t = 1;
    int it = 0;
    double objective = Double.NaN;
    double dual = Double.NEGATIVE_INFINITY;
    while (it < maxIterations) {
      it++;
      // Gradient step from v, then the group prox: rows shrink by λα/L, short ones vanish.
      INDArray grad = gv.sub(cross).muli(scale).addi(v.mul(ridge));
      INDArray next = v.sub(grad.divi(l));
      grad.close();
      shrinkRows(next, threshold);
      INDArray gn = gram.mmul(next);
      // Adaptive restart (O'Donoghue–Candès): drop momentum when it points uphill.
      double uphill = v.sub(next).mul(next.sub(w)).sumNumber().doubleValue();
      double tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
      INDArray step = next.sub(w);
      w.close();
      w = next;
      v.close();
      gv.close();
      if (uphill > 0) {
        tNext = 1;
        v = w.dup('f');
        gv = gn.dup('f');
      } else {
        double beta = (t - 1) / tNext;
        v = w.add(step.mul(beta));
        gv = gram.mmul(v);
      }
      step.close();
      t = tNext;
      if (it % 10 == 0 || it == maxIterations) {
        objective = loss(w, gn) + penalty(w, lambda, alpha);
        dual = dual(w, gn, lambda, alpha);
        gn.close();
        if (objective - dual <= gapTolerance * objective) {
          break;
        }
      } else {
        gn.close();
      }
    }
    if (Double.isNaN(objective) || it % 10 != 0) {
      INDArray gw = gram.mmul(w);
      objective = loss(w, gw) + penalty(w, lambda, alpha);
      dual = dual(w, gw, lambda, alpha);
      gw.close();
    }
    float[] out = toRowMajor(w);
    int rows = 0;
    for (double norm : rowNorms(w)) {
      rows += norm > 0 ? 1 : 0;
    }
    w.close();
    v.close();
    gv.close();
    return new Result(
        out, lambda, alpha, objective, dual, it, rows, (System.nanoTime() - t0) / 1e9);
  }

  /**
   * A warm-started λ path from λmax down to {@code minRatio}·λmax on {@code points} geometric
   * points, stopping after the first point with more than {@code maxUnits} non-zero rows (0 = no
   * limit).
   */
  public List<Result> path(
      double alpha,
      int points,
      double minRatio,
      int maxUnits,
      double gapTolerance,
      int maxIterations) {
    double top = lambdaMax(alpha);
    List<Result> out = new ArrayList<>();
    float[] warm = null;
    for (int i = 1; i < points; i++) {
      double lambda = top * Math.pow(minRatio, (double) i / (points - 1));
      Result r = solve(lambda, alpha, warm, gapTolerance, maxIterations);
      out.add(r);
      warm = r.weights();
      if (maxUnits > 0 && r.nonzeroRows() > maxUnits) {
        break;
      }
    }
    return out;
  }

  private double loss(INDArray w, INDArray gw) {
    // ‖ΦW − Y‖² = tr(WᵀGW) − 2 tr(WᵀB) + ‖Y‖²
    double wgw = w.mul(gw).sumNumber().doubleValue();
    double wb = w.mul(cross).sumNumber().doubleValue();
    return Math.max(0, wgw - 2 * wb + yy) * scale / 2;
  }

  private double penalty(INDArray w, double lambda, double alpha) {
    double groups = 0;
    for (double norm : rowNorms(w)) {
      groups += norm;
    }
    double frob = w.mul(w).sumNumber().doubleValue();
    return lambda * (alpha * groups + (1 - alpha) / 2 * frob);
  }

  /** D(Θ) at Θ = (ΦW − Y)/(nC), computed in h-space. */
  private double dual(INDArray w, INDArray gw, double lambda, double alpha) {
    double wgw = w.mul(gw).sumNumber().doubleValue();
    double wb = w.mul(cross).sumNumber().doubleValue();
    // ⟨Θ, Y⟩ and ‖Θ‖² from the same traces.
    double thetaY = (wb - yy) * scale;
    double thetaSq = Math.max(0, wgw - 2 * wb + yy) * scale * scale;
    INDArray phiTheta = gw.sub(cross).muli(scale); // ΦᵀΘ, h × C
    double[] norms = rowNorms(phiTheta);
    double s = 1;
    double conj = 0;
    if (alpha < 1) {
      double ridge = lambda * (1 - alpha);
      for (double norm : norms) {
        double excess = Math.max(0, norm - lambda * alpha);
        conj += excess * excess / (2 * ridge);
      }
    } else {
      double worst = 0;
      for (double norm : norms) {
        worst = Math.max(worst, norm);
      }
      s = worst > lambda ? lambda / worst : 1;
    }
    phiTheta.close();
    // D(sΘ) = −s⟨Θ,Y⟩ − nC/2·s²‖Θ‖² − Ω*(−sΦᵀΘ)
    return -s * thetaY - (1 / scale) / 2 * s * s * thetaSq - conj;
  }

  /** Row i ← max(0, 1 − threshold/‖row i‖)·row i, for every row at once. */
  private static void shrinkRows(INDArray x, double threshold) {
    double[] norms = rowNorms(x);
    double[] factor = new double[norms.length];
    for (int i = 0; i < norms.length; i++) {
      factor[i] = norms[i] > threshold ? 1 - threshold / norms[i] : 0;
    }
    try (INDArray f = Nd4j.create(factor, new long[] {norms.length, 1}, DataType.DOUBLE)) {
      x.muliColumnVector(f);
    }
  }

  /** ‖row i‖₂ for every row. */
  private static double[] rowNorms(INDArray x) {
    try (INDArray sq = x.mul(x);
        INDArray sums = sq.sum(1)) {
      double[] out = sums.toDoubleVector();
      for (int i = 0; i < out.length; i++) {
        out[i] = Math.sqrt(out[i]);
      }
      return out;
    }
  }

  private INDArray matrix(float[] rowMajor) {
    if (rowMajor.length != (long) h * c) {
      throw new InvalidProblemException("second layer must be h × C = " + h + " × " + c);
    }
    return Nd4j.create(rowMajor, new long[] {h, c}, 'c').castTo(DataType.DOUBLE).dup('f');
  }

  private float[] toRowMajor(INDArray x) {
    return x.castTo(DataType.FLOAT).dup('c').data().asFloat();
  }

  /** The largest eigenvalue of a symmetric positive semi-definite matrix, by power iteration. */
  private static double largestEigenvalue(INDArray g, int size) {
    INDArray v = Nd4j.ones(DataType.DOUBLE, size, 1).divi(Math.sqrt(size));
    double lambda = 0;
    for (int k = 0; k < 100; k++) {
      INDArray gv = g.mmul(v);
      double norm = gv.norm2Number().doubleValue();
      if (norm == 0) {
        return 0;
      }
      v.close();
      v = gv.divi(norm);
      if (Math.abs(norm - lambda) <= 1e-9 * norm) {
        lambda = norm;
        break;
      }
      lambda = norm;
    }
    v.close();
    // A little above the estimate: power iteration approaches from below.
    return lambda * 1.01;
  }

  @Override
  public void close() {
    if (gram != null) {
      gram.close();
      cross.close();
    }
  }
}
