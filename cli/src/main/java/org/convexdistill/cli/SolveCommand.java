package org.convexdistill.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.convexdistill.app.Json;
import org.convexdistill.app.Progress;
import org.convexdistill.app.SolverReports;
import org.convexdistill.app.UserException;
import org.convexdistill.core.npy.Npy;
import org.convexdistill.solver.ConvexWeights;
import org.convexdistill.solver.GatedAdmm;
import org.convexdistill.solver.GatedReluProblem;
import org.convexdistill.solver.RFista;
import org.convexdistill.solver.SolverOptions;
import org.convexdistill.solver.SolverResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code distill solve}: one convex fit with its certificate. */
@Command(
    name = "solve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Solve the convex gated-ReLU group lasso at one lambda with R-FISTA and print the solution"
          + " with its duality-gap certificate.",
      "Objective: ||Yhat - Y||^2/(2nC) + lambda * sum_kj ||U[k,j,:]||, Z columns scaled to unit"
          + " norm, patterns 1(Zn G > 0)."
    })
final class SolveCommand implements Callable<Integer> {
  @Mixin ProblemOptions problemOptions;

  @Option(names = "--lambda", required = true, paramLabel = "L", description = "lambda >= 0.")
  double lambda;

  @Mixin SolverFlags solverFlags;

  @Option(
      names = "--warm-start",
      paramLabel = "U0.npy",
      description = "Start from these weights, shape (C, P, d).")
  Path warmStart;

  @Option(names = "--out", paramLabel = "U.npy", description = "Write the solution U, (C, P, d).")
  Path out;

  @Option(names = "--json", description = "Print one JSON object on stdout.")
  boolean json;

  @Option(
      names = "--admm",
      description =
          "Solve by ADMM with a cached kernel factorisation instead of R-FISTA (same problem and"
              + " certificate; faster at small lambda).")
  boolean admm;

  @Option(
      names = "--nuclear",
      description =
          "The shared-output problem of Theorem 3B instead: lambda * sum_j ||V_j||_* with V_j ="
              + " U[:,j,:]^T (d x C); implies --admm, needs C <= 64.")
  boolean nuclear;

  @Override
  public Integer call() throws Exception {
    if (!(lambda >= 0) || Double.isInfinite(lambda)) {
      throw new UserException("--lambda must be a finite number >= 0, got " + lambda);
    }
    GatedReluProblem problem = problemOptions.load();
    SolverOptions.Builder options = solverFlags.builder(lambda);
    if (warmStart != null) {
      options.optWarmStart(ConvexWeights.fromNpy(Npy.read(warmStart)));
    }
    Progress progress = json ? null : new Progress(System.err, "solve", solverFlags.gapTol);
    options.optListener(progress);
    SolverResult result;
    try {
      if (admm || nuclear) {
        SolverOptions o = options.build();
        try (GatedAdmm solver =
            new GatedAdmm(
                problem,
                nuclear ? GatedAdmm.Penalty.NUCLEAR_NORM : GatedAdmm.Penalty.GROUP_LASSO,
                solverFlags.threads)) {
          GatedAdmm.Options a =
              GatedAdmm.Options.of(o.lambda(), o.gapTolerance(), o.maxIterations());
          result =
              solver.solve(o.warmStart() == null ? a : a.withWarmStart(o.warmStart())).result();
        }
      } else {
        try (RFista solver = new RFista(problem, solverFlags.threads)) {
          result = solver.solve(options.build());
        }
      }
    } finally {
      if (progress != null) {
        progress.finish();
      }
    }
    if (out != null) {
      Npy.write(out, result.weights().toNpy());
    }
    PrintStream stdout = System.out;
    if (json) {
      Map<String, Object> m = Json.solution(result);
      m.put("n", problem.samples());
      m.put("d", problem.inputDim());
      m.put("C", problem.outputs());
      m.put("P", problem.gates());
      if (out != null) {
        m.put("out", out.toString());
      }
      stdout.println(Json.write(m));
    } else {
      SolverReports.printSolve(stdout, problem, result);
      if (out != null) {
        stdout.println("wrote          " + out + " " + result.weights().toNpy().shapeString());
      }
    }
    return 0;
  }
}
