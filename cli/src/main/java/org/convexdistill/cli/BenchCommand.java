package org.convexdistill.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.convexdistill.app.UserException;
import org.convexdistill.bench.SolverThroughput;
import org.convexdistill.bench.WarmRefitComparison;
import org.convexdistill.core.npy.NpyArray;
import org.convexdistill.solver.SolverOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distill bench}: performance figures printed by commands, not by tests. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks that print figures.",
    subcommands = {
      BenchCommand.Solver.class,
      BenchCommand.Warm.class,
      BenchRefitCommand.class,
      BenchIngestCommand.class,
      BenchServingCommand.class
    })
final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code distill bench solver}. */
  @Command(
      name = "solver",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "In one process: plain sgemm GFLOP/s on the solver's shapes and threads, then the solver's"
            + " GFLOP/s over --iters iterations; efficiency is their ratio."
      })
  static final class Solver implements Callable<Integer> {
    @Option(names = "--n", description = "Samples (default: ${DEFAULT-VALUE}).")
    int n = 6000;

    @Option(names = "--d", description = "Input dimension (default: ${DEFAULT-VALUE}).")
    int d = 1024;

    @Option(names = "--c", description = "Outputs (default: ${DEFAULT-VALUE}).")
    int c = 64;

    @Option(names = "--gates", description = "Gates (default: ${DEFAULT-VALUE}).")
    int gates = 32;

    @Option(names = "--iters", description = "Solver iterations (default: ${DEFAULT-VALUE}).")
    int iters = 20;

    @Option(names = "--sgemm-reps", description = "sgemm repetitions (default: ${DEFAULT-VALUE}).")
    int sgemmReps = 10;

    @Option(
        names = "--threads",
        description = "Threads for the solver's elementwise passes (default: all cores).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() {
      if (n <= 0 || d <= 0 || c <= 0 || gates <= 0 || iters <= 0 || sgemmReps <= 0) {
        throw new UserException("--n, --d, --c, --gates, --iters and --sgemm-reps must be > 0");
      }
      if (threads < 1) {
        throw new UserException("--threads must be >= 1, got " + threads);
      }
      if ((long) n * c * gates > Integer.MAX_VALUE || (long) n * d > Integer.MAX_VALUE) {
        throw new UserException("shapes too large: n*C*P and n*d must stay below 2^31");
      }
      var f = SolverThroughput.measure(n, d, c, gates, iters, threads, sgemmReps);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("solver_gflops", f.solverGflops());
      m.put("sgemm_gflops", f.sgemmGflops());
      m.put("efficiency", f.efficiency());
      m.put("threads", f.blasThreads());
      m.put("solver_threads", f.solverThreads());
      m.put("iterations", f.iterations());
      m.put("ms_per_iteration", f.secondsPerIteration() * 1e3);
      m.put("gemms_per_iteration", f.gemmsPerIteration());
      m.put("n", n);
      m.put("d", d);
      m.put("C", c);
      m.put("P", gates);
      if (json) {
        System.out.println(Json.write(m));
      } else {
        System.out.printf(
            "shapes         n=%d d=%d C=%d P=%d (GEMM %d x %d by %d x %d)%n",
            n, d, c, gates, n, d, d, c * gates);
        System.out.printf(
            "sgemm          %.1f GFLOP/s (median of %d x 2)%n", f.sgemmGflops(), sgemmReps);
        System.out.printf(
            "solver         %.1f GFLOP/s over %d iterations, %.1f ms/iteration, %.2f GEMMs/iteration%n",
            f.solverGflops(), f.iterations(), f.secondsPerIteration() * 1e3, f.gemmsPerIteration());
        System.out.printf(
            "efficiency     %.3f   (threads: BLAS %d, solver %d)%n",
            f.efficiency(), f.blasThreads(), f.solverThreads());
      }
      return 0;
    }
  }

  /** {@code distill bench warm}. */
  @Command(
      name = "warm",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Warm versus cold refits after a window slide on a planted synthetic stream: iterations of"
            + " one solve at a fixed lambda, and of a refit for a group budget (new path versus"
            + " warm refit from the previous lambda and solution)."
      })
  static final class Warm implements Callable<Integer> {
    @Option(names = "--n", description = "Window rows (default: ${DEFAULT-VALUE}).")
    int n = 2000;

    @Option(names = "--d", description = "Input dimension (default: ${DEFAULT-VALUE}).")
    int d = 256;

    @Option(names = "--c", description = "Outputs (default: ${DEFAULT-VALUE}).")
    int c = 32;

    @Option(names = "--gates", description = "Gates (default: ${DEFAULT-VALUE}).")
    int gates = 16;

    @Option(
        names = "--slide",
        description = "Fraction of the window replaced (default: ${DEFAULT-VALUE}).")
    double slide = 0.1;

    @Option(
        names = "--lambda-ratio",
        description = "Fixed lambda / lambda_max (default: ${DEFAULT-VALUE}).")
    double lambdaRatio = 0.1;

    @Option(names = "--target-groups", description = "Group budget for the refit (default: C*P/4).")
    int targetGroups;

    @Option(
        names = "--gap-tol",
        description = "Relative gap tolerance (default: ${DEFAULT-VALUE}).")
    double gapTol = SolverOptions.DEFAULT_GAP_TOLERANCE;

    @Option(names = "--seed", description = "Stream seed (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() {
      if (n <= 0 || d <= 0 || c <= 0 || gates <= 0) {
        throw new UserException("--n, --d, --c and --gates must be > 0");
      }
      if (!(slide > 0 && slide < 1)) {
        throw new UserException("--slide must be in (0, 1), got " + slide);
      }
      if (!(lambdaRatio > 0 && lambdaRatio < 1)) {
        throw new UserException("--lambda-ratio must be in (0, 1), got " + lambdaRatio);
      }
      int budget = targetGroups > 0 ? targetGroups : Math.max(1, c * gates / 4);
      int shift = Math.max(1, (int) Math.round(slide * n));
      NpyArray[] stream = SolverThroughput.syntheticRows(n + shift, d, c, seed);
      SolverOptions base = SolverOptions.builder().setLambda(1).optGapTolerance(gapTol).build();
      var f =
          WarmRefitComparison.run(
              stream, n, shift, gates, seed + 1, lambdaRatio, budget, base, 12, 0.01);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("cold_iterations", f.coldIterations());
      m.put("warm_iterations", f.warmIterations());
      m.put("warm_over_cold", f.singleRatio());
      m.put("cold_seconds", f.coldSeconds());
      m.put("warm_seconds", f.warmSeconds());
      m.put(
          "objective_rel_diff",
          Math.abs(f.warmObjective() - f.coldObjective()) / f.coldObjective());
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
        System.out.println(Json.write(m));
      } else {
        System.out.printf(
            "window n=%d d=%d C=%d P=%d, slide %d rows, gap tol %.0e%n",
            n, d, c, gates, shift, gapTol);
        System.out.printf(
            "fixed lambda (%.2f lambda_max): cold %d iterations (%.2f s), warm %d (%.2f s): ratio %.2f%n",
            lambdaRatio,
            f.coldIterations(),
            f.coldSeconds(),
            f.warmIterations(),
            f.warmSeconds(),
            f.singleRatio());
        System.out.printf(
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
      return 0;
    }
  }
}
