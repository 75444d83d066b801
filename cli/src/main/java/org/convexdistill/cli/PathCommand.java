package org.convexdistill.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.convexdistill.app.UserException;
import org.convexdistill.core.npy.Npy;
import org.convexdistill.solver.GatedReluProblem;
import org.convexdistill.solver.RFista;
import org.convexdistill.solver.RegularizationPath;
import org.convexdistill.solver.SolverResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code distill path}: the warm-started regularisation path and a λ for a group budget. */
@Command(
    name = "path",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Solve a geometric lambda grid from lambda_max down, each point warm-started from the last;"
          + " with --target-groups, stop past the budget, refine lambda and select the largest"
          + " student within it."
    })
final class PathCommand implements Callable<Integer> {
  @Mixin ProblemOptions problemOptions;

  @Option(
      names = "--points",
      paramLabel = "K",
      description = "Grid points (default: ${DEFAULT-VALUE}).")
  int points = 10;

  @Option(
      names = "--min-ratio",
      paramLabel = "r",
      description = "Smallest lambda as a fraction of lambda_max (default: ${DEFAULT-VALUE}).")
  double minRatio = 0.01;

  @Option(
      names = "--target-groups",
      paramLabel = "N",
      description = "Select the lambda with the most non-zero groups <= N (hidden units).")
  int targetGroups;

  @Mixin SolverFlags solverFlags;

  @Option(names = "--out", paramLabel = "U.npy", description = "Write the selected solution.")
  Path out;

  @Option(names = "--json", description = "Print one JSON object on stdout.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (points < 2) {
      throw new UserException("--points must be >= 2, got " + points);
    }
    if (!(minRatio > 0 && minRatio < 1)) {
      throw new UserException("--min-ratio must be in (0, 1), got " + minRatio);
    }
    if (targetGroups < 0) {
      throw new UserException("--target-groups must be >= 0, got " + targetGroups);
    }
    GatedReluProblem problem = problemOptions.load();
    RegularizationPath.Path path;
    double lambdaMax;
    try (RFista solver = new RFista(problem, solverFlags.threads)) {
      lambdaMax = solver.lambdaMax();
      var base = solverFlags.builder(lambdaMax).build();
      path = new RegularizationPath(solver, base).run(points, minRatio, targetGroups);
    }
    RegularizationPath.Point chosen = path.selectedPoint();
    if (out != null && chosen != null) {
      Npy.write(out, chosen.result().weights().toNpy());
    }
    PrintStream stdout = System.out;
    if (json) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (RegularizationPath.Point p : path.points()) {
        rows.add(row(p.result(), lambdaMax));
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("lambda_max", lambdaMax);
      m.put("target_groups", targetGroups > 0 ? targetGroups : null);
      m.put("points", rows);
      m.put("selected", path.selected());
      m.put("selected_lambda", chosen != null ? chosen.lambda() : null);
      m.put("total_seconds", path.points().stream().mapToDouble(p -> p.result().seconds()).sum());
      stdout.println(Json.write(m));
      return 0;
    }
    stdout.printf(
        "lambda_max %.6g   n=%d d=%d C=%d P=%d%n",
        lambdaMax, problem.samples(), problem.inputDim(), problem.outputs(), problem.gates());
    stdout.printf(
        "%3s %12s %9s %14s %10s %8s %12s %6s %8s%n",
        "#", "lambda", "/max", "objective", "rel.gap", "groups", "params", "iters", "seconds");
    for (int i = 0; i < path.points().size(); i++) {
      SolverResult r = path.points().get(i).result();
      stdout.printf(
          "%3d %12.5g %9.4f %14.8g %10.2e %8d %12d %6d %8.2f%s%n",
          i,
          r.lambda(),
          r.lambda() / lambdaMax,
          r.objective(),
          r.relativeGap(),
          r.nonzeroGroups(),
          path.points().get(i).studentParameters(),
          r.iterations(),
          r.seconds(),
          i == path.selected() && targetGroups > 0 ? "  <- selected" : "");
    }
    if (targetGroups > 0 && chosen == null) {
      stdout.println("no lambda on the path keeps the student within " + targetGroups + " groups");
    }
    return 0;
  }

  private static Map<String, Object> row(SolverResult r, double lambdaMax) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lambda", r.lambda());
    m.put("lambda_ratio", r.lambda() / lambdaMax);
    m.put("objective", r.objective());
    m.put("relative_gap", r.relativeGap());
    m.put("nonzero_groups", r.nonzeroGroups());
    m.put("student_params", (long) r.nonzeroGroups() * (r.weights().inputDim() + 1));
    m.put("iterations", r.iterations());
    m.put("stop_reason", r.stopReason().jsonName());
    m.put("seconds", r.seconds());
    return m;
  }
}
