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

  /** Inner tolerance while the working set still changes, as a fraction of the full gap. */
  private static final double INNER_GAP_FRACTION = 0.3;

  /** The smallest working set (groups). */
  private static final int MIN_WORKING_SET = 32;

  /**
   * Working set size over the support. Celer's 2 was slower here: on real stage-4 activations
   * (n=2000, C=512, P=8) the support of a restricted solve fills its set until the last steps, and
   * the final solves on 1.25× sets ran 1.2–1.5× faster than on 2× sets.
   */
  private static final double GROWTH = 1.25;

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

  /** Every group of the problem, in the solver's weight layout (the full GEMM shapes). */
  private final Columns all;

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
  private final double[] outputScratch;
  private final float[][] scratch1;
  private final float[][] scratch2;

  private final ParallelRange parallel;

  private double flops;
  private double lambdaMax = Double.NaN;
  private double zeroGradient2 = Double.NaN;
  private double lipschitz = Double.NaN;
  private double lastStep = Double.NaN;
  private int outerIterations;
  private int workingSetPeak;
  private int iterationCount;
  private int backtrackCount;
  private int restartCount;
  private double step;

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
    int[] every = new int[groups];
    for (int g = 0; g < groups; g++) {
      every[g] = g;
    }
    this.all = new Columns(every, groups);

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
    this.outputScratch = new double[outputs];
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
      gradient(yhatV, gradV, all);
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
    System.arraycopy(u.values(), 0, w, 0, size);
    forward(w, yhatW, all);
    gradient(yhatW, gradW, all);
    return certificate(w, yhatW, gradW, lambda, all);
  }

  /** ∇f(U) of the smooth part, shape C×P×d, computed exactly (one forward, one gradient GEMM). */
  public ConvexWeights gradientAt(ConvexWeights u) {
    requireShape(u);
    forward(u.values(), yhatWPlus, all);
    float[] g = new float[size];
    gradient(yhatWPlus, g, all);
    return new ConvexWeights(outputs, gates, d, g);
  }

  /** The convex model's prediction Ŷ (row-major n×C) for weights {@code u}. */
  public float[] predict(ConvexWeights u) {
    requireShape(u);
    forward(u.values(), yhatWPlus, all);
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
   * <p>With a working set (the default) the iterations run on a small set of groups — the current
   * support plus the groups whose gradient comes closest to violating optimality, sized at a
   * multiple of the support as in Celer (Massias et al., 2018) — so the two GEMMs per iteration
   * touch those columns only. After each restricted solve ONE full gradient GEMM certifies the
   * iterate on the whole problem; the loop ends when that full certificate meets the tolerance, so
   * the result is certified exactly as without a working set.
   *
   * @throws InvalidProblemException when the warm start does not match the problem's shape
   */
  public SolverResult solve(SolverOptions options) {
    long start = System.nanoTime();
    double flops0 = flops;
    double lambda = options.lambda();
    boolean[] allowed = options.allowedGroups();
    if (allowed != null && allowed.length != groups) {
      throw new InvalidProblemException(
          "allowed groups has " + allowed.length + " entries, the problem has " + groups);
    }
    double lmax = lambdaMax();
    iterationCount = 0;
    backtrackCount = 0;
    restartCount = 0;
    outerIterations = 0;
    workingSetPeak = 0;

    Columns problemSet = allowed == null ? all : subset(allowed);
    try {
      if (lambda >= lmax) {
        Arrays.fill(w, 0f);
        Arrays.fill(yhatW, 0.0);
        gradient(yhatW, gradW, problemSet);
        Certificate cert = certificate(w, yhatW, gradW, lambda, problemSet);
        return result(lambda, cert, StopReason.ZERO_SOLUTION, start, flops0);
      }

      if (options.warmStart() != null) {
        requireShape(options.warmStart());
        System.arraycopy(options.warmStart().values(), 0, w, 0, size);
        for (int g = 0; g < groups; g++) {
          if (!problemSet.member[g]) {
            Arrays.fill(w, g * d, (g + 1) * d, 0f);
          }
        }
        forward(w, yhatW, problemSet);
      } else {
        Arrays.fill(w, 0f);
        Arrays.fill(yhatW, 0.0);
      }

      step = options.initialStep();
      if (Double.isNaN(step)) {
        step =
            options.warmStart() != null && !Double.isNaN(lastStep)
                ? lastStep
                : 1.0 / lipschitzEstimate();
      }

      Inner outcome;
      if (!options.workingSet()) {
        outerIterations = 1;
        workingSetPeak = problemSet.count;
        outcome = iterate(problemSet, lambda, options.gapTolerance(), options);
      } else {
        outcome = solveOnWorkingSets(problemSet, lambda, options);
      }
      lastStep = step;
      return result(lambda, outcome.certificate(), outcome.reason(), start, flops0);
    } finally {
      if (problemSet != all) {
        problemSet.close();
      }
    }
  }

  /** The outer loop: restricted solves on growing working sets, each certified on the whole set. */
  private Inner solveOnWorkingSets(Columns problemSet, double lambda, SolverOptions options) {
    double tolerance = options.gapTolerance();
    gradient(yhatW, gradW, problemSet);
    Certificate cert = certificate(w, yhatW, gradW, lambda, problemSet);
    int stalls = 0;
    while (true) {
      StopReason reason = stopReason(cert, tolerance, options, iterationCount, zeroGradient2);
      if (reason != null) {
        return new Inner(cert, reason);
      }
      Columns set = workingSet(problemSet, stalls);
      workingSetPeak = Math.max(workingSetPeak, set.count);
      // A loose inner tolerance while the set still changes (Celer's 0.3 of the current gap):
      // precision on a set that is about to grow is wasted. Once no group outside the set
      // violates optimality (a warm start after a small slide, usually at once), the restricted
      // optimum may well be the full one: solve to the real tolerance.
      boolean complete = set.count == problemSet.count;
      boolean settled = complete || violatorsOutside(set, problemSet, lambda) == 0;
      double innerTolerance =
          complete || settled
              ? tolerance
              : Math.max(tolerance, INNER_GAP_FRACTION * cert.relativeGap());
      int before = iterationCount;
      try {
        iterate(set, lambda, innerTolerance, options);
        // Weights are zero outside the set, so Ŷ is exact; one full GEMM certifies the iterate.
        gradient(yhatW, gradW, problemSet);
        cert = certificate(w, yhatW, gradW, lambda, problemSet);
      } finally {
        if (set != problemSet) {
          set.close();
        }
      }
      outerIterations++;
      // Nothing to do on this set and still not certified (its own gap is below the inner
      // tolerance while violators wait outside): the next set is twice as large, up to the whole
      // problem, so the loop always ends.
      stalls = iterationCount == before ? stalls + 1 : 0;
      if (options.listener() != null) {
        options.listener().onIteration(iterationCount, cert, step);
      }
    }
  }

  /** Groups of {@code within} outside {@code set} whose gradient norm exceeds λ (gradW exact). */
  private int violatorsOutside(Columns set, Columns within, double lambda) {
    double limit = lambda * lambda;
    int count = 0;
    for (int a = 0; a < within.count; a++) {
      int g = within.group[a];
      if (!set.member[g] && sumSquares(gradW, g * d) > limit) {
        count++;
      }
    }
    return count;
  }

  /**
   * The working set: every group of the support, then the groups of {@code within} with the largest
   * ‖∇_g f‖ (those nearest to entering), up to {@link #GROWTH} times the support and at least
   * {@link #minWorkingSet()}, doubled for each preceding outer step that could make no progress.
   */
  private Columns workingSet(Columns within, int stalls) {
    int support = 0;
    Integer[] order = new Integer[within.count];
    double[] score = new double[within.count];
    for (int a = 0; a < within.count; a++) {
      int g = within.group[a];
      order[a] = a;
      if (sumSquares(w, g * d) > 0) {
        score[a] = Double.POSITIVE_INFINITY;
        support++;
      } else {
        score[a] = sumSquares(gradW, g * d);
      }
    }
    long target =
        Math.min(
            within.count,
            (long) Math.max(minWorkingSet(), Math.ceil(GROWTH * support)) << Math.min(stalls, 30));
    if (target == within.count) {
      return within;
    }
    Arrays.sort(order, (p, q) -> Double.compare(score[q], score[p]));
    boolean[] chosen = new boolean[groups];
    for (int i = 0; i < target; i++) {
      chosen[within.group[order[i]]] = true;
    }
    return subset(chosen);
  }

  private int minWorkingSet() {
    return Math.min(groups, Math.max(MIN_WORKING_SET, groups / 32));
  }

  /** R-FISTA on the groups of {@code set} (all other groups of w are zero and stay zero). */
  private Inner iterate(Columns set, double lambda, double tolerance, SolverOptions options) {
    Arrays.fill(wPlus, 0f);
    System.arraycopy(w, 0, v, 0, size);
    System.arraycopy(yhatW, 0, yhatV, 0, yhatV.length);
    boolean vIsW = true;
    double beta = 0;
    double t = 1;
    Certificate cert;
    StopReason reason;

    while (true) {
      gradient(yhatV, gradV, set);
      boolean exact = vIsW;
      if (vIsW) {
        // Only the set's groups are current (and read) during a restricted solve.
        for (int c = 0; c < set.count; c++) {
          int off = set.group[c] * d;
          System.arraycopy(gradV, off, gradW, off, d);
        }
      } else {
        recoverIterateGradient(beta, set);
      }
      cert = certificate(w, yhatW, gradW, lambda, set);
      reason = stopReason(cert, tolerance, options, iterationCount, zeroGradient2);
      if (reason != null && !exact) {
        // The incremental gradient said stop: confirm with an exact one before certifying.
        gradient(yhatW, gradW, set);
        cert = certificate(w, yhatW, gradW, lambda, set);
        reason = stopReason(cert, tolerance, options, iterationCount, zeroGradient2);
      }
      if (options.listener() != null) {
        options.listener().onIteration(iterationCount, cert, step);
      }
      if (reason != null) {
        return new Inner(cert, reason);
      }

      // Proximal step from v with backtracking on the exact quadratic model.
      double fVcurv;
      double quad;
      boolean loose;
      int tries = 0;
      while (true) {
        quad = proxStep(step, lambda, set);
        forward(wPlus, yhatWPlus, set);
        fVcurv = curvature();
        if (fVcurv <= quad / (2 * step) || quad == 0 || tries >= MAX_BACKTRACKS) {
          loose = LOOSE_FACTOR * fVcurv <= quad / (2 * step);
          break;
        }
        step *= BACKTRACK;
        backtrackCount++;
        tries++;
      }

      // Gradient-mapping restart test, then momentum.
      if (restartTest(set) > 0) {
        t = 1;
        beta = 0;
        restartCount++;
      } else {
        double tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
        beta = (t - 1) / tNext;
        t = tNext;
      }
      extrapolate(beta, set);
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
      iterationCount++;
    }
  }

  /** How one restricted solve ended. */
  private record Inner(Certificate certificate, StopReason reason) {}

  private SolverResult result(
      double lambda, Certificate cert, StopReason reason, long start, double flops0) {
    ConvexWeights solution = new ConvexWeights(outputs, gates, d, w.clone());
    double seconds = (System.nanoTime() - start) / 1e9;
    return new SolverResult(
        solution,
        lambda,
        lambdaMax,
        cert,
        iterationCount,
        backtrackCount,
        restartCount,
        reason,
        seconds,
        flops - flops0,
        outerIterations,
        workingSetPeak);
  }

  private static StopReason stopReason(
      Certificate cert,
      double gapTolerance,
      SolverOptions options,
      int iteration,
      double zeroGradient2) {
    if (cert.relativeGap() <= gapTolerance) {
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

  // ---- column sets and the two GEMMs ----------------------------------------------------

  /** The columns of the groups marked in {@code members} (with native buffers sized to them). */
  private Columns subset(boolean[] members) {
    int count = 0;
    for (boolean b : members) {
      if (b) {
        count++;
      }
    }
    int[] chosen = new int[count];
    int a = 0;
    for (int g = 0; g < groups; g++) {
      if (members[g]) {
        chosen[a++] = g;
      }
    }
    return new Columns(chosen, count);
  }

  /**
   * A set of groups as GEMM columns: column {@code a} holds group {@code group[a]} (ascending, so
   * an output's groups are adjacent), with its own n×count and d×count native buffers.
   */
  private final class Columns implements AutoCloseable {
    final int[] group;
    final int count;
    final boolean[] member;

    /** Columns of output k are [outputStart[k], outputStart[k + 1]). */
    final int[] outputStart;

    final INDArray big;
    final INDArray stage;
    final FloatBuffer bigBuf;
    final FloatBuffer stageBuf;
    final double gemmFlops;

    Columns(int[] group, int count) {
      this.group = group;
      this.count = count;
      this.member = new boolean[groups];
      this.outputStart = new int[outputs + 1];
      for (int a = 0; a < count; a++) {
        member[group[a]] = true;
        outputStart[group[a] / gates + 1]++;
      }
      for (int k = 0; k < outputs; k++) {
        outputStart[k + 1] += outputStart[k];
      }
      int columns = Math.max(1, count);
      this.big = Nd4j.create(DataType.FLOAT, new long[] {n, columns}, 'f');
      this.stage = Nd4j.create(DataType.FLOAT, new long[] {d, columns}, 'f');
      this.bigBuf = big.data().asNioFloat();
      this.stageBuf = stage.data().asNioFloat();
      this.gemmFlops = 2.0 * n * d * count;
    }

    @Override
    public void close() {
      big.close();
      stage.close();
    }
  }

  /** yhatOut (column-major n×C) = Σ_j D_j ⊙ Zn·U[k,j,:]ᵀ over the groups of {@code set}. */
  private void forward(float[] u, double[] yhatOut, Columns set) {
    if (set.count == 0) {
      Arrays.fill(yhatOut, 0.0);
      return;
    }
    for (int a = 0; a < set.count; a++) {
      set.stageBuf.put(a * d, u, set.group[a] * d, d);
    }
    Nd4j.gemm(zn, set.stage, set.big, false, false, 1.0, 0.0);
    flops += set.gemmFlops;
    parallel(
        outputs,
        (chunk, k0, k1) -> {
          float[] col = scratch1[chunk];
          for (int k = k0; k < k1; k++) {
            int yOff = k * n;
            Arrays.fill(yhatOut, yOff, yOff + n, 0.0);
            for (int a = set.outputStart[k]; a < set.outputStart[k + 1]; a++) {
              set.bigBuf.get(a * n, col, 0, n);
              int dOff = (set.group[a] % gates) * n;
              for (int r = 0; r < n; r++) {
                yhatOut[yOff + r] += patterns[dOff + r] * col[r];
              }
            }
          }
        });
  }

  /** gradOut[g] = Znᵀ·(D_j ⊙ (Ŷ − Y)_k)/m for the groups g = (k, j) of {@code set}. */
  private void gradient(double[] yhat, float[] gradOut, Columns set) {
    if (set.count == 0) {
      return;
    }
    parallel(
        outputs,
        (chunk, k0, k1) -> {
          float[] residual = scratch1[chunk];
          float[] masked = scratch2[chunk];
          for (int k = k0; k < k1; k++) {
            if (set.outputStart[k] == set.outputStart[k + 1]) {
              continue;
            }
            int yOff = k * n;
            for (int r = 0; r < n; r++) {
              residual[r] = (float) (yhat[yOff + r] - y[yOff + r]);
            }
            for (int a = set.outputStart[k]; a < set.outputStart[k + 1]; a++) {
              int dOff = (set.group[a] % gates) * n;
              for (int r = 0; r < n; r++) {
                masked[r] = patterns[dOff + r] * residual[r];
              }
              set.bigBuf.put(a * n, masked, 0, n);
            }
          }
        });
    Nd4j.gemm(zn, set.big, set.stage, true, false, 1.0 / m, 0.0);
    flops += set.gemmFlops;
    for (int a = 0; a < set.count; a++) {
      set.stageBuf.get(a * d, gradOut, set.group[a] * d, d);
    }
  }

  // ---- elementwise passes ---------------------------------------------------------------

  /** wPlus = prox_{ηλ}(v − η·gradV) on the groups of {@code set}; returns ‖wPlus − v‖². */
  private double proxStep(double step, double lambda, Columns set) {
    float eta = (float) step;
    double threshold = step * lambda;
    parallel(
        set.count,
        (chunk, a0, a1) -> {
          for (int a = a0; a < a1; a++) {
            groupA[a] = proxGroup(v, gradV, eta, threshold, wPlus, set.group[a] * d, d);
          }
        });
    return sum(groupA, set.count);
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

  /** ‖Ŷ(w⁺) − Ŷ(v)‖²/(2m) = f(w⁺) − f(v) − ⟨∇f(v), w⁺ − v⟩ exactly, as f is quadratic. */
  private double curvature() {
    double s = 0;
    for (int i = 0; i < yhatV.length; i++) {
      double e = yhatWPlus[i] - yhatV[i];
      s += e * e;
    }
    return s / (2 * m);
  }

  /** ⟨w⁺ − w, v − w⁺⟩ over {@code set}: positive means momentum points uphill, so restart. */
  private double restartTest(Columns set) {
    parallel(
        set.count,
        (chunk, a0, a1) -> {
          for (int a = a0; a < a1; a++) {
            int off = set.group[a] * d;
            double s = 0;
            for (int i = off; i < off + d; i++) {
              s += (double) (wPlus[i] - w[i]) * (v[i] - wPlus[i]);
            }
            groupA[a] = s;
          }
        });
    return sum(groupA, set.count);
  }

  /** v = w⁺ + β(w⁺ − w) on {@code set}, and the same combination of predictions. */
  private void extrapolate(double beta, Columns set) {
    float b = (float) beta;
    parallel(
        set.count,
        (chunk, a0, a1) -> {
          for (int a = a0; a < a1; a++) {
            int off = set.group[a] * d;
            for (int i = off; i < off + d; i++) {
              v[i] = wPlus[i] + b * (wPlus[i] - w[i]);
            }
          }
        });
    for (int i = 0; i < yhatV.length; i++) {
      yhatV[i] = yhatWPlus[i] + beta * (yhatWPlus[i] - yhatW[i]);
    }
  }

  /** gradW = (gradV + β·gradW)/(1 + β) on {@code set}: the iterate's gradient from v's. */
  private void recoverIterateGradient(double beta, Columns set) {
    float b = (float) beta;
    float inv = (float) (1.0 / (1.0 + beta));
    parallel(
        set.count,
        (chunk, a0, a1) -> {
          for (int a = a0; a < a1; a++) {
            int off = set.group[a] * d;
            for (int i = off; i < off + d; i++) {
              gradW[i] = (gradV[i] + b * gradW[i]) * inv;
            }
          }
        });
  }

  /**
   * The certificate of iterate {@code u} with prediction {@code yhat} and gradient {@code grad},
   * for the problem restricted to the groups of {@code set} (their dual constraints and optimality
   * only).
   */
  private Certificate certificate(
      float[] u, double[] yhat, float[] grad, double lambda, Columns set) {
    parallel(
        set.count,
        (chunk, a0, a1) -> {
          for (int a = a0; a < a1; a++) {
            int off = set.group[a] * d;
            double uu = 0;
            double gg = 0;
            double gu = 0;
            for (int i = off; i < off + d; i++) {
              uu += (double) u[i] * u[i];
              gg += (double) grad[i] * grad[i];
              gu += (double) grad[i] * u[i];
            }
            groupA[a] = uu;
            groupB[a] = gg;
            groupC[a] = gu;
          }
        });
    double normSum = 0;
    double nu = 0;
    double subgradient = 0;
    double[] outputNu = outputScratch;
    Arrays.fill(outputNu, 0.0);
    for (int a = 0; a < set.count; a++) {
      double un = Math.sqrt(groupA[a]);
      double gn = Math.sqrt(groupB[a]);
      normSum += un;
      nu = Math.max(nu, gn);
      int k = set.group[a] / gates;
      outputNu[k] = Math.max(outputNu[k], gn);
      if (un > 0) {
        subgradient += Math.max(0, groupB[a] + 2 * lambda * groupC[a] / un + lambda * lambda);
      } else {
        double excess = Math.max(0, gn - lambda);
        subgradient += excess * excess;
      }
    }
    // The dual decouples over outputs (each group's constraint involves one output's θ_k only), so
    // each output gets its own dual point θ_k = α_k·r_k with r_k = y_k − ŷ_k. Feasibility needs
    // |α_k|·ν_k ≤ λ with ν_k = max_j ‖∇_kj f‖. D_k(α r_k) = (2α⟨r_k,y_k⟩ − α²‖r_k‖²)/(2m) is a
    // concave parabola in α: take its maximiser ⟨r_k,y_k⟩/‖r_k‖² clipped to the feasible interval.
    // One shared α (the spec's min(1, λ/ν)) lets the worst output's violation shrink every
    // output's dual term; per output, a violation costs only its own (on stage-4 activations at
    // 0.3·λmax: 74 instead of 82 iterations to a certified 1e-4).
    double residual2Total = 0;
    double dual = 0;
    for (int k = 0; k < outputs; k++) {
      double residual2 = 0;
      double residualDotY = 0;
      for (int i = k * n; i < (k + 1) * n; i++) {
        double r = y[i] - yhat[i];
        residual2 += r * r;
        residualDotY += r * y[i];
      }
      double bound = outputNu[k] > 0 ? lambda / outputNu[k] : Double.POSITIVE_INFINITY;
      double alpha = residual2 > 0 ? residualDotY / residual2 : 0.0;
      alpha = Math.max(-bound, Math.min(bound, alpha));
      residual2Total += residual2;
      dual += (2 * alpha * residualDotY - alpha * alpha * residual2) / (2 * m);
    }
    double loss = residual2Total / (2 * m);
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

  private static double sum(double[] values, int count) {
    double s = 0;
    for (int i = 0; i < count; i++) {
      s += values[i];
    }
    return s;
  }

  private void parallel(int count, ParallelRange.Body body) {
    parallel.run(count, body);
  }

  @Override
  public void close() {
    parallel.close();
    all.close();
  }
}
