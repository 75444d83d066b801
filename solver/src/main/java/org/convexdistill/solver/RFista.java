package org.convexdistill.solver;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.function.IntPredicate;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * R-FISTA for the convex gated-ReLU group lasso: accelerated proximal gradient with backtracking
 * line search, step growth, gradient-mapping restarts and textbook momentum (see {@code
 * solver-spec.md}); every solution comes with a duality-gap {@link Certificate}.
 *
 * <p><b>One run per output.</b> The problem decouples over outputs: each group belongs to one
 * output and the loss is a sum over outputs. So each output runs its own R-FISTA — its own step,
 * backtracking, step growth, momentum and restarts — and leaves the products once its own gap is
 * met, while all outputs still share the GEMMs. (Stage-4 activations, 0.3·λmax: half the outputs
 * meet their gap within 10 iterations, the slowest need 80; outputs whose units see different gates
 * have very different curvature.) The stopping rule stays the certificate of the whole problem.
 *
 * <p><b>Cost.</b> The products are {@code Zn·W} (forward) and {@code Znᵀ·M} (gradient) over the
 * columns (groups) of the current working set, a few large GEMMs into per-set buffers; a gate open
 * on few rows runs on a copy of those rows only ({@link GateRows}), the others share one GEMM on Zn
 * with the mask applied elementwise. Two facts cut the products per iteration to one gradient GEMM
 * plus one forward GEMM (plus one on the columns of the outputs that backtrack):
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

  /**
   * A restricted solve whose gap has not fallen by 0.1 % in this many iterations thaws every output
   * and restarts each from the safe step 1/L. Why: per-output steps, freezing and the proximal
   * metric each follow estimates (curvature along a step, an output's own gap from a recovered
   * gradient); on a small random problem (240 × 6, 16 outputs, 16 gates, gap 1e-6) one trajectory
   * sat at a gap of 2–3e-4 for 10,000 iterations, and this guard ends such a stall.
   */
  private static final int STALL_ITERATIONS = 200;

  private static final double GROW = 1.25;
  private static final double LOOSE_FACTOR = 5.0;
  private static final int MAX_BACKTRACKS = 200;
  private static final int POWER_ITERATIONS = 30;

  /** Inner tolerance while the working set still changes, as a fraction of the full gap. */
  private static final double INNER_GAP_FRACTION = 0.3;

  /**
   * An output leaves the GEMMs once its own relative gap is this fraction of the tolerance: at most
   * that share of the total gap is then fixed, and the rest of the outputs close the others.
   */
  private static final double FREEZE_FRACTION = 0.1;

  /** A gate's columns run on its own rows only from this many on; fewer join the shared product. */
  private static final int MIN_GATHERED_COLUMNS = 32;

  /**
   * The smallest per-gate metric scale β_j: a gate open on no row must not get an infinite step.
   */
  private static final double MIN_GATE_SCALE = 1e-3;

  /** The smallest working set (groups). */
  private static final int MIN_WORKING_SET = 32;

  /**
   * Working set size over the support. With one FISTA run per output (frozen outputs leave the
   * GEMMs), a larger set costs little: on real stage-4 activations (n=2000, C=512, P=8, 0.1·λmax)
   * 1.5× took 7 outer steps and 105 iterations where 1.25× took 12 and 119 (2× about as 1.5×).
   */
  private static final double GROWTH = 1.5;

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
  private final GateRows gateRows;

  /**
   * The proximal steps' metric per gate j: β_j·(I + a_j·q_j q_jᵀ), q_j the top eigenvector of gate
   * j's curvature (D_j Zn)ᵀ(D_j Zn)/m, a_j = e1_j/e2_j − 1 from its two largest eigenvalues, β_j =
   * e2_j/max e2 (see {@link #proxMetric}). Set on the first solve.
   */
  private float[] gateDirection;

  private double[] gateBoost;
  private double[] gateScale;

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

  // Per-output state. The problem decouples over outputs (each group belongs to one output and the
  // loss is a sum over outputs), so each output runs its own FISTA — step, momentum, restarts —
  // inside the shared GEMMs, and an output whose own gap is met leaves them (see iterate()).
  private final double[] outputStep;
  private final double[] outputT;
  private final double[] outputBeta;
  private final boolean[] outputFrozen;
  private final boolean[] outputRedo;
  private final double[] outputQuad;
  private final double[] outputCurvature;
  private final double[] outputObjective;
  private final double[] outputGap;
  private final double[] outputRestart;
  private final boolean[] outputMoved;
  private final double[] outputResidual2;
  private final double[] outputResidualDotY;

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
    this.gateRows = new GateRows(problem);
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
    this.outputStep = new double[outputs];
    this.outputT = new double[outputs];
    this.outputBeta = new double[outputs];
    this.outputFrozen = new boolean[outputs];
    this.outputRedo = new boolean[outputs];
    this.outputQuad = new double[outputs];
    this.outputCurvature = new double[outputs];
    this.outputObjective = new double[outputs];
    this.outputGap = new double[outputs];
    this.outputRestart = new double[outputs];
    this.outputMoved = new boolean[outputs];
    this.outputResidual2 = new double[outputs];
    this.outputResidualDotY = new double[outputs];
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

      if (gateDirection == null) {
        gateMetric();
      }
      step = options.initialStep();
      if (!Double.isNaN(step)) {
        Arrays.fill(outputStep, step);
      } else if (options.warmStart() != null && !Double.isNaN(lastStep)) {
        // Each output keeps the step its last solve ended with: its own curvature barely moves
        // between neighbouring windows or λs.
        step = lastStep;
      } else {
        step = 1.0 / lipschitzEstimate();
        Arrays.fill(outputStep, step);
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
      Columns set = workingSet(problemSet, stalls, lambda);
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
        Arrays.fill(outputMoved, false);
        iterate(set, lambda, innerTolerance, options);
        // Weights are zero outside the set, so Ŷ is exact; one GEMM certifies the iterate on the
        // whole problem. An output the restricted solve did not move keeps its exact gradient (at
        // 0.3·λmax on stage-4 activations 40 % of the outputs have no unit at all), so the GEMM
        // covers the moved outputs only.
        try (Columns moved = ofOutputs(problemSet, k -> outputMoved[k])) {
          gradient(yhatW, gradW, moved);
        }
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
   * {@link #minWorkingSet()} (from an empty support: at least every group with ‖∇_g f‖ > λ),
   * doubled for each preceding outer step that could make no progress.
   */
  private Columns workingSet(Columns within, int stalls, double lambda) {
    int support = 0;
    int violators = 0;
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
        if (score[a] > lambda * lambda) {
          violators++;
        }
      }
    }
    // From zero, the first set holds every group that violates optimality there (‖∇_g f‖ > λ),
    // not a fixed few: on real stage-4 activations (n = 2,000, C = 512, P = 8, 0.3·λmax, gap
    // 1e-4) growing from 128 groups took 7 outer steps, each paying a full gradient for its KKT
    // check (67 iterations, 5.07 s); starting from the 1,172 violators, 1 step (52, 3.82 s).
    long first = support == 0 ? violators : 0;
    long target =
        Math.min(
            within.count,
            (long) Math.max(Math.max(minWorkingSet(), first), Math.ceil(GROWTH * support))
                << Math.min(stalls, 30));
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

  /**
   * R-FISTA on the groups of {@code set} (all other groups of w are zero and stay zero), one
   * independent run per output inside shared GEMMs.
   *
   * <p>Each output k has its own step η_k (backtracking and growth on its own quadratic model),
   * momentum t_k and restart test: outputs whose units see different gates have very different
   * curvature, and one output's restart no longer resets the others. An output whose own relative
   * gap is below {@link #FREEZE_FRACTION} of the tolerance is frozen (its weights, prediction and
   * exact gradient stay as they are, and its gap contributes at most that fraction); once frozen
   * outputs hold a tenth of the GEMM columns, the columns are rebuilt without them. On real stage-4
   * activations half the outputs meet their gap within 10 iterations while the slowest need 80. The
   * stopping test is on the total certificate of {@code set}, confirmed with an exact gradient,
   * which also unfreezes any output it finds above its share.
   */
  private Inner iterate(Columns set, double lambda, double tolerance, SolverOptions options) {
    System.arraycopy(w, 0, wPlus, 0, size);
    System.arraycopy(w, 0, v, 0, size);
    System.arraycopy(yhatW, 0, yhatV, 0, yhatV.length);
    System.arraycopy(yhatW, 0, yhatWPlus, 0, yhatV.length);
    Arrays.fill(outputT, 1.0);
    Arrays.fill(outputBeta, 0.0);
    Arrays.fill(outputFrozen, false);
    double freezeTolerance = FREEZE_FRACTION * tolerance;
    Columns live = set;
    boolean first = true;
    double bestGap = Double.POSITIVE_INFINITY;
    int bestAt = iterationCount;
    Certificate cert;
    StopReason reason;
    try {
      while (true) {
        gradient(yhatV, gradV, live);
        boolean exact = takeIterateGradient(live);
        cert = certificate(w, yhatW, gradW, lambda, set, first ? null : live);
        first = false;
        reason = stopReason(cert, tolerance, options, iterationCount, zeroGradient2);
        boolean thawed = false;
        if (reason != null && !exact) {
          // The incremental gradient said stop: confirm with an exact one before certifying.
          gradient(yhatW, gradW, set);
          cert = certificate(w, yhatW, gradW, lambda, set);
          reason = stopReason(cert, tolerance, options, iterationCount, zeroGradient2);
          if (reason == null) {
            thawed = thaw(set, freezeTolerance);
          }
        }
        if (options.listener() != null) {
          options.listener().onIteration(iterationCount, cert, step);
        }
        if (reason != null) {
          return new Inner(cert, reason);
        }
        if (cert.relativeGap() < bestGap * (1 - 1e-3)) {
          bestGap = cert.relativeGap();
          bestAt = iterationCount;
        } else if (iterationCount - bestAt >= STALL_ITERATIONS) {
          // No progress for a while: every output thaws and restarts from the safe step 1/L.
          thawAll(set);
          Arrays.fill(outputStep, 1.0 / lipschitzEstimate());
          bestAt = iterationCount;
          bestGap = cert.relativeGap();
        }
        int frozenColumns = freeze(live, freezeTolerance);
        if (thawed || (live.count > 0 && frozenColumns * 10 >= live.count)) {
          Columns next = ofOutputs(set, k -> !outputFrozen[k]);
          if (next.count == 0) {
            // Every output froze yet the total says go on (an inexact gradient froze one): all
            // thaw, so the loop always makes progress.
            next.close();
            thawAll(set);
            next = set;
          }
          if (live != set) {
            live.close();
          }
          live = next;
        }

        // Proximal steps from v with backtracking, each output on its own quadratic model.
        Arrays.fill(outputRedo, true);
        proxStep(lambda, live);
        for (int k = 0; k < outputs; k++) {
          if (live.outputStart[k] != live.outputStart[k + 1] && !outputFrozen[k]) {
            outputMoved[k] = true;
          }
        }
        forwardOutputs(wPlus, yhatWPlus, live);
        curvatures(live);
        int tries = 0;
        while (true) {
          boolean any = false;
          for (int k = 0; k < outputs; k++) {
            outputRedo[k] = false;
            if (live.outputStart[k] == live.outputStart[k + 1] || outputFrozen[k]) {
              continue;
            }
            double quad = outputQuad[k];
            if (quad > 0
                && outputCurvature[k] > quad / (2 * outputStep[k])
                && tries < MAX_BACKTRACKS) {
              // The quadratic's curvature along this step bounds the step it allows: go there at
              // once (a little inside) rather than by repeated factors of 0.8, each a GEMM.
              outputStep[k] =
                  Math.min(BACKTRACK * outputStep[k], 0.95 * quad / (2 * outputCurvature[k]));
              outputRedo[k] = true;
              any = true;
            }
          }
          if (!any) {
            break;
          }
          backtrackCount++;
          tries++;
          proxStep(lambda, live);
          // Only the outputs that backtracked need a new prediction: a GEMM on their columns.
          try (Columns retry = ofOutputs(live, k -> outputRedo[k])) {
            forwardOutputs(wPlus, yhatWPlus, retry);
            curvatures(retry);
          }
        }

        // Gradient-mapping restart tests, then momentum, per output.
        restartTests(live);
        double minStep = Double.POSITIVE_INFINITY;
        for (int k = 0; k < outputs; k++) {
          if (live.outputStart[k] == live.outputStart[k + 1]) {
            continue;
          }
          if (outputFrozen[k] || outputRestart[k] > 0) {
            if (!outputFrozen[k]) {
              restartCount++;
            }
            outputT[k] = 1;
            outputBeta[k] = 0;
          } else {
            double t = outputT[k];
            double tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
            outputBeta[k] = (t - 1) / tNext;
            outputT[k] = tNext;
          }
          if (!outputFrozen[k]) {
            double quad = outputQuad[k];
            // No growth on an output that did not move (quad = 0): its step would grow without
            // bound and cost a cascade of backtracks the day its units wake up.
            if (quad > 0 && LOOSE_FACTOR * outputCurvature[k] <= quad / (2 * outputStep[k])) {
              outputStep[k] *= GROW;
            }
            minStep = Math.min(minStep, outputStep[k]);
          }
        }
        if (minStep < Double.POSITIVE_INFINITY) {
          step = minStep;
        }
        extrapolate(live);
        float[] tmpW = w;
        w = wPlus;
        wPlus = tmpW;
        double[] tmpY = yhatW;
        yhatW = yhatWPlus;
        yhatWPlus = tmpY;
        iterationCount++;
      }
    } finally {
      if (live != set) {
        live.close();
      }
    }
  }

  /**
   * gradW on the columns of {@code set}: copied from gradV where the output's v is its iterate,
   * recovered from the affine identity otherwise. True when every copy was exact.
   */
  private boolean takeIterateGradient(Columns set) {
    boolean exact = true;
    for (int k = 0; k < outputs; k++) {
      if (set.outputStart[k] != set.outputStart[k + 1] && outputBeta[k] != 0) {
        exact = false;
      }
    }
    parallel(
        set.count,
        (chunk, a0, a1) -> {
          for (int a = a0; a < a1; a++) {
            int off = set.group[a] * d;
            double beta = outputBeta[set.group[a] / gates];
            if (beta == 0) {
              System.arraycopy(gradV, off, gradW, off, d);
            } else {
              float b = (float) beta;
              float inv = (float) (1.0 / (1.0 + beta));
              for (int i = off; i < off + d; i++) {
                gradW[i] = (gradV[i] + b * gradW[i]) * inv;
              }
            }
          }
        });
    return exact;
  }

  /** Freezes the outputs of {@code set} that met their share; returns the frozen columns. */
  private int freeze(Columns set, double freezeTolerance) {
    int frozenColumns = 0;
    for (int k = 0; k < outputs; k++) {
      int columns = set.outputStart[k + 1] - set.outputStart[k];
      if (columns == 0) {
        continue;
      }
      if (!outputFrozen[k] && outputGap[k] <= freezeTolerance * outputObjective[k]) {
        outputFrozen[k] = true;
      }
      if (outputFrozen[k]) {
        frozenColumns += columns;
      }
    }
    return frozenColumns;
  }

  /** Thaws the frozen outputs of {@code set} whose exact gap is above their share. */
  private boolean thaw(Columns set, double freezeTolerance) {
    boolean any = false;
    for (int k = 0; k < outputs; k++) {
      if (outputFrozen[k] && outputGap[k] > freezeTolerance * outputObjective[k]) {
        thawOutput(set, k);
        any = true;
      }
    }
    return any;
  }

  private void thawAll(Columns set) {
    for (int k = 0; k < outputs; k++) {
      if (outputFrozen[k]) {
        thawOutput(set, k);
      }
    }
  }

  /** An output re-enters with v = w, its exact gradient and prediction current. */
  private void thawOutput(Columns set, int k) {
    outputFrozen[k] = false;
    outputT[k] = 1;
    outputBeta[k] = 0;
    for (int a = set.outputStart[k]; a < set.outputStart[k + 1]; a++) {
      int off = set.group[a] * d;
      System.arraycopy(w, off, v, off, d);
      System.arraycopy(w, off, wPlus, off, d);
    }
    System.arraycopy(yhatW, k * n, yhatV, k * n, n);
    System.arraycopy(yhatW, k * n, yhatWPlus, k * n, n);
  }

  /** The columns of {@code set} whose output k passes {@code keep}. */
  private Columns ofOutputs(Columns set, IntPredicate keep) {
    boolean[] members = new boolean[groups];
    for (int a = 0; a < set.count; a++) {
      int g = set.group[a];
      members[g] = keep.test(g / gates);
    }
    return subset(members);
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
   * an output's groups are adjacent). A gate with at least {@link #MIN_GATHERED_COLUMNS} columns
   * whose rows {@link GateRows} holds runs its own products on those rows; every other column runs
   * in one product on the shared Zn with its gate's mask applied elementwise (many small GEMMs cost
   * far more than their flops: ND4J's per-call overhead, BLAS's blocking).
   */
  private final class Columns implements AutoCloseable {
    final int[] group;
    final int count;
    final boolean[] member;

    /** Columns of output k are [outputStart[k], outputStart[k + 1]). */
    final int[] outputStart;

    /** Column a's block: a gate j (its own rows) or {@link #SHARED}. */
    final int[] block;

    /** Column a's position among the columns of its block. */
    final int[] slot;

    /** Blocks 0..P−1 are the gates, block P the shared one. */
    final int[] blockCount;

    final INDArray[] big;
    final INDArray[] stage;
    final FloatBuffer[] bigBuf;
    final FloatBuffer[] stageBuf;
    final double gemmFlops;

    Columns(int[] group, int count) {
      this.group = group;
      this.count = count;
      this.member = new boolean[groups];
      this.outputStart = new int[outputs + 1];
      this.block = new int[count];
      this.slot = new int[count];
      this.blockCount = new int[gates + 1];
      int[] perGate = new int[gates];
      for (int a = 0; a < count; a++) {
        member[group[a]] = true;
        outputStart[group[a] / gates + 1]++;
        perGate[group[a] % gates]++;
      }
      for (int k = 0; k < outputs; k++) {
        outputStart[k + 1] += outputStart[k];
      }
      for (int a = 0; a < count; a++) {
        int j = group[a] % gates;
        int b = gateRows.rows(j) != null && perGate[j] >= MIN_GATHERED_COLUMNS ? j : gates;
        block[a] = b;
        slot[a] = blockCount[b]++;
      }
      big = new INDArray[gates + 1];
      stage = new INDArray[gates + 1];
      bigBuf = new FloatBuffer[gates + 1];
      stageBuf = new FloatBuffer[gates + 1];
      double f = 0;
      for (int b = 0; b <= gates; b++) {
        if (blockCount[b] == 0) {
          continue;
        }
        int rows = blockRows(b);
        big[b] = Nd4j.create(DataType.FLOAT, new long[] {rows, blockCount[b]}, 'f');
        stage[b] = Nd4j.create(DataType.FLOAT, new long[] {d, blockCount[b]}, 'f');
        bigBuf[b] = big[b].data().asNioFloat();
        stageBuf[b] = stage[b].data().asNioFloat();
        f += 2.0 * rows * d * blockCount[b];
      }
      this.gemmFlops = f;
    }

    /** The rows block b's products run on. */
    int blockRows(int b) {
      return b == gates ? n : gateRows.rowCount(b);
    }

    /** Block b's left operand: the gate's rows of Zn, or Zn. */
    INDArray blockMatrix(int b) {
      return b == gates ? zn : gateRows.matrix(b);
    }

    @Override
    public void close() {
      for (int b = 0; b <= gates; b++) {
        if (big[b] != null) {
          big[b].close();
          stage[b].close();
        }
      }
    }
  }

  /** yhatOut (column-major n×C) = Σ_j D_j ⊙ Zn·U[k,j,:]ᵀ over the groups of {@code set}. */
  private void forward(float[] u, double[] yhatOut, Columns set) {
    for (int k = 0; k < outputs; k++) {
      if (set.outputStart[k] == set.outputStart[k + 1]) {
        Arrays.fill(yhatOut, k * n, (k + 1) * n, 0.0);
      }
    }
    forwardOutputs(u, yhatOut, set);
  }

  /** {@link #forward} for the outputs with columns in {@code set}; the others are not touched. */
  private void forwardOutputs(float[] u, double[] yhatOut, Columns set) {
    if (set.count == 0) {
      return;
    }
    for (int a = 0; a < set.count; a++) {
      set.stageBuf[set.block[a]].put(set.slot[a] * d, u, set.group[a] * d, d);
    }
    for (int b = 0; b <= gates; b++) {
      if (set.blockCount[b] > 0) {
        Nd4j.gemm(set.blockMatrix(b), set.stage[b], set.big[b], false, false, 1.0, 0.0);
      }
    }
    flops += set.gemmFlops;
    parallel(
        outputs,
        (chunk, k0, k1) -> {
          float[] col = scratch1[chunk];
          for (int k = k0; k < k1; k++) {
            if (set.outputStart[k] == set.outputStart[k + 1]) {
              continue;
            }
            int yOff = k * n;
            Arrays.fill(yhatOut, yOff, yOff + n, 0.0);
            for (int a = set.outputStart[k]; a < set.outputStart[k + 1]; a++) {
              int b = set.block[a];
              int rowsB = set.blockRows(b);
              set.bigBuf[b].get(set.slot[a] * rowsB, col, 0, rowsB);
              if (b == gates) {
                int dOff = (set.group[a] % gates) * n;
                for (int r = 0; r < n; r++) {
                  yhatOut[yOff + r] += patterns[dOff + r] * col[r];
                }
              } else {
                int[] rows = gateRows.rows(b);
                for (int i = 0; i < rowsB; i++) {
                  yhatOut[yOff + rows[i]] += col[i];
                }
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
              int b = set.block[a];
              int rowsB = set.blockRows(b);
              if (b == gates) {
                int dOff = (set.group[a] % gates) * n;
                for (int r = 0; r < n; r++) {
                  masked[r] = patterns[dOff + r] * residual[r];
                }
              } else {
                int[] rows = gateRows.rows(b);
                for (int i = 0; i < rowsB; i++) {
                  masked[i] = residual[rows[i]];
                }
              }
              set.bigBuf[b].put(set.slot[a] * rowsB, masked, 0, rowsB);
            }
          }
        });
    for (int b = 0; b <= gates; b++) {
      if (set.blockCount[b] > 0) {
        Nd4j.gemm(set.blockMatrix(b), set.big[b], set.stage[b], true, false, 1.0 / m, 0.0);
      }
    }
    flops += set.gemmFlops;
    for (int a = 0; a < set.count; a++) {
      set.stageBuf[set.block[a]].get(set.slot[a] * d, gradOut, set.group[a] * d, d);
    }
  }

  // ---- elementwise passes ---------------------------------------------------------------

  /**
   * wPlus = prox_{η_k λ}(v − η_k·gradV) on the groups of {@code set} whose output is marked in
   * {@link #outputRedo} (a frozen output's wPlus is its w); {@link #outputQuad} gets ‖wPlus − v‖²
   * of each recomputed output.
   */
  private void proxStep(double lambda, Columns set) {
    parallel(
        set.count,
        (chunk, a0, a1) -> {
          for (int a = a0; a < a1; a++) {
            int g = set.group[a];
            int k = g / gates;
            int off = g * d;
            if (outputFrozen[k]) {
              System.arraycopy(w, off, wPlus, off, d);
              groupA[a] = 0;
            } else if (outputRedo[k]) {
              double eta = outputStep[k];
              int j = g % gates;
              groupA[a] =
                  proxMetric(
                      v,
                      gradV,
                      eta,
                      lambda,
                      wPlus,
                      off,
                      d,
                      gateDirection,
                      j * d,
                      gateBoost[j],
                      gateScale[j]);
            }
          }
        });
    for (int k = 0; k < outputs; k++) {
      if (outputRedo[k] && !outputFrozen[k]) {
        outputQuad[k] = sum(groupA, set.outputStart[k], set.outputStart[k + 1]);
      }
    }
  }

  /**
   * {@link #outputCurvature}[k] = ‖Ŷ_k(w⁺) − Ŷ_k(v)‖²/(2m) = f_k(w⁺) − f_k(v) − ⟨∇f_k(v), w⁺ − v⟩
   * exactly (f is quadratic) for the outputs with columns in {@code set}.
   */
  private void curvatures(Columns set) {
    parallel(
        outputs,
        (chunk, k0, k1) -> {
          for (int k = k0; k < k1; k++) {
            if (set.outputStart[k] == set.outputStart[k + 1]) {
              continue;
            }
            double s = 0;
            for (int i = k * n; i < (k + 1) * n; i++) {
              double e = yhatWPlus[i] - yhatV[i];
              s += e * e;
            }
            outputCurvature[k] = s / (2 * m);
          }
        });
  }

  /**
   * {@link #outputRestart}[k] = ⟨w⁺ − w, v − w⁺⟩ over output k's groups in {@code set}: positive
   * means its momentum points uphill, so it restarts.
   */
  private void restartTests(Columns set) {
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
    for (int k = 0; k < outputs; k++) {
      outputRestart[k] = sum(groupA, set.outputStart[k], set.outputStart[k + 1]);
    }
  }

  /** v = w⁺ + β_k(w⁺ − w) on {@code set}, and the same combination of each output's prediction. */
  private void extrapolate(Columns set) {
    parallel(
        set.count,
        (chunk, a0, a1) -> {
          for (int a = a0; a < a1; a++) {
            int off = set.group[a] * d;
            float b = (float) outputBeta[set.group[a] / gates];
            for (int i = off; i < off + d; i++) {
              v[i] = wPlus[i] + b * (wPlus[i] - w[i]);
            }
          }
        });
    for (int k = 0; k < outputs; k++) {
      if (set.outputStart[k] == set.outputStart[k + 1]) {
        continue;
      }
      double beta = outputBeta[k];
      for (int i = k * n; i < (k + 1) * n; i++) {
        yhatV[i] = yhatWPlus[i] + beta * (yhatWPlus[i] - yhatW[i]);
      }
    }
  }

  /**
   * The certificate of iterate {@code u} with prediction {@code yhat} and gradient {@code grad},
   * for the problem restricted to the groups of {@code set} (their dual constraints and optimality
   * only).
   */
  private Certificate certificate(
      float[] u, double[] yhat, float[] grad, double lambda, Columns set) {
    return certificate(u, yhat, grad, lambda, set, null);
  }

  /**
   * {@link #certificate(float[], double[], float[], double, Columns)} where only the outputs with
   * columns in {@code fresh} (all when null) have a new prediction since the last certificate: the
   * others reuse their residual sums (n numbers an output saved on each of them).
   */
  private Certificate certificate(
      float[] u, double[] yhat, float[] grad, double lambda, Columns set, Columns fresh) {
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
    Arrays.fill(outputObjective, 0.0);
    for (int a = 0; a < set.count; a++) {
      double un = Math.sqrt(groupA[a]);
      double gn = Math.sqrt(groupB[a]);
      normSum += un;
      outputObjective[set.group[a] / gates] += lambda * un;
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
      if (fresh == null || fresh.outputStart[k] != fresh.outputStart[k + 1]) {
        double r2 = 0;
        double ry = 0;
        for (int i = k * n; i < (k + 1) * n; i++) {
          double r = y[i] - yhat[i];
          r2 += r * r;
          ry += r * y[i];
        }
        outputResidual2[k] = r2;
        outputResidualDotY[k] = ry;
      }
      double residual2 = outputResidual2[k];
      double residualDotY = outputResidualDotY[k];
      double bound = outputNu[k] > 0 ? lambda / outputNu[k] : Double.POSITIVE_INFINITY;
      double alpha = residual2 > 0 ? residualDotY / residual2 : 0.0;
      alpha = Math.max(-bound, Math.min(bound, alpha));
      residual2Total += residual2;
      double dualK = (2 * alpha * residualDotY - alpha * alpha * residual2) / (2 * m);
      dual += dualK;
      outputObjective[k] += residual2 / (2 * m);
      outputGap[k] = outputObjective[k] - dualK;
    }
    double loss = residual2Total / (2 * m);
    return new Certificate(loss, lambda * normSum, dual, subgradient, nu);
  }

  /**
   * The proximal metric of each gate (see {@link #gateDirection}): why. Every gate's curvature has
   * one direction far above the rest — post-ReLU inputs share a large mean, and on stage-4
   * activations the top eigenvalue of Znᵀ Zn carries 55 % of its trace — so a Euclidean step is
   * held to that direction's curvature while the units' signal lies in the others. A metric that is
   * the curvature along q_j and the bulk's elsewhere lets each step take the bulk's size; the
   * per-gate scale β_j does the same between sparse and dense gates. A float64 prototype on the
   * learner's logits problem (10 outputs, 32 gates, 0.01·λmax, gap 1e-3) took 425 iterations
   * instead of 600 (two directions per gate: 400). Estimated by power iteration on all gates at
   * once (30 steps, then 30 on the deflated operator for e2); the line search keeps every step
   * valid whatever the estimates' error.
   */
  private void gateMetric() {
    float[] top = new float[d * gates];
    double[] e1 = gatePowerIteration(top, null, 7);
    float[] second = new float[d * gates];
    double[] e2 = gatePowerIteration(second, top, 11);
    double maxE2 = 0;
    for (double e : e2) {
      maxE2 = Math.max(maxE2, e);
    }
    gateDirection = top;
    gateBoost = new double[gates];
    gateScale = new double[gates];
    for (int j = 0; j < gates; j++) {
      if (e2[j] > 0 && maxE2 > 0 && e1[j] >= e2[j]) {
        gateBoost[j] = e1[j] / e2[j] - 1;
        gateScale[j] = Math.max(e2[j] / maxE2, MIN_GATE_SCALE);
      } else {
        gateBoost[j] = 0;
        gateScale[j] = 1;
      }
    }
  }

  /**
   * Power iteration on every gate's G_j = (D_j Zn)ᵀ(D_j Zn)/m at once (two GEMMs a step); {@code
   * vectors} (d per gate) gets the unit eigenvector estimates. With {@code deflate}, each gate's
   * iterate is kept orthogonal to deflate's vector for that gate (its second eigenpair). Returns
   * the eigenvalue estimates.
   */
  private double[] gatePowerIteration(float[] vectors, float[] deflate, long seed) {
    INDArray x = Nd4j.create(DataType.FLOAT, new long[] {d, gates}, 'f');
    INDArray a = Nd4j.create(DataType.FLOAT, new long[] {n, gates}, 'f');
    FloatBuffer xBuf = x.data().asNioFloat();
    FloatBuffer aBuf = a.data().asNioFloat();
    float[] ah = new float[n * gates];
    Random random = new Random(seed);
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = (float) random.nextGaussian();
    }
    double[] estimate = new double[gates];
    for (int it = 0; it < POWER_ITERATIONS; it++) {
      for (int j = 0; j < gates; j++) {
        if (deflate != null) {
          double dot = 0;
          for (int i = j * d; i < (j + 1) * d; i++) {
            dot += (double) vectors[i] * deflate[i];
          }
          for (int i = j * d; i < (j + 1) * d; i++) {
            vectors[i] -= (float) (dot * deflate[i]);
          }
        }
        double norm = Math.sqrt(sumSquares(vectors, j * d));
        for (int i = j * d; i < (j + 1) * d; i++) {
          vectors[i] = norm > 0 ? (float) (vectors[i] / norm) : 0f;
        }
      }
      if (it == POWER_ITERATIONS - 1) {
        break;
      }
      xBuf.put(0, vectors, 0, vectors.length);
      Nd4j.gemm(zn, x, a, false, false, 1.0, 0.0);
      aBuf.get(0, ah, 0, ah.length);
      for (int i = 0; i < ah.length; i++) {
        ah[i] *= patterns[i];
      }
      aBuf.put(0, ah, 0, ah.length);
      Nd4j.gemm(zn, a, x, true, false, 1.0 / m, 0.0);
      xBuf.get(0, vectors, 0, vectors.length);
      for (int j = 0; j < gates; j++) {
        estimate[j] = Math.sqrt(sumSquares(vectors, j * d));
      }
    }
    x.close();
    a.close();
    return estimate;
  }

  /**
   * One proximal step of a group in the metric M = β·(I + a·q qᵀ) (q a unit vector at {@code
   * dirOff} of {@code dir}): {@code out = argmin_u ⟨grad, u − v⟩ + (u − v)ᵀM(u − v)/(2η) + λ‖u‖} on
   * [off, off + len). With t = η/β and b = (I + a·q qᵀ)v − t·grad: u = 0 when ‖b‖ ≤ tλ, else u = (I
   * + a·q qᵀ + ρI)⁻¹ b with ρ = tλ/‖u‖, one scalar equation (solved by Newton's method from the
   * isotropic root, which is exact at a = 0: then this is the group soft-threshold). Returns (out −
   * v)ᵀ M (out − v), the line search's quadratic term.
   */
  static double proxMetric(
      float[] v,
      float[] grad,
      double eta,
      double lambda,
      float[] out,
      int off,
      int len,
      float[] dir,
      int dirOff,
      double a,
      double beta) {
    double t = eta / beta;
    double vq = 0;
    if (a != 0) {
      for (int i = 0; i < len; i++) {
        vq += (double) dir[dirOff + i] * v[off + i];
      }
    }
    double shift = a * vq;
    double bb = 0;
    double p = 0;
    for (int i = 0; i < len; i++) {
      double b = v[off + i] + shift * dir[dirOff + i] - t * grad[off + i];
      bb += b * b;
      p += b * dir[dirOff + i];
    }
    if (a == 0) {
      p = 0;
    }
    double threshold = t * lambda;
    double norm = Math.sqrt(bb);
    if (!(norm > threshold)) {
      // Exact zeros (not -0.0 or denormals): zero groups are what make the student small.
      double moved = 0;
      double movedQ = 0;
      for (int i = 0; i < len; i++) {
        out[off + i] = 0f;
        moved += (double) v[off + i] * v[off + i];
      }
      movedQ = vq;
      return beta * (moved + a * movedQ * movedQ);
    }
    double perp2 = Math.max(0, bb - p * p);
    double rho = threshold / (norm - threshold);
    if (a != 0) {
      double p2 = p * p;
      for (int it = 0; it < 50; it++) {
        double cPar = 1 / (1 + a + rho);
        double cPerp = 1 / (1 + rho);
        double sq = p2 * cPar * cPar + perp2 * cPerp * cPerp;
        double root = Math.sqrt(sq);
        double f = rho * root - threshold;
        if (Math.abs(f) <= 1e-12 * threshold) {
          break;
        }
        double dsq = -2 * p2 * cPar * cPar * cPar - 2 * perp2 * cPerp * cPerp * cPerp;
        double df = root + rho * dsq / (2 * root);
        double next = rho - f / df;
        rho = next > 0 ? next : rho / 2;
      }
    }
    double cPerp = 1 / (1 + rho);
    double along = (1 / (1 + a + rho) - cPerp) * p;
    double moved = 0;
    double movedQ = 0;
    for (int i = 0; i < len; i++) {
      double q = dir[dirOff + i];
      double b = v[off + i] + shift * q - t * grad[off + i];
      float next = (float) (cPerp * b + along * q);
      out[off + i] = next;
      double delta = next - v[off + i];
      moved += delta * delta;
      movedQ += delta * q;
    }
    return beta * (moved + a * movedQ * movedQ);
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

  private static double sum(double[] values, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
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
    gateRows.close();
  }
}
