package org.convexdistill.learner.offline;

import java.util.List;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.npy.NpyArray;
import org.convexdistill.core.student.ChannelProjection;
import org.convexdistill.core.student.OutputBasis;
import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.core.teacher.Teacher;
import org.convexdistill.learner.stream.LinearHead;
import org.convexdistill.learner.stream.Refitter;
import org.convexdistill.learner.stream.TeacherSuffix;
import org.convexdistill.solver.AdmmFit;
import org.convexdistill.solver.BlasThreads;
import org.convexdistill.solver.BudgetedFit;
import org.convexdistill.solver.ChannelPca;
import org.convexdistill.solver.GatedAdmm;
import org.convexdistill.solver.GatedReluProblem;
import org.convexdistill.solver.HeadMetric;
import org.convexdistill.solver.InvalidProblemException;
import org.convexdistill.solver.NuclearNormFit;
import org.convexdistill.solver.RFista;
import org.convexdistill.solver.RegularizationPath;
import org.convexdistill.solver.SharedLayerFit;
import org.convexdistill.solver.SharedLayerPolish;
import org.convexdistill.solver.SolverOptions;
import org.convexdistill.solver.StudentFactory;

/**
 * Distils one teacher block into a convex student from unlabeled images: extract the block's
 * input/output activations, walk a warm-started λ path to the parameter budget, convert the
 * selected solution into a {@link StudentBlock}. Takes {@link Images} only: no label can enter.
 */
public final class OfflineDistiller {
  private OfflineDistiller() {}

  /** Extracts activations and fits the student. */
  public static DistilledBlock distill(
      Teacher teacher,
      Images images,
      DistillOptions options,
      SolverOptions.IterationListener listener) {
    long t0 = System.nanoTime();
    Activations a = Activations.extract(teacher, images, options.block());
    double extract = (System.nanoTime() - t0) / 1e9;
    OutputBasis basis = headBasis(teacher, options, a.outputs().shape()[1]);
    return fit(a, teacher.blockParameters(options.block()), options, listener, extract, basis);
  }

  /**
   * Extracts the activations of blocks first..{@code options.block()} and fits ONE student from the
   * first block's input to the last block's output: a joint student of the span, whose budget is a
   * fraction of the span's parameters. With a head weight the last block's suffix must be linear,
   * as for a single block.
   */
  public static DistilledBlock distillSpan(
      Teacher teacher,
      Images images,
      int first,
      DistillOptions options,
      SolverOptions.IterationListener listener) {
    int last = options.block();
    if (first < 1 || first > last) {
      throw new InvalidProblemException(
          "a joint span needs first <= last block, got " + first + "-" + last);
    }
    long t0 = System.nanoTime();
    Activations a = Activations.extractSpan(teacher, images, first, last);
    double extract = (System.nanoTime() - t0) / 1e9;
    OutputBasis basis = headBasis(teacher, options, a.outputs().shape()[1]);
    return fit(a, spanParameters(teacher, first, last), options, listener, extract, basis);
  }

  /** The teacher's parameters in blocks first..last: the budget base of a joint student. */
  public static long spanParameters(Teacher teacher, int first, int last) {
    long params = 0;
    for (int k = first; k <= last; k++) {
      params += teacher.blockParameters(k);
    }
    return params;
  }

  /**
   * The output basis of {@link DistillOptions#headWeight} for {@code teacher}'s suffix after the
   * block (null for weight 0).
   *
   * @throws InvalidProblemException when the weight is set but that suffix is not linear
   */
  public static OutputBasis headBasis(Teacher teacher, DistillOptions options, int outputs) {
    if (options.headWeight() == 0) {
      return null;
    }
    LinearHead head = LinearHead.probe(TeacherSuffix.of(teacher, options.block()), outputs);
    if (head == null) {
      throw new InvalidProblemException(
          "the teacher's suffix after block "
              + options.block()
              + " is not linear, so its logits cannot enter a convex loss: use --head-weight 0"
              + " (block 4's suffix is linear)");
    }
    return Double.isInfinite(options.headWeight())
        ? HeadMetric.logitBasis(head.weights(), outputs, head.classes())
        : HeadMetric.basis(head.weights(), outputs, head.classes(), options.headWeight());
  }

  /** Fits the student to activations already extracted, in output coordinates. */
  public static DistilledBlock fit(
      Activations a,
      long blockParameters,
      DistillOptions options,
      SolverOptions.IterationListener listener,
      double extractSeconds) {
    return fit(a, blockParameters, options, listener, extractSeconds, null);
  }

  /**
   * Fits the student to activations already extracted; with a {@code basis} the targets are its
   * weighted coordinates and the student maps back ({@link StudentBlock#inBasis}).
   */
  public static DistilledBlock fit(
      Activations a,
      long blockParameters,
      DistillOptions options,
      SolverOptions.IterationListener listener,
      double extractSeconds,
      OutputBasis basis) {
    if (options.projectChannels() > 0) {
      return projected(a, blockParameters, options, listener, extractSeconds, basis);
    }
    NpyArray targets =
        Refitter.targets(
            a.outputs().data(),
            a.samples(),
            a.outputs().shape()[1],
            basis,
            Double.isInfinite(options.headWeight()));
    GatedReluProblem problem =
        GatedReluProblem.builder()
            .setInputs(a.inputs())
            .setTargets(targets)
            .optRandomGates(options.gates(), options.seed())
            .build();
    if (options.admm()) {
      return admm(a, problem, blockParameters, options, extractSeconds, basis);
    }
    if (options.nuclear()) {
      return nuclear(a, problem, blockParameters, options, extractSeconds, basis);
    }
    long basisParameters = basis == null ? 0 : basis.parameterCount();
    int target =
        (int)
            Math.max(
                1, (options.budget(blockParameters) - basisParameters) / (problem.inputDim() + 1));
    SolverOptions base =
        SolverOptions.builder()
            .setLambda(1)
            .optGapTolerance(options.gapTolerance())
            .optListener(listener)
            .build();
    BudgetedFit.Settings settings =
        new BudgetedFit.Settings(
            target,
            base,
            base,
            options.pathPoints(),
            options.minRatio() / (basis == null ? 1 : basis.maxScale()),
            RegularizationPath.DEFAULT_REFINE_STEPS,
            // Offline fits are always cold: the warm-refit settings are never used.
            2,
            base,
            options.polishRatio());
    BlasThreads.set(options.threads());
    try (RFista solver = new RFista(problem, options.threads())) {
      BudgetedFit.Result fit;
      try {
        fit = BudgetedFit.fit(solver, settings, null);
      } catch (InvalidProblemException e) {
        throw new InvalidProblemException("block " + a.label() + ": " + e.getMessage());
      }
      // In the basis's coordinates until the end: the polishing refits W2 against those targets.
      StudentBlock student = StudentFactory.fromSolution(problem, fit.used().weights());
      StudentBlock oneVsAll = null;
      SharedLayerFit.Result shared = null;
      double polishSeconds = 0;
      if (options.sharedPolish()) {
        oneVsAll = basis == null ? student : student.inBasis(basis);
      }
      // An empty one-vs-all student (no λ on the path kept a unit within the budget, e.g. block 3
      // with 1,024 outputs and ~128 units' worth of budget) has nothing to polish.
      if (options.sharedPolish() && student.hiddenUnits() > 0) {
        SharedLayerPolish.Polished p =
            SharedLayerPolish.polish(
                student,
                a.inputs().data(),
                targets.data(),
                a.samples(),
                SharedLayerPolish.Options.forBudget(options.budget(blockParameters)));
        student = p.student();
        shared = p.result();
        polishSeconds = p.path().stream().mapToDouble(SharedLayerFit.Result::seconds).sum();
      }
      if (basis != null) {
        student = student.inBasis(basis);
      }
      return new DistilledBlock(
          a.block(),
          student,
          fit.selected(),
          fit.polished(),
          blockParameters,
          a.samples(),
          fit.pathPoints(),
          fit.iterations(),
          fit.seconds() + polishSeconds,
          extractSeconds,
          target,
          oneVsAll,
          shared,
          null,
          a.firstBlock(),
          null,
          Double.NaN);
    }
  }

  /** Rows the channel projection's covariance is estimated from. */
  private static final int PCA_ROWS = 10_000;

  /**
   * A student behind a fixed {@link ChannelProjection} (options.projectChannels() channels, fitted
   * by {@link ChannelPca} on the unlabeled inputs): the projection's numbers come out of the
   * budget, the gated student is fitted on the projected inputs by the options' solver, and the
   * result reads raw block inputs.
   */
  private static DistilledBlock projected(
      Activations a,
      long blockParameters,
      DistillOptions options,
      SolverOptions.IterationListener listener,
      double extractSeconds,
      OutputBasis basis) {
    if (a.inputChannels() == 0) {
      throw new InvalidProblemException(
          "block "
              + a.label()
              + ": the input's channel count is unknown, so it cannot be projected");
    }
    int n = a.samples();
    ChannelPca.Result pca =
        ChannelPca.fit(
            a.inputs().data(), n, a.inputChannels(), options.projectChannels(), PCA_ROWS);
    ChannelProjection p = pca.projection();
    Activations inner =
        a.withInputs(NpyArray.of(p.apply(a.inputs().data(), n), n, p.outputDim()), p.width());
    DistillOptions rest =
        options.withBudgetAndNoProjection(options.budget(blockParameters) - p.parameterCount());
    return fit(inner, blockParameters, rest, listener, extractSeconds, basis)
        .behind(p, pca.explainedVariance());
  }

  /** Iteration cap of each offline ADMM solve. */
  private static final int ADMM_ITERATIONS = 3000;

  /**
   * The student by ADMM ({@link AdmmFit}): the group lasso at minRatio·λmax or the nuclear norm at
   * its ratio, λ raised (doubling, then bisection) while the student exceeds the budget.
   */
  private static DistilledBlock admm(
      Activations a,
      GatedReluProblem problem,
      long blockParameters,
      DistillOptions options,
      double extractSeconds,
      OutputBasis basis) {
    boolean nuclear = options.nuclear();
    int d = problem.inputDim();
    long basisParameters = basis == null ? 0 : basis.parameterCount();
    long perUnit = nuclear ? d + problem.outputs() : d + 1;
    int target = (int) Math.max(1, (options.budget(blockParameters) - basisParameters) / perUnit);
    double floor =
        (nuclear ? options.nuclearLambdaRatio() : options.minRatio())
            / (basis == null ? 1 : basis.maxScale());
    AdmmFit.Settings settings =
        new AdmmFit.Settings(
            target,
            floor,
            options.gapTolerance(),
            ADMM_ITERATIONS,
            1.1,
            RegularizationPath.DEFAULT_REFINE_STEPS,
            nuclear ? 0 : options.polishRatio());
    BlasThreads.set(options.threads());
    try (GatedAdmm solver =
        new GatedAdmm(
            problem,
            nuclear ? GatedAdmm.Penalty.NUCLEAR_NORM : GatedAdmm.Penalty.GROUP_LASSO,
            options.threads())) {
      BudgetedFit.Result fit;
      try {
        fit = AdmmFit.fit(solver, settings, null).fit();
      } catch (InvalidProblemException e) {
        throw new InvalidProblemException("block " + a.label() + ": " + e.getMessage());
      }
      StudentBlock student = solver.student(fit.used().weights());
      if (basis != null) {
        student = student.inBasis(basis);
      }
      return new DistilledBlock(
          a.block(),
          student,
          fit.selected(),
          fit.polished(),
          blockParameters,
          a.samples(),
          fit.solves(),
          fit.iterations(),
          fit.seconds(),
          extractSeconds,
          target,
          null,
          null,
          null,
          a.firstBlock(),
          null,
          Double.NaN);
    }
  }

  /** The nuclear-norm student: rank per gate from the budget, a short warm-started λ path. */
  private static DistilledBlock nuclear(
      Activations a,
      GatedReluProblem problem,
      long blockParameters,
      DistillOptions options,
      double extractSeconds,
      OutputBasis basis) {
    int d = problem.inputDim();
    int c = problem.outputs();
    long units = options.budget(blockParameters) / (d + c);
    // A gate's V_j is d × C: its rank never exceeds C (10 when fitting the logits alone).
    int rank = (int) Math.max(1, Math.min(c, units / problem.gates()));
    NuclearNormFit fit = new NuclearNormFit(problem, rank);
    double end = options.nuclearLambdaRatio();
    double[] ratios = {Math.max(end, 0.2), Math.max(end, 0.06), end};
    List<NuclearNormFit.Result> path =
        fit.path(ratios, options.gapTolerance(), 1000, options.seed());
    NuclearNormFit.Result last = path.get(path.size() - 1);
    StudentBlock student = fit.student(last, 1e-4);
    if (basis != null) {
      student = student.inBasis(basis);
    }
    int iterations = path.stream().mapToInt(NuclearNormFit.Result::iterations).sum();
    double seconds = path.stream().mapToDouble(NuclearNormFit.Result::seconds).sum();
    return new DistilledBlock(
        a.block(),
        student,
        null,
        null,
        blockParameters,
        a.samples(),
        path.size(),
        iterations,
        seconds,
        extractSeconds,
        (int) Math.min(Integer.MAX_VALUE, units),
        null,
        null,
        last,
        a.firstBlock(),
        null,
        Double.NaN);
  }
}
