package org.convexdistill.learner.offline;

import org.convexdistill.core.data.Images;
import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.core.teacher.Teacher;
import org.convexdistill.solver.GatedReluProblem;
import org.convexdistill.solver.InvalidProblemException;
import org.convexdistill.solver.RFista;
import org.convexdistill.solver.RegularizationPath;
import org.convexdistill.solver.SolverOptions;
import org.convexdistill.solver.SolverResult;
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
    int target = options.targetGroups(blockParameters, problem.inputDim());
    SolverOptions base =
        SolverOptions.builder()
            .setLambda(1)
            .optGapTolerance(options.gapTolerance())
            .optListener(listener)
            .build();
    try (RFista solver = new RFista(problem, options.threads())) {
      RegularizationPath.Path path =
          new RegularizationPath(solver, base)
              .run(options.pathPoints(), options.minRatio(), target);
      RegularizationPath.Point chosen = path.selectedPoint();
      if (chosen == null) {
        throw new InvalidProblemException(
            "no lambda keeps block " + a.block() + " within " + target + " hidden units");
      }
      SolverResult selected = chosen.result();
      int iterations = path.points().stream().mapToInt(p -> p.result().iterations()).sum();
      double seconds = path.points().stream().mapToDouble(p -> p.result().seconds()).sum();
      SolverResult polished = null;
      if (options.polishRatio() > 0) {
        // Polish: the same convex problem restricted to the selected support at a smaller λ.
        polished =
            solver.solve(
                base.withLambda(options.polishRatio() * selected.lambda(), selected.weights())
                    .withAllowedGroups(selected.weights().support()));
        iterations += polished.iterations();
        seconds += polished.seconds();
      }
      SolverResult used = polished != null ? polished : selected;
      StudentBlock student = StudentFactory.fromSolution(problem, used.weights());
      return new DistilledBlock(
          a.block(),
          student,
          selected,
          polished,
          blockParameters,
          a.samples(),
          path.points().size(),
          iterations,
          seconds,
          extractSeconds,
          target);
    }
  }
}
