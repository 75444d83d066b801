package org.convexdistill.learner.offline;

import java.util.List;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.core.teacher.Teacher;
import org.convexdistill.solver.BlasThreads;
import org.convexdistill.solver.BudgetedFit;
import org.convexdistill.solver.GatedReluProblem;
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
    return fit(a, teacher.blockParameters(options.block()), options, listener, extract);
  }

  /** Fits the student to activations already extracted. */
  public static DistilledBlock fit(
      Activations a,
      long blockParameters,
      DistillOptions options,
      SolverOptions.IterationListener listener,
      double extractSeconds) {
    GatedReluProblem problem =
        GatedReluProblem.builder()
            .setInputs(a.inputs())
            .setTargets(a.outputs())
            .optRandomGates(options.gates(), options.seed())
            .build();
    if (options.nuclear()) {
      return nuclear(a, problem, blockParameters, options, extractSeconds);
    }
    int target = options.targetGroups(blockParameters, problem.inputDim());
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
            options.minRatio(),
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
        throw new InvalidProblemException("block " + a.block() + ": " + e.getMessage());
      }
      StudentBlock student = StudentFactory.fromSolution(problem, fit.used().weights());
      StudentBlock oneVsAll = null;
      SharedLayerFit.Result shared = null;
      double polishSeconds = 0;
      if (options.sharedPolish()) {
        oneVsAll = student;
        SharedLayerPolish.Polished p =
            SharedLayerPolish.polish(
                student,
                a.inputs().data(),
                a.outputs().data(),
                a.samples(),
                SharedLayerPolish.Options.forBudget(options.budget(blockParameters)));
        student = p.student();
        shared = p.result();
        polishSeconds = p.path().stream().mapToDouble(SharedLayerFit.Result::seconds).sum();
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
          null);
    }
  }

  /** The nuclear-norm student: rank per gate from the budget, a short warm-started λ path. */
  private static DistilledBlock nuclear(
      Activations a,
      GatedReluProblem problem,
      long blockParameters,
      DistillOptions options,
      double extractSeconds) {
    int d = problem.inputDim();
    int c = problem.outputs();
    long units = options.budget(blockParameters) / (d + c);
    int rank = (int) Math.max(1, units / problem.gates());
    NuclearNormFit fit = new NuclearNormFit(problem, rank);
    double end = options.nuclearLambdaRatio();
    double[] ratios = {Math.max(end, 0.2), Math.max(end, 0.06), end};
    List<NuclearNormFit.Result> path =
        fit.path(ratios, options.gapTolerance(), 1000, options.seed());
    NuclearNormFit.Result last = path.get(path.size() - 1);
    StudentBlock student = fit.student(last, 1e-4);
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
        last);
  }
}
