package org.convexdistill.learner.stream;

import java.util.Objects;
import org.convexdistill.core.npy.NpyArray;
import org.convexdistill.core.student.OutputBasis;
import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.solver.AdmmFit;
import org.convexdistill.solver.BlasThreads;
import org.convexdistill.solver.BudgetedFit;
import org.convexdistill.solver.ConvexWeights;
import org.convexdistill.solver.GatedAdmm;
import org.convexdistill.solver.GatedReluProblem;
import org.convexdistill.solver.HeadMetric;
import org.convexdistill.solver.RFista;
import org.convexdistill.solver.SharedLayerFit;
import org.convexdistill.solver.SharedLayerPolish;
import org.convexdistill.solver.SolverOptions;
import org.convexdistill.solver.SolverResult;
import org.convexdistill.solver.StudentFactory;

/**
 * Fits a student to a window snapshot: a λ path the first time, afterwards a budgeted refit
 * warm-started from the previous solution; then a polishing solve on the selected support. Pure
 * computation (ND4J), no I/O.
 */
public final class Refitter {
  private static final double COARSE_GAP = 1e-2;
  private static final int COARSE_ITERATIONS = 40;
  private static final int COARSE_REFINE_STEPS = 2;

  /**
   * When the budget binds, ADMM brackets its λ within a factor 2 and bisects this often (λ within
   * 2^(1/8) ≈ 9 % of the largest student the budget allows).
   */
  private static final int ADMM_BISECTION_STEPS = 3;

  /** The group-lasso share of the shared-layer refit's elastic net (the paper's α). */
  static final double SHARED_LAYER_ALPHA = 0.95;

  /**
   * Iteration cap of the shared-layer refit: an iteration is one h×h×C product (no n), so even the
   * cap costs well under a second for a few hundred units.
   */
  static final int SHARED_LAYER_ITERATIONS = 5000;

  private final LearnerConfig config;
  private final TeacherSuffix suffix;
  private OutputBasis basis;
  private int basisDim = -1;

  /**
   * @param suffix the teacher's suffix after the block, for the agreement gate; null when the
   *     learner runs without a teacher (agreement is then not measured)
   */
  public Refitter(LearnerConfig config, TeacherSuffix suffix) {
    this.config = config;
    this.suffix = suffix;
  }

  /**
   * The output basis students are fitted in for block outputs of length c: the teacher's logits
   * weighted by {@link LearnerConfig#headWeight} when its suffix is linear; null otherwise (block
   * outputs only). Probed once.
   */
  public synchronized OutputBasis outputBasis(int c) {
    if (basisDim != c) {
      LinearHead head =
          config.headWeight() > 0 && suffix != null ? LinearHead.probe(suffix, c) : null;
      basis =
          head == null
              ? null
              : Double.isInfinite(config.headWeight())
                  ? HeadMetric.logitBasis(head.weights(), c, head.classes())
                  : HeadMetric.basis(head.weights(), c, head.classes(), config.headWeight());
      basisDim = c;
    }
    return basis;
  }

  /**
   * @param previous warm start, or null for a cold path
   * @param current the student now published (for the held-out comparison), or null
   * @param previousStudent a published student to rebuild the warm start from when {@code previous}
   *     is null (after a restart), or null
   * @param previousLambda λ of {@code previousStudent}
   */
  public Refit fit(
      ActivationWindow.Snapshot window,
      WarmState previous,
      StudentBlock current,
      StudentBlock previousStudent,
      double previousLambda) {
    return fit(window, null, previous, current, previousStudent, previousLambda);
  }

  /**
   * As {@link #fit(ActivationWindow.Snapshot, WarmState, StudentBlock, StudentBlock, double)}, with
   * the agreement gate scored on {@code gate}: held-out rows (never trained on) that may reach back
   * beyond the window; null scores it on the window's own held-out rows.
   */
  public Refit fit(
      ActivationWindow.Snapshot window,
      ActivationWindow.Snapshot gate,
      WarmState previous,
      StudentBlock current,
      StudentBlock previousStudent,
      double previousLambda) {
    int d = window.zDim();
    int c = window.yDim();
    // Held out by source offset, not by position: a row stays held out (or in training) across
    // refits, so the current student is never scored on rows it was fitted to.
    int every = config.holdoutEvery();
    int held = 0;
    for (int i = 0; i < window.n(); i++) {
      held += isHeldOut(window.offsets()[i], every) ? 1 : 0;
    }
    int train = window.n() - held;
    float[] zt = new float[train * d];
    float[] yt = new float[train * c];
    float[] zh = new float[held * d];
    float[] yh = new float[held * c];
    for (int i = 0, a = 0, b = 0; i < window.n(); i++) {
      if (isHeldOut(window.offsets()[i], every)) {
        System.arraycopy(window.z(), i * d, zh, b * d, d);
        System.arraycopy(window.y(), i * c, yh, b * c, c);
        b++;
      } else {
        System.arraycopy(window.z(), i * d, zt, a * d, d);
        System.arraycopy(window.y(), i * c, yt, a * c, c);
        a++;
      }
    }
    OutputBasis outputs = outputBasis(c);
    NpyArray targets = targets(yt, train, c, outputs, Double.isInfinite(config.headWeight()));
    GatedReluProblem problem =
        GatedReluProblem.builder()
            .setInputs(NpyArray.of(zt, train, d))
            .setTargets(targets)
            .optRandomGates(config.gates(), config.seed())
            .optCarriedScales(previous == null ? null : previous.columnScales())
            .build();
    WarmState start = previous;
    if (start == null
        && previousStudent != null
        && Objects.equals(previousStudent.outputBasis(), outputs)) {
      start = WarmState.fromStudent(previousStudent, problem, previousLambda);
    }
    long basisParameters = outputs == null ? 0 : outputs.parameterCount();
    // The weighted directions raise λmax; the path must still reach the others.
    double floorRatio = config.pathMinRatio() / (outputs == null ? 1 : outputs.maxScale());
    BlasThreads.set(config.threads());
    Solved solved =
        config.solver() == LearnerConfig.Solver.ADMM
            ? solveAdmm(problem, start, basisParameters, floorRatio)
            : solveRFista(problem, start, basisParameters, floorRatio);
    BudgetedFit.Result fit = solved.fit();
    SolverResult used = fit.used();
    StudentBlock student = solved.student();
    SharedLayerFit.Result shared = null;
    if (config.sharedLayerRatio() > 0 && student.hiddenUnits() > 0) {
      SharedLayerPolish.Polished p =
          SharedLayerPolish.atRatio(
              student,
              zt,
              targets.data(),
              train,
              config.sharedLayerRatio(),
              SHARED_LAYER_ALPHA,
              config.gapTolerance(),
              SHARED_LAYER_ITERATIONS);
      student = p.student();
      shared = p.result();
    }
    if (outputs != null) {
      student = student.inBasis(outputs);
    }
    // Both in the metric this learner fits (the logit coordinates by default), so a current
    // student of another kind (block outputs, before an upgrade) is compared on the same terms.
    boolean leading = Double.isInfinite(config.headWeight());
    double candidateMse = mse(student, zh, yh, held, outputs, leading);
    double currentMse = current == null ? Double.NaN : mse(current, zh, yh, held, outputs, leading);
    double candidateAgreement = Double.NaN;
    double currentAgreement = Double.NaN;
    boolean wideGate = gate != null && gate.n() > held && gate.zDim() == d && gate.yDim() == c;
    float[] zg = wideGate ? gate.z() : zh;
    float[] yg = wideGate ? gate.y() : yh;
    int gateRows = wideGate ? gate.n() : held;
    if (suffix != null && gateRows > 0) {
      int[] teacherClasses = Agreement.teacherClasses(suffix, yg, gateRows, c);
      candidateAgreement = Agreement.of(student, zg, gateRows, suffix, teacherClasses);
      if (current != null && current.inputDim() == d && current.outputDim() == c) {
        currentAgreement = Agreement.of(current, zg, gateRows, suffix, teacherClasses);
      }
    }
    return new Refit(
        student,
        new WarmState(
            fit.selected().weights(),
            fit.selected().lambda(),
            used.weights(),
            problem.columnScales(),
            fit.selected().lambda() / fit.selected().lambdaMax(),
            solved.dual()),
        used,
        shared,
        fit.iterations() + (shared == null ? 0 : shared.iterations()),
        fit.solves() + (shared == null ? 0 : 1),
        fit.seconds() + (shared == null ? 0 : shared.seconds()),
        fit.warm(),
        candidateMse,
        currentMse,
        candidateAgreement,
        currentAgreement,
        gateRows);
  }

  /**
   * A fit, the student built from the solution it serves, and ADMM's dual of its selected solve
   * (null for R-FISTA).
   */
  private record Solved(BudgetedFit.Result fit, StudentBlock student, ConvexWeights dual) {
    Solved(BudgetedFit.Result fit, StudentBlock student) {
      this(fit, student, null);
    }
  }

  /**
   * ADMM ({@link AdmmFit}): λ at the floor unless the budget raises it, the student from the
   * solution (one-vs-all units or the nuclear norm's singular triplets).
   */
  private Solved solveAdmm(
      GatedReluProblem problem, WarmState start, long basisParameters, double floorRatio) {
    boolean nuclear = config.student() == LearnerConfig.StudentKind.NUCLEAR;
    int d = problem.inputDim();
    long perUnit = nuclear ? d + problem.outputs() : d + 1;
    int target = (int) Math.max(1, (config.maxParams() - basisParameters) / perUnit);
    AdmmFit.Settings settings =
        new AdmmFit.Settings(
            target,
            floorRatio,
            config.gapTolerance(),
            config.maxIterations(),
            config.lambdaStep(),
            ADMM_BISECTION_STEPS,
            config.polishRatio());
    try (GatedAdmm solver =
        new GatedAdmm(
            problem,
            nuclear ? GatedAdmm.Penalty.NUCLEAR_NORM : GatedAdmm.Penalty.GROUP_LASSO,
            config.threads())) {
      AdmmFit.Start from = null;
      if (start != null) {
        double ratio = Double.isNaN(start.lambdaRatio()) ? floorRatio : start.lambdaRatio();
        // A warm start needs the previous solve's dual too (a student rebuilt after a restart
        // has none): without it the first solve starts from zero at the previous λ/λmax.
        ConvexWeights dual =
            start.columnScales() == null ? null : start.dualFor(problem.columnScales());
        from =
            dual == null
                ? AdmmFit.Start.lambdaOnly(ratio)
                : new AdmmFit.Start(
                    ratio, start.lambda(), start.weightsFor(problem.columnScales()), dual);
      }
      AdmmFit.Outcome outcome = AdmmFit.fit(solver, settings, from);
      BudgetedFit.Result fit = outcome.fit();
      return new Solved(fit, solver.student(fit.used().weights()), outcome.dual());
    }
  }

  /** R-FISTA ({@link BudgetedFit}): a coarse cold λ path, budgeted warm refits. */
  private Solved solveRFista(
      GatedReluProblem problem, WarmState start, long basisParameters, double floorRatio) {
    int d = problem.inputDim();
    int budget = (int) Math.max(1, (config.maxParams() - basisParameters) / (d + 1));
    SolverOptions careful =
        SolverOptions.builder()
            .setLambda(1)
            .optGapTolerance(config.gapTolerance())
            .optMaxIterations(config.maxIterations())
            .build();
    // The cold path only has to find λ for the budget: loose, short solves, two bisection steps.
    // The polish (and every later warm refit) does the careful work.
    BudgetedFit.Settings settings =
        new BudgetedFit.Settings(
            budget,
            careful,
            coarse(),
            config.pathPoints(),
            floorRatio,
            COARSE_REFINE_STEPS,
            config.lambdaStep(),
            coarse(),
            config.polishRatio());
    try (RFista solver = new RFista(problem, config.threads())) {
      BudgetedFit.Result fit =
          BudgetedFit.fit(
              solver,
              settings,
              start == null
                  ? null
                  : new BudgetedFit.Start(
                      start.weightsFor(problem.columnScales()),
                      start.lambda(),
                      start.polishedFor(problem.columnScales())));
      return new Solved(fit, StudentFactory.fromSolution(problem, fit.used().weights()));
    }
  }

  /**
   * The problem's targets: the rows themselves, their coordinates in {@code basis}, or only the
   * basis's first r (weighted) coordinates when {@code leading}.
   */
  public static NpyArray targets(float[] y, int n, int c, OutputBasis basis, boolean leading) {
    if (basis == null) {
      return NpyArray.of(y, n, c);
    }
    float[] t = y.clone();
    basis.toBasis(t, n);
    if (!leading) {
      return NpyArray.of(t, n, c);
    }
    int r = basis.rank();
    float[] first = new float[n * r];
    for (int i = 0; i < n; i++) {
      System.arraycopy(t, i * c, first, i * r, r);
    }
    return NpyArray.of(first, n, r);
  }

  /** Whether the row at source offset {@code offset} is held out (never trained on). */
  public static boolean isHeldOut(long offset, int every) {
    return Math.floorMod(offset * 0x9E3779B97F4A7C15L >>> 32, every) == 0;
  }

  private SolverOptions coarse() {
    return SolverOptions.builder()
        .setLambda(1)
        .optGapTolerance(Math.max(COARSE_GAP, config.gapTolerance()))
        .optMaxIterations(Math.min(COARSE_ITERATIONS, config.maxIterations()))
        .build();
  }

  /** Mean squared error per output value of {@code s} on n rows. */
  static double mse(StudentBlock s, float[] z, float[] y, int n) {
    return mse(s, z, y, n, null, false);
  }

  /**
   * Mean squared error per value of {@code s} on n rows, in {@code basis}'s coordinates (null:
   * output coordinates), over its leading r coordinates only when {@code leading}.
   */
  static double mse(
      StudentBlock s, float[] z, float[] y, int n, OutputBasis basis, boolean leading) {
    if (n == 0) {
      return Double.NaN;
    }
    int c = s.outputDim();
    int r = basis != null && leading ? basis.rank() : c;
    int chunk = 64;
    StudentBlock.Workspace ws = s.newWorkspace(chunk);
    float[] out = new float[chunk * c];
    float[] ref = new float[chunk * c];
    float[] zc = new float[chunk * s.inputDim()];
    double sum = 0;
    for (int from = 0; from < n; from += chunk) {
      int b = Math.min(chunk, n - from);
      System.arraycopy(z, from * s.inputDim(), zc, 0, b * s.inputDim());
      s.forward(zc, b, out, ws);
      System.arraycopy(y, from * c, ref, 0, b * c);
      if (basis != null) {
        basis.toBasis(out, b);
        basis.toBasis(ref, b);
      }
      for (int i = 0; i < b; i++) {
        for (int k = 0; k < r; k++) {
          double e = out[i * c + k] - ref[i * c + k];
          sum += e * e;
        }
      }
    }
    return sum / ((double) n * r);
  }
}
