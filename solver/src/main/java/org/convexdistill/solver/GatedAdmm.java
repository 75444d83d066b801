package org.convexdistill.solver;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ADMM with a cached kernel factorisation for the convex gated-ReLU problem, with either penalty:
 *
 * <ul>
 *   <li>{@link Penalty#GROUP_LASSO}: λ·Σ_{k,j}‖U[k,j,:]‖, the one-vs-all problem {@link RFista}
 *       solves (one hidden unit per non-zero group);
 *   <li>{@link Penalty#NUCLEAR_NORM}: λ·Σ_j‖V_j‖_* with V_j = U[:,j,:]ᵀ (d × C), the shared-output
 *       convex model (the paper's Theorem 3B): units are V_j's singular triplets.
 * </ul>
 *
 * <p><b>Why ADMM.</b> The learner fits the teacher's logits (C = 10) at small λ, nearly
 * unregularised. There the problem is as ill-conditioned as the post-ReLU features are (their
 * covariance spectrum decays smoothly), and proximal-gradient methods need hundreds of iterations
 * whatever their step rules. ADMM splits f(V) + λΩ(W) with V = W and solves the V-step — a ridge
 * problem — exactly, so the conditioning of the features no longer sets the iteration count. The
 * ridge step is cheap in sample space. With Φ = [D_1 Zn … D_P Zn] (n × Pd, Pd ≫ n) and a per-gate
 * metric R = diag(ρ_j) (the augmented term is Σ_j ρ_j/2·‖V_j − W_j + U_j‖²), K_R = ΦR⁻¹Φᵀ/m = (Zn
 * Znᵀ ⊙ D R⁻¹ Dᵀ)/m is n × n ({@link MetricKernel}: the Gram formed once per problem, one n×P×n
 * product and a Cholesky factorisation per metric), and Woodbury gives
 *
 * <pre>
 *   z = (I + K_R)⁻¹(K_R·Y + Φ(W − U)),   V = R⁻¹Φᵀ(Y − z)/m + W − U;
 * </pre>
 *
 * per iteration, one gradient-shaped GEMM (Φᵀ·), one forward GEMM on W's support only (Φ(W − U) is
 * tracked in n-space through ΦV = z), and two triangular solves with C right-hand sides. The W-step
 * is the penalty's prox at λ/ρ_j on gate j: group soft-thresholding, or singular-value thresholding
 * of each gate's d × C block (exact, from the C × C Gram matrix: C must be small, e.g. the 10 logit
 * coordinates). Over-relaxation α = 1.6 as in Boyd et al. (2011), §3.4.2. Residual balancing of ρ
 * was tried and made it slower (800 instead of 140 iterations at 0.02·λmax).
 *
 * <p><b>The metric.</b> λ/‖w_g‖ is the penalty's curvature at a unit of norm ‖w_g‖, and a quarter
 * of it suits ρ ({@link #RHO_CURVATURE}). Units of different gates differ in size, so each gate
 * gets the median of its own units ({@link #curvatureMetric}). From 0 the units are unknown: ρ
 * starts on the kernel's scale ({@link #RHO_SCALE}), moves to one value from the iterate's units
 * after 10 iterations and to per-gate values after 40. A warm start brings its units, so its metric
 * is per-gate from the first iteration: that is most of why warm refits pay (a window slid by 10 %:
 * 22–30 iterations on the 2-epoch teacher's 2,000-row windows, 39–170 with one ρ set from the same
 * units, 41–74 before).
 *
 * <p><b>Certificate.</b> The iterate W is always a feasible point of the original problem; the dual
 * points are those of {@link RFista}'s certificate, θ = α·r, feasible when |α|·ν ≤ λ with ν the
 * largest group gradient norm (group lasso, per output) or the largest spectral norm of a gate's
 * gradient block (nuclear norm). The V-step's product Φᵀ(Y − z) is the gradient at V (z = ΦV), so r
 * = Y − ΦV gives a dual bound at every iteration without another product; the best bound so far
 * against F(W) is the relative gap the solve stops on (on stage-4 activations this bound is ~6×
 * tighter than one from W's own residual at the same iteration). A warm start W₀ starts the scaled
 * dual variable from the previous solve's dual ρ·U when given ({@link Options#withWarmStart(
 * ConvexWeights, ConvexWeights)}: a subgradient of the penalty, so it does not depend on the rows),
 * else at U₀ = −R⁻¹Π(∇f(W₀)), its value when W₀ is optimal for these rows.
 *
 * <p>Not thread-safe: one solve at a time. Close it to free the native buffers.
 */
public final class GatedAdmm implements AutoCloseable {
  /** Which penalty the problem carries. */
  public enum Penalty {
    GROUP_LASSO,
    NUCLEAR_NORM
  }

  /** Largest C for the nuclear norm: its prox eigen-decomposes a C × C matrix per gate. */
  public static final int MAX_NUCLEAR_OUTPUTS = 64;

  private static final double RELAXATION = 1.6;

  /**
   * The first ρ from 0: RHO_SCALE·(λ/λmax)·tr(K̃)/n on every gate. On real stage-4 activations of
   * the logits problem (n = 2,200, 32 gates, gap 1e-3) 30 took 50–80 iterations at 0.02 and
   * 0.002·λmax for both penalties; 10 took 65–150, 90 took 135–165, 3 took 195–495.
   */
  private static final double RHO_SCALE = 30;

  /**
   * After these iterations (unless ρ was fixed by the caller) the metric moves to the iterate's
   * curvature ({@link #curvatureMetric}) when some gate's ρ is more than 2× off; a warm start's
   * only after the second.
   */
  private static final int[] ADAPT_AT = {10, 40};

  /**
   * λ/‖w_g‖ is the curvature of the penalty at a unit of norm ‖w_g‖; a ρ at a quarter of its median
   * suited both teachers at every λ tried (the kernel-scale rule alone needed a 3–10× larger ρ for
   * the 2-epoch teacher than for the 20-epoch one: 66–92 instead of 209–278 iterations there).
   */
  static final double RHO_CURVATURE = 0.25;

  /**
   * Bound on a gate's ρ against the median-unit value: a gate whose units are all tiny would
   * otherwise barely move.
   */
  private static final double METRIC_SPREAD = 30;

  /** {@code -Dadmm.trace=true} prints every iteration's objective and bound on stderr. */
  private static final boolean TRACE = Boolean.getBoolean("admm.trace");

  /** Φ·U is tracked through n-space updates; recomputed exactly this often against drift. */
  private static final int RESYNC_EVERY = 25;

  private final GatedReluProblem problem;
  private final Penalty penalty;
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
  private final MetricKernel kernel;
  private final double kernelScale;

  /**
   * Weights in the solver's layout (k, j, i): a d×CP Fortran matrix whose column kP+j is a group.
   */
  private final INDArray stage;

  private final FloatBuffer stageBuf;

  /** n × CP Fortran: per group, the masked residual (gradient) or Zn·u (forward). */
  private final INDArray big;

  private final FloatBuffer bigBuf;
  private final INDArray nspace;
  private final ParallelRange parallel;
  private double flops;
  private double lambdaMax = Double.NaN;

  /**
   * Options of one solve.
   *
   * @param rho one fixed ρ on every gate, or NaN for the adaptive per-gate metric
   * @param warmStart W₀, or null to start from 0
   * @param allowedGroups groups that may be non-zero (C·P, k·P + j), or null for all
   * @param warmDual with a warm start: the unscaled dual ρ·U of the solve W₀ came from ({@link
   *     Result#dual}), or null to derive it from W₀'s gradient
   */
  public record Options(
      double lambda,
      double gapTolerance,
      int maxIterations,
      double rho,
      ConvexWeights warmStart,
      boolean[] allowedGroups,
      ConvexWeights warmDual) {
    public Options {
      if (!(lambda >= 0) || !(gapTolerance > 0) || maxIterations < 1) {
        throw new IllegalArgumentException(
            "ADMM needs λ >= 0, a positive gap tolerance and >= 1 iteration");
      }
    }

    /** Options at λ with the default ρ, from 0, over every group. */
    public static Options of(double lambda, double gapTolerance, int maxIterations) {
      return new Options(lambda, gapTolerance, maxIterations, Double.NaN, null, null, null);
    }

    public Options withWarmStart(ConvexWeights w) {
      return new Options(lambda, gapTolerance, maxIterations, rho, w, allowedGroups, warmDual);
    }

    public Options withAllowedGroups(boolean[] g) {
      return new Options(lambda, gapTolerance, maxIterations, rho, warmStart, g, warmDual);
    }

    public Options withRho(double r) {
      return new Options(
          lambda, gapTolerance, maxIterations, r, warmStart, allowedGroups, warmDual);
    }

    /**
     * A warm start from a previous solve's weights and its dual ρ·U (both carried to this problem's
     * column scales by {@link ConvexWeights#rescaled}).
     */
    public Options withWarmStart(ConvexWeights w, ConvexWeights dual) {
      return new Options(lambda, gapTolerance, maxIterations, rho, w, allowedGroups, dual);
    }
  }

  /**
   * What one solve produced.
   *
   * @param result the solution and its certificate, in {@link RFista}'s terms (backtracks count the
   *     refactorisations for a new ρ)
   * @param rho the median over gates of the final metric
   * @param dual the final unscaled dual ρ·U (a subgradient of λΩ at the solution when converged:
   *     with W, the warm start of a refit on a slid window), in the weights' layout
   */
  public record Result(SolverResult result, double rho, ConvexWeights dual) {}

  /**
   * Off-heap bytes the kernel needs at its peak: the n × n float Gram (kept) and the pattern
   * overlap while a metric's kernel is formed, and the double Cholesky factor ({@link
   * MetricKernel}).
   */
  static long kernelBytes(int n) {
    return 16L * n * n;
  }

  /**
   * Refuses a problem whose kernel cannot fit in {@code freeBytes} of native memory, with what to
   * do instead, rather than failing deep inside an allocation.
   */
  public static void requireKernelFits(int n, long freeBytes) {
    long need = kernelBytes(n);
    if (freeBytes > 0 && need > freeBytes) {
      int fits = (int) Math.sqrt(freeBytes / 16.0);
      throw new InvalidProblemException(
          String.format(
              java.util.Locale.ROOT,
              "ADMM keeps an n × n kernel: %,d rows need %.1f GB of native memory but %.1f GB"
                  + " is free; use at most %,d rows (--samples, --window-size), the R-FISTA solver"
                  + " (drop --admm, or --solver rfista), or raise the native limit"
                  + " (DISTILL_OFFHEAP)",
              n,
              need / 1e9,
              freeBytes / 1e9,
              fits));
    }
  }

  public GatedAdmm(GatedReluProblem problem, Penalty penalty, int threads) {
    this.problem = problem;
    this.penalty = penalty;
    this.n = problem.samples();
    this.d = problem.inputDim();
    this.outputs = problem.outputs();
    this.gates = problem.gates();
    this.groups = outputs * gates;
    this.size = groups * d;
    this.m = problem.lossScale();
    if (penalty == Penalty.NUCLEAR_NORM && outputs > MAX_NUCLEAR_OUTPUTS) {
      throw new InvalidProblemException(
          "the nuclear-norm ADMM thresholds each gate's d × C block exactly and needs C <= "
              + MAX_NUCLEAR_OUTPUTS
              + ", got C = "
              + outputs
              + ": fit the teacher's logits (--head-weight logits)");
    }
    this.y = problem.targetsColumnMajor();
    this.patterns = problem.patternsColumnMajor();
    this.zn = problem.normalizedInputs();
    requireKernelFits(
        n, org.bytedeco.javacpp.Pointer.maxBytes() - org.bytedeco.javacpp.Pointer.totalBytes());
    this.parallel = new ParallelRange(Math.max(1, threads));

    kernel = new MetricKernel(zn, patterns, y, gates, m);
    flops += MetricKernel.gramFlops(n, d);
    kernelScale = kernel.meanEigenvalue();
    stage = Nd4j.create(DataType.FLOAT, new long[] {d, groups}, 'f');
    stageBuf = stage.data().asNioFloat();
    big = Nd4j.create(DataType.FLOAT, new long[] {n, groups}, 'f');
    bigBuf = big.data().asNioFloat();
    nspace = Nd4j.create(DataType.DOUBLE, new long[] {n, outputs}, 'f');
  }

  /** The problem this solver works on. */
  public GatedReluProblem problem() {
    return problem;
  }

  /** The penalty. */
  public Penalty penalty() {
    return penalty;
  }

  /** tr(K̃)/n: the kernel's mean eigenvalue, the scale of ρ. */
  public double kernelScale() {
    return kernelScale;
  }

  /** Floating-point operations in the large products so far. */
  public double flopCount() {
    return flops;
  }

  /**
   * A singular triplet whose σ is at most this fraction of the largest (over all gates) is not a
   * unit: ADMM's singular-value thresholding leaves exact zeros, float rounding leaves ~1e-7.
   */
  public static final double UNIT_CUTOFF = 1e-6;

  /**
   * The student's hidden units for weights of this problem: non-zero groups (group lasso), or
   * singular triplets of the gate blocks above {@link #UNIT_CUTOFF} (nuclear norm; see {@link
   * StudentFactory#fromNuclearSolution}).
   */
  public int hiddenUnits(ConvexWeights w) {
    if (penalty == Penalty.GROUP_LASSO) {
      return w.nonzeroGroups();
    }
    double[][] sv = new double[gates][];
    double top = 0;
    for (int j = 0; j < gates; j++) {
      sv[j] = singularValues(w.values(), j);
      top = Math.max(top, max(sv[j]));
    }
    int units = 0;
    for (double[] v : sv) {
      for (double x : v) {
        units += x > 0 && x > UNIT_CUTOFF * top ? 1 : 0;
      }
    }
    return units;
  }

  /** The student of weights of this problem, one unit per hidden unit as counted above. */
  public org.convexdistill.core.student.StudentBlock student(ConvexWeights w) {
    return penalty == Penalty.GROUP_LASSO
        ? StudentFactory.fromSolution(problem, w)
        : StudentFactory.fromNuclearSolution(problem, w, UNIT_CUTOFF);
  }

  /** The smallest λ at which U = 0 is optimal. */
  public double lambdaMax() {
    if (Double.isNaN(lambdaMax)) {
      float[] grad = new float[size];
      double[] minusY = new double[n * outputs];
      for (int i = 0; i < minusY.length; i++) {
        minusY[i] = -y[i];
      }
      gradient(minusY, grad, 1.0 / m);
      lambdaMax = dualNorm(grad);
    }
    return lambdaMax;
  }

  /**
   * The default ρ at λ: proportional to λ/λmax (measured on real stage-4 activations of the logits
   * problem: the best fixed ρ scales with λ), on the kernel's scale.
   */
  public double defaultRho(double lambda) {
    double ratio = lambdaMax() > 0 ? Math.max(lambda / lambdaMax(), 1e-6) : 1;
    return RHO_SCALE * ratio * kernelScale;
  }

  /**
   * The per-gate metric at w: ρ_j = {@link #RHO_CURVATURE}·λ/(median norm of gate j's non-zero
   * groups, or of its singular values), λ/‖w_g‖ being the penalty's curvature at a unit of that
   * size. A gate with none takes the value of the median over all gates' units; every ρ_j stays
   * within {@link #METRIC_SPREAD} of it. With {@code uniform}, that value on every gate. Null when
   * w = 0.
   */
  private double[] curvatureMetric(float[] w, double lambda, boolean uniform) {
    double[][] perGate = new double[gates][];
    if (penalty == Penalty.GROUP_LASSO) {
      for (int j = 0; j < gates; j++) {
        double[] norms = new double[outputs];
        int count = 0;
        for (int k = 0; k < outputs; k++) {
          int off = (k * gates + j) * d;
          double s2 = 0;
          for (int i = off; i < off + d; i++) {
            s2 += (double) w[i] * w[i];
          }
          if (s2 > 0) {
            norms[count++] = Math.sqrt(s2);
          }
        }
        perGate[j] = Arrays.copyOf(norms, count);
      }
    } else {
      // Thresholding leaves many tiny singular values in the first iterations: count those above
      // 1 % of the largest only.
      double[][] sv = new double[gates][];
      double top = 0;
      for (int j = 0; j < gates; j++) {
        sv[j] = singularValues(w, j);
        top = Math.max(top, max(sv[j]));
      }
      for (int j = 0; j < gates; j++) {
        final double floor = 0.01 * top;
        perGate[j] = Arrays.stream(sv[j]).filter(x -> x > 0 && x > floor).toArray();
      }
    }
    double[] all = Arrays.stream(perGate).flatMapToDouble(Arrays::stream).toArray();
    if (all.length == 0) {
      return null;
    }
    double overall = RHO_CURVATURE * lambda / median(all);
    double[] rho = new double[gates];
    for (int j = 0; j < gates; j++) {
      double r = perGate[j].length == 0 ? overall : RHO_CURVATURE * lambda / median(perGate[j]);
      rho[j] =
          uniform
              ? overall
              : Math.max(overall / METRIC_SPREAD, Math.min(overall * METRIC_SPREAD, r));
    }
    return rho;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  /** The prox's threshold λ/ρ_j per gate. */
  private static double[] thresholds(double[] rho, double lambda) {
    double[] t = new double[rho.length];
    for (int j = 0; j < rho.length; j++) {
      t[j] = lambda / rho[j];
    }
    return t;
  }

  /** Whether some gate's ρ differs from its target by more than 2×. */
  private static boolean farFrom(double[] rho, double[] target) {
    for (int j = 0; j < rho.length; j++) {
      if (target[j] > 2 * rho[j] || target[j] < rho[j] / 2) {
        return true;
      }
    }
    return false;
  }

  /** Solves at {@code o.lambda()}. */
  public Result solve(Options o) {
    long t0 = System.nanoTime();
    double flops0 = flops;
    double lambda = o.lambda();
    boolean[] allowed = o.allowedGroups();
    if (allowed != null && allowed.length != groups) {
      throw new IllegalArgumentException("allowed groups: " + allowed.length + " != " + groups);
    }
    float[] w = new float[size];
    if (o.warmStart() != null) {
      ConvexWeights ws = o.warmStart();
      if (ws.outputs() != outputs || ws.gates() != gates || ws.inputDim() != d) {
        throw new IllegalArgumentException("warm start has the wrong shape");
      }
      System.arraycopy(ws.values(), 0, w, 0, size);
      mask(w, allowed);
    }
    if (lambda >= lambdaMax() && allowed == null) {
      float[] zero = new float[size];
      Certificate c = exactCertificate(zero, new double[n * outputs], lambda, null, 0);
      return new Result(
          result(zero, lambda, c, 0, StopReason.ZERO_SOLUTION, t0, flops0), o.rho(), null);
    }
    // The metric: a fixed ρ on every gate when asked; else from a warm start's own units (their
    // curvature is known), or the kernel-scale default from 0, moved after ADAPT_AT iterations.
    boolean adaptive = Double.isNaN(o.rho());
    double[] rho = new double[gates];
    double[] fromStart = adaptive ? curvatureMetric(w, lambda, false) : null;
    if (fromStart != null) {
      rho = fromStart;
    } else {
      Arrays.fill(rho, adaptive ? defaultRho(lambda) : o.rho());
    }
    kernel.factorise(rho);

    double[] aw = new double[n * outputs];
    forward(w, aw);
    double[] residual = new double[n * outputs];
    for (int i = 0; i < residual.length; i++) {
      residual[i] = y[i] - aw[i];
    }
    // Warm: U0 = −Π(∇f(W0))/ρ with ∇f(W0) = −Φᵀ(Y − ΦW0)/m projected onto the dual-feasible set
    // (every group's norm, or gate block's spectral norm, at most λ): the scaled dual of W0 when W0
    // is optimal, and bounded when it is not — a window that moved leaves some gradients far above
    // λ, and −∇f/ρ with ρ ∝ λ then throws the first prox far off (F rose 10⁵-fold in the learner).
    // Cold: U0 = 0 (the gradient at 0 is λmax-sized, far from the dual at a small λ).
    // The allowed groups restrict W only (an indicator in the prox): V and U range over every
    // group, so the V-step keeps the one shared kernel.
    float[] u = new float[size];
    double[] au = new double[n * outputs];
    if (o.warmStart() != null && o.warmDual() != null) {
      // The previous solve's dual: at its optimum ρU is a subgradient of λΩ at W₀, which does not
      // depend on the rows, so it stays close when the window slides (the gradient at W₀ does
      // not: the new rows are not fitted yet).
      ConvexWeights dual = o.warmDual();
      if (dual.outputs() != outputs || dual.gates() != gates || dual.inputDim() != d) {
        throw new IllegalArgumentException("warm dual has the wrong shape");
      }
      System.arraycopy(dual.values(), 0, u, 0, size);
      scaleByGate(u, rho, true);
      forward(u, au);
    } else if (o.warmStart() != null) {
      gradient(residual, u, 1.0 / m);
      projectDual(u, lambda);
      scaleByGate(u, rho, true);
      forward(u, au);
    }
    float[] v = new float[size];
    double[] z = new double[n * outputs];
    double[] awNew = new double[n * outputs];
    double bestDual = Double.NEGATIVE_INFINITY;
    OutputDualBound bound =
        penalty == Penalty.GROUP_LASSO
            ? new OutputDualBound(n, outputs, gates, d, m, y, allowed)
            : null;
    double bestObjective = Double.POSITIVE_INFINITY;
    float[] best = w.clone();
    double bestLoss = Double.NaN;
    double bestPenalty = Double.NaN;
    StopReason stop = StopReason.MAX_ITERATIONS;
    int it;
    java.nio.DoubleBuffer rb = nspace.data().asNioDouble();
    // The same array for every metric: factorise() rewrites it in place.
    java.nio.DoubleBuffer ky = kernel.kernelTimesTargets().data().asNioDouble();
    double[] thresholds = thresholds(rho, lambda);
    for (it = 1; it <= o.maxIterations(); it++) {
      // z = ΦV = (I + K_R)⁻¹(K_R·Y + Φ(W − U))
      for (int i = 0; i < z.length; i++) {
        rb.put(i, ky.get(i) + aw[i] - au[i]);
      }
      kernel.solveInPlace(nspace);
      rb.get(0, z, 0, z.length);
      for (int i = 0; i < residual.length; i++) {
        residual[i] = y[i] - z[i];
      }
      // Φᵀ(Y − z)/m = −∇f(V): the V-step's product is also the gradient at V, so the dual point
      // θ = α·(Y − ΦV) certifies at no extra product.
      gradient(residual, v, 1.0 / m);
      bestDual =
          Math.max(
              bestDual,
              bound != null
                  ? bound.offer(residual, v, lambda)
                  : dualValue(residual, v, lambda, allowed));
      final float[] vv = v;
      final float[] ww = w;
      final float[] uu = u;
      final double[] metric = rho;
      parallel.run(
          groups,
          (chunk, g0, g1) -> {
            for (int g = g0; g < g1; g++) {
              float inv = (float) (1 / metric[g % gates]);
              for (int i = g * d; i < (g + 1) * d; i++) {
                // V = R⁻¹Φᵀ(Y − z)/m + W − U, over-relaxed: V̂ = αV + (1 − α)W; kept in v. The
                // prox then sees V̂ + U, written to u's scratch below.
                float vi = vv[i] * inv + ww[i] - uu[i];
                vv[i] = (float) (RELAXATION * vi + (1 - RELAXATION) * ww[i]);
              }
            }
          });
      // W⁺ = prox_{λR⁻¹Ω}(V̂ + U); U⁺ = U + V̂ − W⁺
      float[] wNew = new float[size];
      for (int i = 0; i < size; i++) {
        wNew[i] = v[i] + u[i];
      }
      double penalty = prox(wNew, thresholds, allowed);
      for (int i = 0; i < size; i++) {
        u[i] += v[i] - wNew[i];
      }
      forward(wNew, awNew);
      double loss = 0;
      for (int i = 0; i < au.length; i++) {
        // ΦU⁺ = ΦU + ΦV̂ − ΦW⁺ with ΦV = z
        au[i] += RELAXATION * z[i] + (1 - RELAXATION) * aw[i] - awNew[i];
        double e = y[i] - awNew[i];
        loss += e * e;
      }
      loss /= 2 * m;
      w = wNew;
      double[] swap = aw;
      aw = awNew;
      awNew = swap;
      boolean resync = it % RESYNC_EVERY == 0;
      // A warm start's metric comes from settled units: it is checked after 40 iterations only
      // (checking after 10 too refactorised in half the learner's warm refits for no fewer
      // iterations: 19–31 either way on 4,000-row windows).
      if (adaptive && (it == ADAPT_AT[1] || (it == ADAPT_AT[0] && fromStart == null))) {
        // From 0, ten iterations leave units too unsettled for per-gate medians (93 instead of 70
        // iterations on the 20-epoch teacher's window): one ρ for every gate first.
        double[] target = curvatureMetric(w, lambda, it == ADAPT_AT[0] && fromStart == null);
        if (target != null && farFrom(rho, target)) {
          // The scaled dual variable is y/ρ_j: keep y.
          scaleByGate(u, rho, false);
          scaleByGate(u, target, true);
          rho = target;
          thresholds = thresholds(rho, lambda);
          kernel.factorise(rho);
          if (bound != null) {
            bound.restartSequence();
          }
          resync = true;
        }
      }
      if (resync) {
        forward(u, au);
      }
      double objective = loss + lambda * penalty;
      if (objective < bestObjective) {
        bestObjective = objective;
        best = w;
        bestLoss = loss;
        bestPenalty = penalty;
      }
      if (TRACE) {
        System.err.printf(
            "admm %d F %.8e dual %.8e gap %.3e%n",
            it, objective, bestDual, (bestObjective - bestDual) / bestObjective);
      }
      // The best feasible point so far (the one returned) against the best dual bound: ADMM's
      // objective is not monotone.
      if (bestObjective - bestDual <= o.gapTolerance() * bestObjective) {
        stop = StopReason.DUALITY_GAP;
        break;
      }
    }
    int iterations = Math.min(it, o.maxIterations());
    Certificate c;
    if (stop == StopReason.DUALITY_GAP) {
      c = new Certificate(bestLoss, lambda * bestPenalty, bestDual, Double.NaN, Double.NaN);
    } else {
      // Not met: the exact certificate of the best iterate may still be tighter.
      double[] ab = new double[n * outputs];
      forward(best, ab);
      c = exactCertificate(best, ab, lambda, allowed, bestDual);
    }
    float[] dual = u.clone();
    scaleByGate(dual, rho, false);
    return new Result(
        result(best, lambda, c, iterations, stop, t0, flops0),
        median(rho),
        new ConvexWeights(outputs, gates, d, dual));
  }

  /** a ← a·ρ_j (or a/ρ_j) on every coordinate of gate j's groups. */
  private void scaleByGate(float[] a, double[] rho, boolean divide) {
    for (int g = 0; g < groups; g++) {
      float f = (float) (divide ? 1 / rho[g % gates] : rho[g % gates]);
      for (int i = g * d; i < (g + 1) * d; i++) {
        a[i] *= f;
      }
    }
  }

  private SolverResult result(
      float[] w,
      double lambda,
      Certificate c,
      int iterations,
      StopReason stop,
      long t0,
      double flops0) {
    return new SolverResult(
        new ConvexWeights(outputs, gates, d, w.clone()),
        lambda,
        lambdaMax(),
        c,
        iterations,
        0,
        0,
        stop,
        (System.nanoTime() - t0) / 1e9,
        flops - flops0,
        1,
        groups);
  }

  /** The exact certificate of arbitrary weights (one forward and one gradient product). */
  public Certificate certify(ConvexWeights u, double lambda) {
    float[] w = u.values().clone();
    double[] aw = new double[n * outputs];
    forward(w, aw);
    return exactCertificate(w, aw, lambda, null, Double.NEGATIVE_INFINITY);
  }

  // ---- the certificate -------------------------------------------------------------------

  /**
   * The certificate of w (prediction aw) from its own gradient, with {@code otherDual} (a dual
   * value found elsewhere, e.g. at V) when that bound is higher.
   */
  private Certificate exactCertificate(
      float[] w, double[] aw, double lambda, boolean[] allowed, double otherDual) {
    double[] r = new double[n * outputs];
    double loss = 0;
    for (int i = 0; i < r.length; i++) {
      r[i] = y[i] - aw[i];
      loss += r[i] * r[i];
    }
    loss /= 2 * m;
    float[] grad = new float[size];
    gradient(r, grad, 1.0 / m);
    double dual = Math.max(otherDual, dualValue(r, grad, lambda, allowed));
    double norms = 0;
    double nu = 0;
    double subgradient = Double.NaN;
    if (penalty == Penalty.GROUP_LASSO) {
      subgradient = 0;
      for (int g = 0; g < groups; g++) {
        if (allowed != null && !allowed[g]) {
          continue;
        }
        double uu = 0;
        double gg = 0;
        double gu = 0;
        for (int i = g * d; i < (g + 1) * d; i++) {
          uu += (double) w[i] * w[i];
          gg += (double) grad[i] * grad[i];
          gu += (double) grad[i] * w[i];
        }
        double un = Math.sqrt(uu);
        double gn = Math.sqrt(gg);
        norms += un;
        nu = Math.max(nu, gn);
        if (un > 0) {
          subgradient += Math.max(0, gg + 2 * lambda * gu / un + lambda * lambda);
        } else {
          double excess = Math.max(0, gn - lambda);
          subgradient += excess * excess;
        }
      }
    } else {
      for (int j = 0; j < gates; j++) {
        if (gateAllowed(j, allowed)) {
          norms += sum(singularValues(w, j));
          nu = Math.max(nu, max(singularValues(grad, j)));
        }
      }
    }
    return new Certificate(loss, lambda * norms, dual, subgradient, nu);
  }

  /**
   * The best dual value D(θ) = (2⟨θ, Y⟩ − ‖θ‖²)/(2m) over θ = α·r, where r = Y − Ŷ at some point
   * and g = Φᵀr/m the gradient of f there (up to sign): per output for the group lasso ({@link
   * OutputDualBound#value}: the dual decouples over outputs), else one α for all outputs, feasible
   * when |α|·ν ≤ λ with ν the largest spectral norm of a gate's gradient block.
   */
  private double dualValue(double[] r, float[] g, double lambda, boolean[] allowed) {
    if (penalty == Penalty.GROUP_LASSO) {
      return new OutputDualBound(n, outputs, gates, d, m, y, allowed).value(r, g, lambda);
    }
    double nu = 0;
    for (int j = 0; j < gates; j++) {
      if (gateAllowed(j, allowed)) {
        nu = Math.max(nu, max(singularValues(g, j)));
      }
    }
    double r2 = 0;
    double ry = 0;
    for (int i = 0; i < r.length; i++) {
      r2 += r[i] * r[i];
      ry += r[i] * y[i];
    }
    return OutputDualBound.parabolaMax(r2, ry, nu > 0 ? lambda / nu : Double.MAX_VALUE, m);
  }

  /** λ's smallest value with U = 0 optimal: the dual norm of ∇f(0) = −ΦᵀY/m. */
  private double dualNorm(float[] grad) {
    double best = 0;
    if (penalty == Penalty.GROUP_LASSO) {
      for (int g = 0; g < groups; g++) {
        double s = 0;
        for (int i = g * d; i < (g + 1) * d; i++) {
          s += (double) grad[i] * grad[i];
        }
        best = Math.max(best, Math.sqrt(s));
      }
      return best;
    }
    for (int j = 0; j < gates; j++) {
      best = Math.max(best, max(singularValues(grad, j)));
    }
    return best;
  }

  private boolean gateAllowed(int j, boolean[] allowed) {
    if (allowed == null) {
      return true;
    }
    for (int k = 0; k < outputs; k++) {
      if (allowed[k * gates + j]) {
        return true;
      }
    }
    return false;
  }

  // ---- the prox ----------------------------------------------------------------------------

  /**
   * g ← its projection onto the dual-feasible set {Ω*(g) ≤ λ}: each group scaled to norm ≤ λ (group
   * lasso), or each gate block's singular values clipped at λ (nuclear norm).
   */
  private void projectDual(float[] g, double lambda) {
    if (penalty == Penalty.GROUP_LASSO) {
      for (int grp = 0; grp < groups; grp++) {
        double s = 0;
        for (int i = grp * d; i < (grp + 1) * d; i++) {
          s += (double) g[i] * g[i];
        }
        double norm = Math.sqrt(s);
        if (norm > lambda) {
          float f = (float) (lambda / norm);
          for (int i = grp * d; i < (grp + 1) * d; i++) {
            g[i] *= f;
          }
        }
      }
      return;
    }
    for (int j = 0; j < gates; j++) {
      // Clipping σ at λ is g − prox of the nuclear norm at λ: g ← g − SVT_λ(g).
      float[] copy = new float[size];
      for (int k = 0; k < outputs; k++) {
        int off = (k * gates + j) * d;
        System.arraycopy(g, off, copy, off, d);
      }
      thresholdGate(copy, j, lambda);
      for (int k = 0; k < outputs; k++) {
        int off = (k * gates + j) * d;
        for (int i = off; i < off + d; i++) {
          g[i] -= copy[i];
        }
      }
    }
  }

  /**
   * a ← prox of t_j·Ω on gate j's groups (or block), on the allowed groups (0 elsewhere); returns
   * Ω(a) of the result.
   */
  private double prox(float[] a, double[] thresholds, boolean[] allowed) {
    double[] norms = new double[penalty == Penalty.GROUP_LASSO ? groups : gates];
    if (penalty == Penalty.GROUP_LASSO) {
      parallel.run(
          groups,
          (chunk, g0, g1) -> {
            for (int g = g0; g < g1; g++) {
              int off = g * d;
              if (allowed != null && !allowed[g]) {
                Arrays.fill(a, off, off + d, 0f);
                continue;
              }
              double s = 0;
              for (int i = off; i < off + d; i++) {
                s += (double) a[i] * a[i];
              }
              double norm = Math.sqrt(s);
              double t = thresholds[g % gates];
              float f = norm > t ? (float) (1 - t / norm) : 0f;
              for (int i = off; i < off + d; i++) {
                a[i] *= f;
              }
              norms[g] = norm > t ? norm - t : 0;
            }
          });
    } else {
      parallel.run(
          gates,
          (chunk, j0, j1) -> {
            for (int j = j0; j < j1; j++) {
              if (!gateAllowed(j, allowed)) {
                for (int k = 0; k < outputs; k++) {
                  Arrays.fill(a, (k * gates + j) * d, (k * gates + j + 1) * d, 0f);
                }
                continue;
              }
              norms[j] = thresholdGate(a, j, thresholds[j]);
            }
          });
    }
    return sum(norms);
  }

  /**
   * Singular-value thresholding of gate j's block M (C × d, rows U[k,j,:]): M ← Q·diag(max(σ − t,
   * 0)/σ)·Qᵀ·M with M·Mᵀ = Q·diag(σ²)·Qᵀ.
   */
  private double thresholdGate(float[] a, int j, double t) {
    int c = outputs;
    double[] gram = blockGram(a, j);
    double[] q = new double[c * c];
    double[] s2 = new double[c];
    SmallEigen.symmetricEigen(gram, c, q, s2);
    double[] f = new double[c];
    double nuclear = 0;
    for (int e = 0; e < c; e++) {
      double sigma = Math.sqrt(Math.max(s2[e], 0));
      f[e] = sigma > t ? (sigma - t) / sigma : 0;
      nuclear += sigma > t ? sigma - t : 0;
    }
    // T = Q·diag(f)·Qᵀ (C × C), then M ← T·M.
    double[] tm = new double[c * c];
    for (int k = 0; k < c; k++) {
      for (int l = 0; l < c; l++) {
        double s = 0;
        for (int e = 0; e < c; e++) {
          s += q[k * c + e] * f[e] * q[l * c + e];
        }
        tm[k * c + l] = s;
      }
    }
    double[] row = new double[d];
    float[] out = new float[c * d];
    for (int k = 0; k < c; k++) {
      Arrays.fill(row, 0);
      for (int l = 0; l < c; l++) {
        double coef = tm[k * c + l];
        if (coef == 0) {
          continue;
        }
        int off = (l * gates + j) * d;
        for (int i = 0; i < d; i++) {
          row[i] += coef * a[off + i];
        }
      }
      for (int i = 0; i < d; i++) {
        out[k * d + i] = (float) row[i];
      }
    }
    for (int k = 0; k < c; k++) {
      System.arraycopy(out, k * d, a, (k * gates + j) * d, d);
    }
    return nuclear;
  }

  /** M·Mᵀ (C × C, row-major) of gate j's block in {@code a}. */
  private double[] blockGram(float[] a, int j) {
    return GateBlocks.gram(a, outputs, gates, d, j);
  }

  /** Singular values of gate j's C × d block of {@code a}. */
  private double[] singularValues(float[] a, int j) {
    int c = outputs;
    double[] gram = blockGram(a, j);
    double[] q = new double[c * c];
    double[] s2 = new double[c];
    SmallEigen.symmetricEigen(gram, c, q, s2);
    for (int e = 0; e < c; e++) {
      s2[e] = Math.sqrt(Math.max(s2[e], 0));
    }
    return s2;
  }

  private static double sum(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s;
  }

  private static double max(double[] v) {
    double s = 0;
    for (double x : v) {
      s = Math.max(s, x);
    }
    return s;
  }

  private static void mask(float[] w, boolean[] allowed) {
    if (allowed == null) {
      return;
    }
    int d = w.length / allowed.length;
    for (int g = 0; g < allowed.length; g++) {
      if (!allowed[g]) {
        Arrays.fill(w, g * d, (g + 1) * d, 0f);
      }
    }
  }

  // ---- products ----------------------------------------------------------------------------

  /** out (column-major n×C) = Φ·w over the groups of w that are non-zero. */
  private void forward(float[] w, double[] out) {
    Arrays.fill(out, 0.0);
    int[] active = new int[groups];
    int count = 0;
    for (int g = 0; g < groups; g++) {
      for (int i = g * d; i < (g + 1) * d; i++) {
        if (w[i] != 0f) {
          active[count++] = g;
          break;
        }
      }
    }
    if (count == 0) {
      return;
    }
    INDArray st = Nd4j.create(DataType.FLOAT, new long[] {d, count}, 'f');
    FloatBuffer sb = st.data().asNioFloat();
    for (int a = 0; a < count; a++) {
      sb.put(a * d, w, active[a] * d, d);
    }
    INDArray out2 = Nd4j.create(DataType.FLOAT, new long[] {n, count}, 'f');
    Nd4j.gemm(zn, st, out2, false, false, 1.0, 0.0);
    flops += 2.0 * n * d * count;
    FloatBuffer ob = out2.data().asNioFloat();
    final int cnt = count;
    parallel.run(
        outputs,
        (chunk, k0, k1) -> {
          float[] col = new float[n];
          for (int a = 0; a < cnt; a++) {
            int g = active[a];
            int k = g / gates;
            if (k < k0 || k >= k1) {
              continue;
            }
            int j = g % gates;
            ob.get(a * n, col, 0, n);
            int yo = k * n;
            int po = j * n;
            for (int r = 0; r < n; r++) {
              out[yo + r] += patterns[po + r] * col[r];
            }
          }
        });
    st.close();
    out2.close();
  }

  /** out[g] = scale·Znᵀ·(D_j ⊙ q_k) for every group g = (k, j): one n×d by n×CP product. */
  private void gradient(double[] q, float[] out, double scale) {
    parallel.run(
        groups,
        (chunk, g0, g1) -> {
          float[] col = new float[n];
          for (int g = g0; g < g1; g++) {
            int k = g / gates;
            int j = g % gates;
            int qo = k * n;
            int po = j * n;
            for (int r = 0; r < n; r++) {
              col[r] = (float) (patterns[po + r] * q[qo + r]);
            }
            bigBuf.put(g * n, col, 0, n);
          }
        });
    Nd4j.gemm(zn, big, stage, true, false, scale, 0.0);
    flops += 2.0 * n * d * groups;
    stageBuf.get(0, out, 0, size);
  }

  @Override
  public void close() {
    kernel.close();
    stage.close();
    big.close();
    nspace.close();
    parallel.close();
  }
}
