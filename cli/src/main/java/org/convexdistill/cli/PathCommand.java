package org.convexdistill.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.convexdistill.app.Json;
import org.convexdistill.app.SolverReports;
import org.convexdistill.app.UserException;
import org.convexdistill.core.npy.Npy;
import org.convexdistill.solver.GatedReluProblem;
import org.convexdistill.solver.RFista;
import org.convexdistill.solver.RegularizationPath;
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
    if (json) {
      System.out.println(Json.write(SolverReports.pathJson(path, lambdaMax, targetGroups)));
    } else {
      SolverReports.printPath(System.out, problem, path, lambdaMax, targetGroups);
    }
    return 0;
  }
}
