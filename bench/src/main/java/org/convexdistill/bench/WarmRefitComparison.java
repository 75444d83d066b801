package org.convexdistill.bench;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convexdistill.app.Json;
import org.convexdistill.core.npy.NpyArray;
import org.convexdistill.solver.ConvexWeights;
import org.convexdistill.solver.GatedReluProblem;
import org.convexdistill.solver.InvalidProblemException;
import org.convexdistill.solver.RFista;
import org.convexdistill.solver.RegularizationPath;
import org.convexdistill.solver.SolverOptions;
import org.convexdistill.solver.SolverResult;

/**
 * Warm versus cold refits after the window slides by a fraction of its rows, on one stream: the
 * learner's situation. Two comparisons, both in R-FISTA iterations (each one gradient GEMM plus one
 * forward GEMM per line-search trial):
 *
 * <ul>
 *   <li>one solve at a fixed λ: from zero versus from the previous window's solution;
 *   <li>a refit for a group budget: a new warm-started λ path from λ_max (what a learner without
 *       memory must do) versus {@link RegularizationPath#refit} from the previous λ and solution.
 * </ul>
 */
public final class WarmRefitComparison {
  private WarmRefitComparison() {}

  /** The figures of one comparison. */
  public record Figures(
      int coldIterations,
      int warmIterations,
      double coldSeconds,
      double warmSeconds,
      double coldObjective,
      double warmObjective,
      int coldBudgetIterations,
      int warmBudgetIterations,
      int coldBudgetSolves,
      int warmBudgetSolves,
      int coldBudgetGroups,
      int warmBudgetGroups,
      double lambda) {
    public double singleRatio() {
      return (double) warmIterations / coldIterations;
    }

    public double budgetRatio() {
      return (double) warmBudgetIterations / coldBudgetIterations;
    }
  }

  /**
   * Runs the comparison on two windows of n rows of {@code stream}, the second shifted by {@code
   * slide} rows.
   *
   * @param stream {Z, Y} with at least n + slide rows
   * @param lambdaRatio λ as a fraction of the first window's λ_max for the fixed-λ comparison
   * @param targetGroups the budget for the budgeted refit
   */
  public static Figures run(
      NpyArray[] stream,
      int n,
      int slide,
      int gates,
      long gateSeed,
      double lambdaRatio,
      int targetGroups,
      SolverOptions base,
      int pathPoints,
      double pathMinRatio) {
    if (stream[0].dim(0) < n + slide) {
      throw new InvalidProblemException(
          "stream has " + stream[0].dim(0) + " rows, need n + slide = " + (n + slide));
    }
    GatedReluProblem first = window(stream, 0, n, gates, gateSeed);
    GatedReluProblem second = window(stream, slide, n, gates, gateSeed);

    double lambda;
    ConvexWeights previous;
    RegularizationPath.Point previousBudget;
    try (RFista solver = new RFista(first)) {
      lambda = lambdaRatio * solver.lambdaMax();
      previous = solver.solve(base.withLambda(lambda, null)).weights();
      previousBudget =
          new RegularizationPath(solver, base)
              .run(pathPoints, pathMinRatio, targetGroups)
              .selectedPoint();
    }
    if (previousBudget == null) {
      throw new InvalidProblemException(
          "no lambda on the path keeps the first window within " + targetGroups + " groups");
    }
    try (RFista solver = new RFista(second)) {
      SolverResult cold = solver.solve(base.withLambda(lambda, null));
      SolverResult warm = solver.solve(base.withLambda(lambda, previous));

      RegularizationPath path = new RegularizationPath(solver, base);
      RegularizationPath.Path coldPath = path.run(pathPoints, pathMinRatio, targetGroups);
      List<SolverResult> warmRefit =
          path.refit(
              previousBudget.result().weights(), previousBudget.lambda(), targetGroups, 1.05);
      int coldPathIterations =
          coldPath.points().stream().mapToInt(p -> p.result().iterations()).sum();
      int warmRefitIterations = warmRefit.stream().mapToInt(SolverResult::iterations).sum();
      RegularizationPath.Point chosen = coldPath.selectedPoint();
      return new Figures(
          cold.iterations(),
          warm.iterations(),
          cold.seconds(),
          warm.seconds(),
          cold.objective(),
          warm.objective(),
          coldPathIterations,
          warmRefitIterations,
          coldPath.points().size(),
          warmRefit.size(),
          chosen == null ? -1 : chosen.result().nonzeroGroups(),
          warmRefit.get(warmRefit.size() - 1).nonzeroGroups(),
          lambda);
    }
  }

  private static GatedReluProblem window(
      NpyArray[] stream, int from, int n, int gates, long gateSeed) {
    return GatedReluProblem.builder()
        .setInputs(SolverThroughput.rows(stream[0], from, n))
        .setTargets(SolverThroughput.rows(stream[1], from, n))
        .optRandomGates(gates, gateSeed)
        .build();
  }

  /** Prints the comparison as two lines, or as one JSON object with {@code json}. */
  public static void report(
      Figures f,
      int n,
      int d,
      int c,
      int gates,
      int shift,
      double gapTol,
      double lambdaRatio,
      int budget,
      boolean json,
      PrintStream out) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cold_iterations", f.coldIterations());
    m.put("warm_iterations", f.warmIterations());
    m.put("warm_over_cold", f.singleRatio());
    m.put("cold_seconds", f.coldSeconds());
    m.put("warm_seconds", f.warmSeconds());
    m.put(
        "objective_rel_diff", Math.abs(f.warmObjective() - f.coldObjective()) / f.coldObjective());
    m.put("budget_groups", budget);
    m.put("cold_path_iterations", f.coldBudgetIterations());
    m.put("cold_path_solves", f.coldBudgetSolves());
    m.put("warm_refit_iterations", f.warmBudgetIterations());
    m.put("warm_refit_solves", f.warmBudgetSolves());
    m.put("warm_refit_over_cold_path", f.budgetRatio());
    m.put("cold_path_groups", f.coldBudgetGroups());
    m.put("warm_refit_groups", f.warmBudgetGroups());
    m.put("n", n);
    m.put("d", d);
    m.put("C", c);
    m.put("P", gates);
    m.put("slide_rows", shift);
    m.put("gap_tol", gapTol);
    if (json) {
      out.println(Json.write(m));
    } else {
      out.printf(
          "window n=%d d=%d C=%d P=%d, slide %d rows, gap tol %.0e%n",
          n, d, c, gates, shift, gapTol);
      out.printf(
          "fixed lambda (%.2f lambda_max): cold %d iterations (%.2f s), warm %d (%.2f s): ratio %.2f%n",
          lambdaRatio,
          f.coldIterations(),
          f.coldSeconds(),
          f.warmIterations(),
          f.warmSeconds(),
          f.singleRatio());
      out.printf(
          "budget %d groups: new path %d iterations in %d solves (%d groups), warm refit %d in %d"
              + " solves (%d groups): ratio %.2f%n",
          budget,
          f.coldBudgetIterations(),
          f.coldBudgetSolves(),
          f.coldBudgetGroups(),
          f.warmBudgetIterations(),
          f.warmBudgetSolves(),
          f.warmBudgetGroups(),
          f.budgetRatio());
    }
  }
}
