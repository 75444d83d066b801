package org.convexdistill.solver;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * R-FISTA for the convex gated-ReLU group lasso: accelerated proximal gradient with backtracking
 * line search, step growth, gradient-mapping restarts and textbook momentum (see {@code
 * solver-spec.md}); every solution comes with a duality-gap {@link Certificate}.
 *
 * <p><b>Cost.</b> All gates and outputs are evaluated with ONE GEMM {@code Zn·W} (n×d by d×(C·P))
 * and the gradient with ONE GEMM {@code Znᵀ·M} (d×n by n×(C·P)), into buffers allocated once in the
 * constructor; the masking and the sum over gates are cheap elementwise passes. Two facts cut the
 * products per iteration to one gradient GEMM plus one forward GEMM per line-search trial:
 *
 * <ul>
 *   <li>Ŷ is linear in U, so the prediction at the extrapolated point {@code v = w⁺ + β(w⁺ − w)} is
 *       {@code Ŷ(w⁺) + β(Ŷ(w⁺) − Ŷ(w))}: no forward product for v.
 *   <li>∇f is affine in U, so from {@code ∇f(v)} and the previous {@code ∇f(w_prev)} the gradient
 *       at the iterate follows as {@code ∇f(w) = (∇f(v) + β∇f(w_prev))/(1 + β)} — which makes the
 *       duality-gap certificate nearly free at every iteration. (Errors contract by β/(1+β) per
 *       step; when a tolerance is met the gradient is recomputed exactly before stopping.)
 * </ul>
 *
 * The sufficient-decrease test {@code f(w⁺) ≤ f(v) + ⟨∇f(v), w⁺−v⟩ + ‖w⁺−v‖²/(2η)} is evaluated in
 * its exact equivalent form for a quadratic loss, {@code ‖Ŷ(w⁺) − Ŷ(v)‖²/(2m) ≤ ‖w⁺−v‖²/(2η)},
 * which avoids cancellation between two nearly equal losses in float32.
 *
 * <p>Not thread-safe: one solve at a time per instance. Close it to free the native buffers.
 */
public final class RFista implements AutoCloseable {
  private static final double BACKTRACK = 0.8;
  private static final double GROW = 1.25;
  private static final double LOOSE_FACTOR = 5.0;
  private static final int MAX_BACKTRACKS = 200;
  private static final int POWER_ITERATIONS = 30;

  private final GatedReluProblem problem;
  private final int n;
  private final int d;
  private final int outputs;
  private final int gates;
  private final int groups;
  private final int size;
  private final double m;
  private final float[] y;
  private final float[] patterns;
  private final INDArray zn;
  private final INDArray big;
  private final INDArray stage;
  private final FloatBuffer bigBuf;
  private final FloatBuffer stageBuf;
  private final double gemmFlops;

  private float[] w;
  private float[] wPlus;
  private final float[] v;
  private final float[] gradV;
  private final float[] gradW;
  private double[] yhatW;
  private double[] yhatWPlus;
  private final double[] yhatV;
  private final double[] groupA;
  private final double[] groupB;
  private final double[] groupC;
  private final float[][] scratch1;
  private final float[][] scratch2;

  private final ParallelRange parallel;

  private double flops;
  private double lambdaMax = Double.NaN;
  private double zeroGradient2 = Double.NaN;
  private double lipschitz = Double.NaN;
  private double lastStep = Double.NaN;
  private boolean[] allowed;

  /** A solver for {@code problem} using every available core for the elementwise passes. */
  public RFista(GatedReluProblem problem) {
    this(problem, Runtime.getRuntime().availableProcessors());
  }

  /**
   * A solver for {@code problem}; allocates all workspaces now.
   *
   * @param threads threads for the elementwise passes (the GEMMs use OpenBLAS's own threads)
   */
  public RFista(GatedReluProblem problem, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.problem = problem;
    this.n = problem.samples();
    this.d = problem.inputDim();
    this.outputs = problem.outputs();
    this.gates = problem.gates();
    this.groups = outputs * gates;
    this.size = groups * d;
    this.m = problem.lossScale();
    this.y = problem.targetsColumnMajor();
    this.patterns = problem.patternsColumnMajor();
    this.zn = problem.normalizedInputs();
    this.big = Nd4j.create(DataType.FLOAT, new long[] {n, groups}, 'f');
    this.stage = Nd4j.create(DataType.FLOAT, new long[] {d, groups}, 'f');
    this.bigBuf = big.data().asNioFloat();
    this.stageBuf = stage.data().asNioFloat();
    this.gemmFlops = 2.0 * n * d * groups;

    this.w = new float[size];
    this.wPlus = new float[size];
    this.v = new float[size];
    this.gradV = new float[size];
    this.gradW = new float[size];
    this.yhatW = new double[n * outputs];
    this.yhatWPlus = new double[n * outputs];
    this.yhatV = new double[n * outputs];
    this.groupA = new double[groups];
    this.groupB = new double[groups];
    this.groupC = new double[groups];
    this.parallel = new ParallelRange(threads);
    this.scratch1 = new float[threads][n];
    this.scratch2 = new float[threads][n];
  }

  /** The problem this solver was built for. */
  public GatedReluProblem problem() {
    return problem;
  }

  /** λ_max = max_g ‖Xgᵀ Y‖/m: for λ ≥ λ_max, U = 0 is optimal. Costs one GEMM, once. */
  public double lambdaMax() {
    if (Double.isNaN(lambdaMax)) {
      Arrays.fill(yhatV, 0.0);
      gradient(yhatV, gradV);
      double max = 0;
      double total = 0;
      for (int g = 0; g < groups; g++) {
        double s = sumSquares(gradV, g * d);
        max = Math.max(max, s);
        total += s;
      }
      lambdaMax = Math.sqrt(max);
      zeroGradient2 = total;
    }
    return lambdaMax;
  }

  /** An estimate of L, the Lipschitz constant of ∇f, by power iteration on one output. */
  public double lipschitzEstimate() {
    if (Double.isNaN(lipschitz)) {
      lipschitz = powerIteration();
    }
    return lipschitz;
  }

  /** Total floating-point operations in GEMMs since construction. */
  public double flopCount() {
    return flops;
  }

  /**
   * Computes the exact certificate of arbitrary weights {@code u} at {@code lambda} (one forward
   * and one gradient GEMM).
   */
  public Certificate certify(ConvexWeights u, double lambda) {
    requireShape(u);
    allowed = null;
    System.arraycopy(u.values(), 0, w, 0, size);
    forward(w, yhatW);
    gradient(yhatW, gradW);
    return certificate(w, yhatW, gradW, lambda);
  }

  /** ∇f(U) of the smooth part, shape C×P×d, computed exactly (one forward, one gradient GEMM). */
  public ConvexWeights gradientAt(ConvexWeights u) {
    requireShape(u);
    forward(u.values(), yhatWPlus);
    float[] g = new float[size];
    gradient(yhatWPlus, g);
    return new ConvexWeights(outputs, gates, d, g);
  }

  /** The convex model's prediction Ŷ (row-major n×C) for weights {@code u}. */
  public float[] predict(ConvexWeights u) {
    requireShape(u);
    forward(u.values(), yhatWPlus);
    float[] out = new float[n * outputs];
    for (int k = 0; k < outputs; k++) {
      for (int r = 0; r < n; r++) {
        out[r * outputs + k] = (float) yhatWPlus[k * n + r];
      }
    }
    return out;
  }

  /**
   * Solves the problem at {@code options.lambda()}.
   *
   * @throws InvalidProblemException when the warm start does not match the problem's shape
   */
  public SolverResult solve(SolverOptions options) {
    long start = System.nanoTime();
    double flops0 = flops;
    double lambda = options.lambda();
    allowed = options.allowedGroups();
    if (allowed != null && allowed.length != groups) {
      throw new InvalidProblemException(
          "allowed groups has " + allowed.length + " entries, the problem has " + groups);
    }
    double lmax = lambdaMax();

    if (lambda >= lmax) {
      Arrays.fill(w, 0f);
      Arrays.fill(yhatW, 0.0);
      gradient(yhatW, gradW);
      Certificate cert = certificate(w, yhatW, gradW, lambda);
      return result(lambda, cert, 0, 0, 0, StopReason.ZERO_SOLUTION, start, flops0);
    }

    if (options.warmStart() != null) {
      requireShape(options.warmStart());
      System.arraycopy(options.warmStart().values(), 0, w, 0, size);
      if (allowed != null) {
        for (int g = 0; g < groups; g++) {
          if (!allowed[g]) {
            Arrays.fill(w, g * d, (g + 1) * d, 0f);
          }
        }
      }
      forward(w, yhatW);
    } else {
      Arrays.fill(w, 0f);
      Arrays.fill(yhatW, 0.0);
    }
    System.arraycopy(w, 0, v, 0, size);
    System.arraycopy(yhatW, 0, yhatV, 0, yhatV.length);

    double step = options.initialStep();
    if (Double.isNaN(step)) {
      step =
          options.warmStart() != null && !Double.isNaN(lastStep)
              ? lastStep
              : 1.0 / lipschitzEstimate();
    }
    boolean vIsW = true;
    double beta = 0;
    double t = 1;
    int iteration = 0;
    int backtracks = 0;
    int restarts = 0;
    Certificate cert;
    StopReason reason;

    while (true) {
      gradient(yhatV, gradV);
      boolean exact = vIsW;
      if (vIsW) {
        System.arraycopy(gradV, 0, gradW, 0, size);
      } else {
        recoverIterateGradient(beta);
      }
      cert = certificate(w, yhatW, gradW, lambda);
      reason = stopReason(cert, options, iteration, zeroGradient2);
      if (reason != null && !exact) {
        // The incremental gradient said stop: confirm with an exact one before certifying.
        gradient(yhatW, gradW);
        cert = certificate(w, yhatW, gradW, lambda);
        reason = stopReason(cert, options, iteration, zeroGradient2);
      }
      if (options.listener() != null) {
        options.listener().onIteration(iteration, cert, step);
      }
      if (reason != null) {
        break;
      }

      // Proximal step from v with backtracking on the exact quadratic model.
      double fVcurv;
      double quad;
      boolean loose;
      int tries = 0;
      while (true) {
        quad = proxStep(step, lambda);
        forward(wPlus, yhatWPlus);
        fVcurv = curvature();
        if (fVcurv <= quad / (2 * step) || quad == 0 || tries >= MAX_BACKTRACKS) {
          loose = LOOSE_FACTOR * fVcurv <= quad / (2 * step);
          break;
        }
        step *= BACKTRACK;
        backtracks++;
        tries++;
      }

      // Gradient-mapping restart test, then momentum.
      if (restartTest() > 0) {
        t = 1;
        beta = 0;
        restarts++;
      } else {
        double tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
        beta = (t - 1) / tNext;
        t = tNext;
      }
      extrapolate(beta);
      vIsW = beta == 0;
      float[] tmpW = w;
      w = wPlus;
      wPlus = tmpW;
      double[] tmpY = yhatW;
      yhatW = yhatWPlus;
      yhatWPlus = tmpY;
      if (loose) {
        step *= GROW;
      }
      iteration++;
    }
    lastStep = step;
    return result(lambda, cert, iteration, backtracks, restarts, reason, start, flops0);
  }

  private SolverResult result(
      double lambda,
      Certificate cert,
      int iterations,
      int backtracks,
      int restarts,
      StopReason reason,
      long start,
      double flops0) {
    ConvexWeights solution = new ConvexWeights(outputs, gates, d, w.clone());
    double seconds = (System.nanoTime() - start) / 1e9;
    return new SolverResult(
        solution,
        lambda,
        lambdaMax,
        cert,
        iterations,
        backtracks,
        restarts,
        reason,
        seconds,
        flops - flops0);
  }

  private static StopReason stopReason(
      Certificate cert, SolverOptions options, int iteration, double zeroGradient2) {
    if (cert.relativeGap() <= options.gapTolerance()) {
      return StopReason.DUALITY_GAP;
    }
    // Relative to ‖∇f(0)‖², so the same tolerance means the same thing at any data scale.
    if (cert.subgradientNormSquared() <= options.subgradientTolerance() * zeroGradient2) {
      return StopReason.SUBGRADIENT;
    }
    if (iteration >= options.maxIterations()) {
      return StopReason.MAX_ITERATIONS;
    }
    return null;
  }

  private void requireShape(ConvexWeights u) {
    if (u.outputs() != outputs || u.gates() != gates || u.inputDim() != d) {
      throw new InvalidProblemException(
          "weights have shape ("
              + u.outputs()
              + ", "
              + u.gates()
              + ", "
              + u.inputDim()
              + ") but the problem needs (C, P, d) = ("
              + outputs
              + ", "
              + gates
              + ", "
              + d
              + ")");
    }
  }

  // ---- the two GEMMs --------------------------------------------------------------------

  /** yhatOut (column-major n×C) = Σ_j D_j ⊙ Zn·U[k,j,:]ᵀ. One GEMM. */
  private void forward(float[] u, double[] yhatOut) {
    stageBuf.put(0, u, 0, size);
    Nd4j.gemm(zn, stage, big, false, false, 1.0, 0.0);
    flops += gemmFlops;
    parallel(
        outputs,
        (chunk, k0, k1) -> {
          float[] col = scratch1[chunk];
          for (int k = k0; k < k1; k++) {
            int yOff = k * n;
            Arrays.fill(yhatOut, yOff, yOff + n, 0.0);
            for (int j = 0; j < gates; j++) {
              bigBuf.get((k * gates + j) * n, col, 0, n);
              int dOff = j * n;
              for (int r = 0; r < n; r++) {
                yhatOut[yOff + r] += patterns[dOff + r] * col[r];
              }
            }
          }
        });
  }

  /** gradOut (C×P×d) = Znᵀ·(D_j ⊙ (Ŷ − Y)_k)/m. One GEMM. */
  private void gradient(double[] yhat, float[] gradOut) {
    parallel(
        outputs,
        (chunk, k0, k1) -> {
          float[] residual = scratch1[chunk];
          float[] masked = scratch2[chunk];
          for (int k = k0; k < k1; k++) {
            int yOff = k * n;
            for (int r = 0; r < n; r++) {
              residual[r] = (float) (yhat[yOff + r] - y[yOff + r]);
            }
            for (int j = 0; j < gates; j++) {
              int dOff = j * n;
              for (int r = 0; r < n; r++) {
                masked[r] = patterns[dOff + r] * residual[r];
              }
              bigBuf.put((k * gates + j) * n, masked, 0, n);
            }
          }
        });
    Nd4j.gemm(zn, big, stage, true, false, 1.0 / m, 0.0);
    flops += gemmFlops;
    stageBuf.get(0, gradOut, 0, size);
  }

  // ---- elementwise passes ---------------------------------------------------------------

  /** wPlus = prox_{ηλ}(v − η·gradV); returns ‖wPlus − v‖². */
  private double proxStep(double step, double lambda) {
    float eta = (float) step;
    double threshold = step * lambda;
    parallel(
        groups,
        (chunk, g0, g1) -> {
          for (int g = g0; g < g1; g++) {
            groupA[g] =
                allowed == null || allowed[g]
                    ? proxGroup(v, gradV, eta, threshold, wPlus, g * d, d)
                    : zeroGroup(v, wPlus, g * d, d);
          }
        });
    return sum(groupA);
  }

  /**
   * The group soft-threshold of one gradient step: with {@code x = v − η·grad} on [off, off+len),
   * {@code out = x·max(0, 1 − threshold/‖x‖)}. Returns {@code ‖out − v‖²} on that range.
   */
  static double proxGroup(
      float[] v, float[] grad, float eta, double threshold, float[] out, int off, int len) {
    double norm2 = 0;
    for (int i = off; i < off + len; i++) {
      float x = v[i] - eta * grad[i];
      norm2 += (double) x * x;
    }
    double norm = Math.sqrt(norm2);
    double moved = 0;
    if (!(norm > threshold)) {
      // Exact zeros (not -0.0 or denormals): zero groups are what make the student small.
      for (int i = off; i < off + len; i++) {
        out[i] = 0f;
        moved += (double) v[i] * v[i];
      }
      return moved;
    }
    float scale = (float) (1 - threshold / norm);
    for (int i = off; i < off + len; i++) {
      float next = scale * (v[i] - eta * grad[i]);
      out[i] = next;
      float delta = next - v[i];
      moved += (double) delta * delta;
    }
    return moved;
  }

  /** A group outside the allowed support: out = 0; returns ‖v‖² on the range. */
  private static double zeroGroup(float[] v, float[] out, int off, int len) {
    double moved = 0;
    for (int i = off; i < off + len; i++) {
      out[i] = 0f;
      moved += (double) v[i] * v[i];
    }
    return moved;
  }

  /** ‖Ŷ(w⁺) − Ŷ(v)‖²/(2m) = f(w⁺) − f(v) − ⟨∇f(v), w⁺ − v⟩ exactly, as f is quadratic. */
  private double curvature() {
    double s = 0;
    for (int i = 0; i < yhatV.length; i++) {
      double e = yhatWPlus[i] - yhatV[i];
      s += e * e;
    }
    return s / (2 * m);
  }

  /** ⟨w⁺ − w, v − w⁺⟩: positive means momentum points uphill, so restart. */
  private double restartTest() {
    parallel(
        groups,
        (chunk, g0, g1) -> {
          for (int g = g0; g < g1; g++) {
            int off = g * d;
            double s = 0;
            for (int i = off; i < off + d; i++) {
              s += (double) (wPlus[i] - w[i]) * (v[i] - wPlus[i]);
            }
            groupA[g] = s;
          }
        });
    return sum(groupA);
  }

  /** v = w⁺ + β(w⁺ − w) and the same combination of predictions. */
  private void extrapolate(double beta) {
    float b = (float) beta;
    parallel(
        groups,
        (chunk, g0, g1) -> {
          for (int i = g0 * d; i < g1 * d; i++) {
            v[i] = wPlus[i] + b * (wPlus[i] - w[i]);
          }
        });
    for (int i = 0; i < yhatV.length; i++) {
      yhatV[i] = yhatWPlus[i] + beta * (yhatWPlus[i] - yhatW[i]);
    }
  }

  /** gradW = (gradV + β·gradW)/(1 + β): the gradient at the iterate from the one at v. */
  private void recoverIterateGradient(double beta) {
    float b = (float) beta;
    float inv = (float) (1.0 / (1.0 + beta));
    parallel(
        groups,
        (chunk, g0, g1) -> {
          for (int i = g0 * d; i < g1 * d; i++) {
            gradW[i] = (gradV[i] + b * gradW[i]) * inv;
          }
        });
  }

  /**
   * The certificate of iterate {@code u} with prediction {@code yhat} and gradient {@code grad}.
   */
  private Certificate certificate(float[] u, double[] yhat, float[] grad, double lambda) {
    parallel(
        groups,
        (chunk, g0, g1) -> {
          for (int g = g0; g < g1; g++) {
            int off = g * d;
            double uu = 0;
            double gg = 0;
            double gu = 0;
            for (int i = off; i < off + d; i++) {
              uu += (double) u[i] * u[i];
              gg += (double) grad[i] * grad[i];
              gu += (double) grad[i] * u[i];
            }
            groupA[g] = uu;
            groupB[g] = gg;
            groupC[g] = gu;
          }
        });
    double normSum = 0;
    double nu = 0;
    double subgradient = 0;
    for (int g = 0; g < groups; g++) {
      if (allowed != null && !allowed[g]) {
        // Not part of the restricted problem: neither its dual constraint nor its optimality.
        continue;
      }
      double un = Math.sqrt(groupA[g]);
      double gn = Math.sqrt(groupB[g]);
      normSum += un;
      nu = Math.max(nu, gn);
      if (un > 0) {
        subgradient += Math.max(0, groupB[g] + 2 * lambda * groupC[g] / un + lambda * lambda);
      } else {
        double excess = Math.max(0, gn - lambda);
        subgradient += excess * excess;
      }
    }
    // Dual point θ = α·r with r = Y − Ŷ. Feasibility needs |α|·ν ≤ λ. D(αr) = (2α⟨r,Y⟩ −
    // α²‖r‖²)/(2m)
    // is a concave parabola in α, so take its maximiser ⟨r,Y⟩/‖r‖² clipped to the feasible
    // interval. The spec's α = min(1, λ/ν) lies in that interval, so this bound is never worse, and
    // it tightens the certificate while the residual is still far from its optimal scale.
    double residual2 = 0;
    double residualDotY = 0;
    for (int i = 0; i < yhat.length; i++) {
      double r = y[i] - yhat[i];
      residual2 += r * r;
      residualDotY += r * y[i];
    }
    double bound = nu > 0 ? lambda / nu : Double.POSITIVE_INFINITY;
    double alpha = residual2 > 0 ? residualDotY / residual2 : 0.0;
    alpha = Math.max(-bound, Math.min(bound, alpha));
    double loss = residual2 / (2 * m);
    double dual = (2 * alpha * residualDotY - alpha * alpha * residual2) / (2 * m);
    return new Certificate(loss, lambda * normSum, dual, subgradient, nu);
  }

  /** Largest eigenvalue of XᵀX/m for one output (all outputs share it), by power iteration. */
  private double powerIteration() {
    INDArray u = Nd4j.create(DataType.FLOAT, new long[] {d, gates}, 'f');
    INDArray a = Nd4j.create(DataType.FLOAT, new long[] {n, gates}, 'f');
    FloatBuffer uBuf = u.data().asNioFloat();
    FloatBuffer aBuf = a.data().asNioFloat();
    float[] uh = new float[d * gates];
    float[] ah = new float[n * gates];
    double[] rowSum = new double[n];
    Random random = new Random(42);
    for (int i = 0; i < uh.length; i++) {
      uh[i] = (float) random.nextGaussian();
    }
    double estimate = 0;
    for (int it = 0; it < POWER_ITERATIONS; it++) {
      double norm = Math.sqrt(sumSquaresAll(uh));
      if (norm == 0) {
        break;
      }
      for (int i = 0; i < uh.length; i++) {
        uh[i] = (float) (uh[i] / norm);
      }
      uBuf.put(0, uh, 0, uh.length);
      Nd4j.gemm(zn, u, a, false, false, 1.0, 0.0);
      aBuf.get(0, ah, 0, ah.length);
      Arrays.fill(rowSum, 0.0);
      for (int j = 0; j < gates; j++) {
        for (int r = 0; r < n; r++) {
          rowSum[r] += patterns[j * n + r] * ah[j * n + r];
        }
      }
      for (int j = 0; j < gates; j++) {
        for (int r = 0; r < n; r++) {
          ah[j * n + r] = (float) (patterns[j * n + r] * rowSum[r]);
        }
      }
      aBuf.put(0, ah, 0, ah.length);
      Nd4j.gemm(zn, a, u, true, false, 1.0 / m, 0.0);
      uBuf.get(0, uh, 0, uh.length);
      estimate = Math.sqrt(sumSquaresAll(uh));
    }
    u.close();
    a.close();
    // Guard against a degenerate (all-zero) design.
    return estimate > 0 ? estimate : 1.0;
  }

  private double sumSquares(float[] a, int off) {
    double s = 0;
    for (int i = off; i < off + d; i++) {
      s += (double) a[i] * a[i];
    }
    return s;
  }

  private static double sumSquaresAll(float[] a) {
    double s = 0;
    for (float x : a) {
      s += (double) x * x;
    }
    return s;
  }

  private double sum(double[] values) {
    double s = 0;
    for (double x : values) {
      s += x;
    }
    return s;
  }

  private void parallel(int count, ParallelRange.Body body) {
    parallel.run(count, body);
  }

  @Override
  public void close() {
    parallel.close();
    big.close();
    stage.close();
  }
}
