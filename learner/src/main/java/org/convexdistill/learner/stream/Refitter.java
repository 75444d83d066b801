package org.convexdistill.learner.stream;

import java.util.List;
import org.convexdistill.core.npy.NpyArray;
import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.solver.ConvexWeights;
import org.convexdistill.solver.GatedReluProblem;
import org.convexdistill.solver.InvalidProblemException;
import org.convexdistill.solver.RFista;
import org.convexdistill.solver.RegularizationPath;
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
  private static final int MAX_LOWERING_STEPS = 5;
  private static final double LOWER_BELOW = 0.95;

  private final LearnerConfig config;

  public Refitter(LearnerConfig config) {
    this.config = config;
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
    GatedReluProblem problem =
        GatedReluProblem.builder()
            .setInputs(NpyArray.of(zt, train, d))
            .setTargets(NpyArray.of(yt, train, c))
            .optRandomGates(config.gates(), config.seed())
            .build();
    WarmState start = previous;
    if (start == null && previousStudent != null) {
      start = WarmState.fromStudent(previousStudent, problem, previousLambda);
    }
    int target = config.targetGroups(d);
    SolverOptions base =
        SolverOptions.builder()
            .setLambda(1)
            .optGapTolerance(config.gapTolerance())
            .optMaxIterations(config.maxIterations())
            .build();
    try (RFista solver = new RFista(problem, config.threads())) {
      RegularizationPath path = new RegularizationPath(solver, base);
      SolverResult selected;
      int iterations = 0;
      int solves;
      double seconds = 0;
      if (start != null) {
        List<SolverResult> runs =
            path.refit(start.weights(), start.lambda(), target, config.lambdaStep());
        selected = runs.get(runs.size() - 1);
        for (SolverResult r : runs) {
          iterations += r.iterations();
          seconds += r.seconds();
        }
        solves = runs.size();
        // The refit only raises λ; when the window moved so that the student fell well under the
        // budget, lower λ a step at a time with short solves while it stays within it, then
        // solve carefully at the lowest such λ (kept only if still within the budget).
        if (runs.size() == 1 && selected.nonzeroGroups() < LOWER_BELOW * target) {
          SolverOptions coarse = coarse();
          SolverResult lowest = null;
          SolverResult at = selected;
          for (int down = 0; down < MAX_LOWERING_STEPS; down++) {
            SolverResult r =
                solver.solve(coarse.withLambda(at.lambda() / config.lambdaStep(), at.weights()));
            iterations += r.iterations();
            seconds += r.seconds();
            solves++;
            if (r.nonzeroGroups() > target) {
              break;
            }
            lowest = r;
            at = r;
            if (r.nonzeroGroups() >= LOWER_BELOW * target) {
              break;
            }
          }
          if (lowest != null) {
            SolverResult r = solver.solve(base.withLambda(lowest.lambda(), lowest.weights()));
            iterations += r.iterations();
            seconds += r.seconds();
            solves++;
            if (r.nonzeroGroups() <= target) {
              selected = r;
            }
          }
        }
      } else {
        // The cold path only has to find λ for the budget: loose, short solves, two bisection
        // steps. The polish below (and every later warm refit) does the careful work.
        SolverOptions coarse = coarse();
        RegularizationPath.Path p =
            new RegularizationPath(solver, coarse, COARSE_REFINE_STEPS)
                .run(config.pathPoints(), config.pathMinRatio(), target);
        if (p.selectedPoint() == null) {
          throw new InvalidProblemException("no λ keeps the student within " + target + " units");
        }
        selected = p.selectedPoint().result();
        for (RegularizationPath.Point x : p.points()) {
          iterations += x.result().iterations();
          seconds += x.result().seconds();
        }
        solves = p.points().size();
      }
      SolverResult used = selected;
      if (config.polishRatio() > 0 && selected.nonzeroGroups() > 0) {
        boolean[] support = selected.weights().support();
        ConvexWeights polishStart =
            start != null && start.polished() != null
                ? start.polished().onSupport(support, selected.weights())
                : selected.weights();
        used =
            solver.solve(
                base.withLambda(config.polishRatio() * selected.lambda(), polishStart)
                    .withAllowedGroups(support));
        iterations += used.iterations();
        seconds += used.seconds();
        solves++;
      }
      StudentBlock student = StudentFactory.fromSolution(problem, used.weights());
      double candidateMse = mse(student, zh, yh, held);
      double currentMse = current == null ? Double.NaN : mse(current, zh, yh, held);
      return new Refit(
          student,
          new WarmState(selected.weights(), selected.lambda(), used.weights()),
          used,
          iterations,
          solves,
          seconds,
          start != null,
          candidateMse,
          currentMse);
    }
  }

  static boolean isHeldOut(long offset, int every) {
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
    if (n == 0) {
      return Double.NaN;
    }
    int c = s.outputDim();
    int chunk = 64;
    StudentBlock.Workspace ws = s.newWorkspace(chunk);
    float[] out = new float[chunk * c];
    float[] zc = new float[chunk * s.inputDim()];
    double sum = 0;
    for (int from = 0; from < n; from += chunk) {
      int b = Math.min(chunk, n - from);
      System.arraycopy(z, from * s.inputDim(), zc, 0, b * s.inputDim());
      s.forward(zc, b, out, ws);
      for (int i = 0; i < b * c; i++) {
        double e = out[i] - y[from * c + i];
        sum += e * e;
      }
    }
    return sum / ((double) n * c);
  }
}
