package org.convexdistill.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.convexdistill.learner.solver.SolverThroughput;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distill bench}: performance figures printed by commands, not by tests. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks that print figures.",
    subcommands = {BenchCommand.Solver.class})
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
}
