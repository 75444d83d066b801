package org.convexdistill.app;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convexdistill.solver.GatedReluProblem;
import org.convexdistill.solver.RegularizationPath;
import org.convexdistill.solver.SolverResult;

/** How {@code distill solve} and {@code distill path} show their results (tables and JSON). */
public final class SolverReports {
  private SolverReports() {}

  /** The human summary of one solve ({@code distill solve}). */
  public static void printSolve(PrintStream out, GatedReluProblem p, SolverResult r) {
    out.printf(
        "problem        n=%d d=%d C=%d P=%d, lambda=%.6g (%.4f lambda_max)%n",
        p.samples(), p.inputDim(), p.outputs(), p.gates(), r.lambda(), r.lambda() / r.lambdaMax());
    out.printf(
        "objective      %.10f  (loss %.8g + penalty %.8g)%n",
        r.objective(), r.certificate().loss(), r.certificate().penalty());
    out.printf(
        "certificate    relative duality gap %.2e: the objective is within %.2e of the optimum%n",
        r.relativeGap(), Math.max(0, r.relativeGap()));
    out.printf(
        "stopped        %s after %d iterations (%d backtracks, %d restarts), %.2f s, %.1f GFLOP/s%n",
        r.stopReason().jsonName(),
        r.iterations(),
        r.backtracks(),
        r.restarts(),
        r.seconds(),
        r.gflops());
    out.printf(
        "student        %d of %d groups non-zero -> %d hidden units, %d parameters%n",
        r.nonzeroGroups(),
        r.totalGroups(),
        r.nonzeroGroups(),
        (long) r.nonzeroGroups() * (p.inputDim() + 1));
  }

  /** The path as one JSON object ({@code distill path --json}). */
  public static Map<String, Object> pathJson(
      RegularizationPath.Path path, double lambdaMax, int targetGroups) {
    RegularizationPath.Point chosen = path.selectedPoint();
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
    return m;
  }

  /** The path as a table, the selected point marked. */
  public static void printPath(
      PrintStream stdout,
      GatedReluProblem problem,
      RegularizationPath.Path path,
      double lambdaMax,
      int targetGroups) {
    RegularizationPath.Point chosen = path.selectedPoint();
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
