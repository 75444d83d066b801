package org.convexdistill.solver;

import java.util.ArrayList;
import java.util.List;

/**
 * A warm-started regularisation path: λ on a geometric grid from λ_max down to {@code λ_max ·
 * minRatio}, each point started from the previous solution, and the choice of λ for a budget of
 * non-zero groups (each non-zero group is one hidden unit of d + 1 parameters).
 */
public final class RegularizationPath {
  /** Default bisection steps in log λ to refine the choice between two grid points. */
  public static final int DEFAULT_REFINE_STEPS = 6;

  /** Upper bound on the solves of one {@link #refit}. */
  private static final int MAX_REFIT_SOLVES = 12;

  private final RFista solver;
  private final SolverOptions base;
  private final int refineSteps;

  /**
   * @param solver the solver of the problem
   * @param base settings for every point; its λ and warm start are replaced per point
   */
  public RegularizationPath(RFista solver, SolverOptions base) {
    this(solver, base, DEFAULT_REFINE_STEPS);
  }

  /**
   * @param refineSteps bisection steps between the last grid point within the budget and the first
   *     over it (fewer: faster, and the selected λ lands further under the budget)
   */
  public RegularizationPath(RFista solver, SolverOptions base, int refineSteps) {
    if (refineSteps < 0) {
      throw new InvalidProblemException("refine steps must be >= 0, got " + refineSteps);
    }
    this.solver = solver;
    this.base = base;
    this.refineSteps = refineSteps;
  }

  /** One solved point of the path. */
  public record Point(SolverResult result, long studentParameters) {
    /** λ of this point. */
    public double lambda() {
      return result.lambda();
    }
  }

  /** The solved points in decreasing λ, and the index of the one chosen for the budget (or -1). */
  public record Path(List<Point> points, int selected) {
    /** The chosen point. */
    public Point selectedPoint() {
      return selected >= 0 ? points.get(selected) : null;
    }
  }

  /**
   * λ_max·minRatio^(i/(K−1)) for i = 0..K−1, decreasing.
   *
   * @throws InvalidProblemException for K &lt; 2 or a ratio outside (0, 1)
   */
  public static double[] geometricGrid(double lambdaMax, int points, double minRatio) {
    if (points < 2) {
      throw new InvalidProblemException("a path needs at least 2 points, got " + points);
    }
    if (!(minRatio > 0 && minRatio < 1)) {
      throw new InvalidProblemException("min ratio must be in (0, 1), got " + minRatio);
    }
    double[] grid = new double[points];
    for (int i = 0; i < points; i++) {
      grid[i] = lambdaMax * Math.pow(minRatio, (double) i / (points - 1));
    }
    return grid;
  }

  /**
   * Solves the whole grid, warm-starting each point from the last. With {@code targetGroups > 0} it
   * stops at the first point with more non-zero groups than the target, refines λ by bisection
   * (warm-started) between that point and the previous one, and selects the solution with the most
   * non-zero groups that stays within the target.
   */
  public Path run(int points, double minRatio, int targetGroups) {
    double[] grid = geometricGrid(solver.lambdaMax(), points, minRatio);
    List<Point> solved = new ArrayList<>();
    ConvexWeights warm = null;
    int selected = -1;
    for (double lambda : grid) {
      SolverResult r = solver.solve(base.withLambda(lambda, warm));
      solved.add(point(r));
      warm = r.weights();
      if (targetGroups > 0) {
        if (r.nonzeroGroups() <= targetGroups) {
          selected = solved.size() - 1;
        } else {
          selected = refine(solved, selected, targetGroups);
          break;
        }
      }
    }
    if (targetGroups <= 0) {
      selected = solved.size() - 1;
    }
    return new Path(List.copyOf(solved), selected);
  }

  /** Bisects λ between the last point within budget and the first over it. */
  private int refine(List<Point> solved, int within, int targetGroups) {
    if (within < 0) {
      return -1;
    }
    Point lo = solved.get(within);
    Point hi = solved.get(solved.size() - 1);
    int best = within;
    for (int step = 0; step < refineSteps; step++) {
      double lambda = Math.sqrt(lo.lambda() * hi.lambda());
      SolverResult r = solver.solve(base.withLambda(lambda, lo.result().weights()));
      Point p = point(r);
      solved.add(p);
      if (r.nonzeroGroups() <= targetGroups) {
        lo = p;
        if (r.nonzeroGroups() > solved.get(best).result().nonzeroGroups()) {
          best = solved.size() - 1;
        }
        if (r.nonzeroGroups() == targetGroups) {
          break;
        }
      } else {
        hi = p;
      }
    }
    // Keep the listing in decreasing λ.
    Point chosen = solved.get(best);
    solved.sort((a, b) -> Double.compare(b.lambda(), a.lambda()));
    return solved.indexOf(chosen);
  }

  /**
   * A budgeted refit from a previous solution, as the learner does on every window: solve at the
   * previous λ from the previous weights; while the student exceeds the budget, raise λ by {@code
   * lambdaStep} (warm-started each time). Far cheaper than a new path when the data moved little.
   *
   * @return every solve in order; the last one is the selected solution (within the budget unless
   *     {@code maxSolves} ran out)
   */
  public List<SolverResult> refit(
      ConvexWeights previous, double previousLambda, int targetGroups, double lambdaStep) {
    if (!(lambdaStep > 1)) {
      throw new InvalidProblemException("lambda step must be > 1, got " + lambdaStep);
    }
    List<SolverResult> solves = new ArrayList<>();
    double lambda = previousLambda;
    ConvexWeights warm = previous;
    for (int i = 0; i < MAX_REFIT_SOLVES; i++) {
      SolverResult r = solver.solve(base.withLambda(lambda, warm));
      solves.add(r);
      if (targetGroups <= 0 || r.nonzeroGroups() <= targetGroups) {
        break;
      }
      warm = r.weights();
      lambda *= lambdaStep;
    }
    return solves;
  }

  private Point point(SolverResult r) {
    return new Point(r, (long) r.nonzeroGroups() * (r.weights().inputDim() + 1));
  }
}
