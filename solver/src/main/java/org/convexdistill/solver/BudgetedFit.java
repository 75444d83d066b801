package org.convexdistill.solver;

import java.util.List;

/**
 * The one budgeted fit that offline distillation and the online learner share: find λ for a
 * hidden-unit budget (a λ path from λmax when cold; from a warm start, raise λ while over the
 * budget and lower it while well under), then polish: the same convex problem restricted to the
 * selected support at {@code polishRatio}·λ (a relaxed-lasso refit, not the paper's polishing).
 */
public final class BudgetedFit {
  /** Lower λ after a warm refit when the student uses fewer than this fraction of the budget. */
  static final double LOWER_BELOW = 0.95;

  /** At most this many λ-lowering steps after a warm refit. */
  static final int MAX_LOWERING_STEPS = 5;

  private BudgetedFit() {}

  /**
   * How to fit.
   *
   * @param targetGroups the budget in hidden units (non-zero groups)
   * @param careful options of the solves whose result is kept (gap tolerance, iteration cap)
   * @param pathOptions options of the cold λ path's solves (may be looser than {@code careful})
   * @param refineSteps bisection steps of the cold path between its last two points
   * @param lambdaStep factor by which a warm refit raises or lowers λ
   * @param loweringOptions options of the short solves that lower λ after a warm refit
   * @param polishRatio the polish's λ as a fraction of the selected λ; 0 = no polish
   */
  public record Settings(
      int targetGroups,
      SolverOptions careful,
      SolverOptions pathOptions,
      int pathPoints,
      double pathMinRatio,
      int refineSteps,
      double lambdaStep,
      SolverOptions loweringOptions,
      double polishRatio) {}

  /**
   * A warm start: the previous selected solution and its λ, and the previous polished solution (or
   * null), carried onto this problem's groups.
   */
  public record Start(ConvexWeights weights, double lambda, ConvexWeights polished) {}

  /**
   * What the fit produced.
   *
   * @param selected the solution at the budget's λ
   * @param polished the polish (null without one); the served weights are {@link #used()}
   * @param pathPoints points of the cold path (0 for a warm refit)
   */
  public record Result(
      SolverResult selected,
      SolverResult polished,
      int iterations,
      int solves,
      double seconds,
      int pathPoints,
      boolean warm) {
    /** The solution the student is built from. */
    public SolverResult used() {
      return polished != null ? polished : selected;
    }
  }

  /** Fits on {@code solver}'s problem from {@code start} (null = cold). */
  public static Result fit(RFista solver, Settings s, Start start) {
    SolveTally t = new SolveTally();
    SolverResult selected;
    int pathPoints = 0;
    if (start != null) {
      selected = warm(solver, s, start, t);
    } else {
      RegularizationPath.Path p =
          new RegularizationPath(solver, s.pathOptions(), s.refineSteps())
              .run(s.pathPoints(), s.pathMinRatio(), s.targetGroups());
      if (p.selectedPoint() == null) {
        throw new InvalidProblemException(
            "no λ keeps the student within " + s.targetGroups() + " hidden units");
      }
      selected = p.selectedPoint().result();
      for (RegularizationPath.Point x : p.points()) {
        t.add(x.result());
      }
      pathPoints = p.points().size();
    }
    SolverResult polished = null;
    if (s.polishRatio() > 0 && selected.nonzeroGroups() > 0) {
      boolean[] support = selected.weights().support();
      ConvexWeights polishStart =
          start != null && start.polished() != null
              ? start.polished().onSupport(support, selected.weights())
              : selected.weights();
      polished =
          solver.solve(
              s.careful()
                  .withLambda(s.polishRatio() * selected.lambda(), polishStart)
                  .withAllowedGroups(support));
      t.add(polished);
    }
    return new Result(
        selected, polished, t.iterations, t.solves, t.seconds, pathPoints, start != null);
  }

  private static SolverResult warm(RFista solver, Settings s, Start start, SolveTally t) {
    int target = s.targetGroups();
    List<SolverResult> runs =
        new RegularizationPath(solver, s.careful())
            .refit(start.weights(), start.lambda(), target, s.lambdaStep());
    runs.forEach(t::add);
    SolverResult selected = runs.get(runs.size() - 1);
    // The refit only raises λ; when the window moved so that the student fell well under the
    // budget, lower λ a step at a time with short solves while it stays within it, then solve
    // carefully at the lowest such λ (kept only if still within the budget).
    // Never below the cold path's floor, pathMinRatio·λmax of this window: a student that stays
    // under its budget there is limited by the data, not the budget, and each lower λ would
    // fit the window more closely (more units, more iterations, no better on new rows).
    double floor = s.pathMinRatio() * solver.lambdaMax();
    if (runs.size() == 1 && selected.nonzeroGroups() < LOWER_BELOW * target) {
      SolverResult lowest = null;
      SolverResult at = selected;
      for (int down = 0; down < MAX_LOWERING_STEPS; down++) {
        if (at.lambda() / s.lambdaStep() < floor) {
          break;
        }
        SolverResult r =
            solver.solve(
                s.loweringOptions().withLambda(at.lambda() / s.lambdaStep(), at.weights()));
        t.add(r);
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
        SolverResult r = solver.solve(s.careful().withLambda(lowest.lambda(), lowest.weights()));
        t.add(r);
        if (r.nonzeroGroups() <= target) {
          selected = r;
        }
      }
    }
    return selected;
  }
}
