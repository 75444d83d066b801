package org.convexdistill.cli;

import org.convexdistill.app.UserException;
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
      names = "--threads",
      paramLabel = "K",
      description = "Threads for the solver's elementwise passes (default: all cores).")
  int threads = Runtime.getRuntime().availableProcessors();

  SolverOptions.Builder builder(double lambda) {
    if (threads < 1) {
      throw new UserException("--threads must be >= 1, got " + threads);
    }
    return SolverOptions.builder()
        .setLambda(lambda)
        .optGapTolerance(gapTol)
        .optSubgradientTolerance(tol)
        .optMaxIterations(maxIters);
  }
}
