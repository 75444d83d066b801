package org.convexdistill.cli;

import org.convexdistill.app.UserException;
import org.convexdistill.solver.BlasThreads;
import org.convexdistill.solver.SolverOptions;
import picocli.CommandLine.Option;

/** Stopping rules shared by solve and path. */
final class SolverFlags {
  @Option(
      names = "--gap-tol",
      paramLabel = "E",
      description = "Stop at this relative duality gap (default: ${DEFAULT-VALUE}).")
  double gapTol = SolverOptions.DEFAULT_GAP_TOLERANCE;

  @Option(
      names = "--tol",
      paramLabel = "T",
      description =
          "Stop when the squared min-norm subgradient is below T (default: ${DEFAULT-VALUE}).")
  double tol = SolverOptions.DEFAULT_SUBGRADIENT_TOLERANCE;

  @Option(
      names = "--max-iters",
      paramLabel = "N",
      description = "Iteration limit (default: ${DEFAULT-VALUE}).")
  int maxIters = SolverOptions.DEFAULT_MAX_ITERATIONS;

  @Option(
      names = "--no-working-set",
      description =
          "Iterate on every group (no working sets; for comparisons). By default"
              + " iterations run on working sets and the result is certified on all groups.")
  boolean noWorkingSet;

  @Option(
      names = "--threads",
      paramLabel = "K",
      description =
          "Solver threads: OpenBLAS's GEMM threads and the elementwise passes (default: all"
              + " cores).")
  int threads = Runtime.getRuntime().availableProcessors();

  SolverOptions.Builder builder(double lambda) {
    if (threads < 1) {
      throw new UserException("--threads must be >= 1, got " + threads);
    }
    BlasThreads.set(threads);
    return SolverOptions.builder()
        .setLambda(lambda)
        .optGapTolerance(gapTol)
        .optSubgradientTolerance(tol)
        .optMaxIterations(maxIters)
        .optWorkingSet(!noWorkingSet);
  }
}
