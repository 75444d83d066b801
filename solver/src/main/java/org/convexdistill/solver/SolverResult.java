package org.convexdistill.solver;

/**
 * What one solve produced. The solver never throws for non-convergence: read {@link #stopReason}.
 *
 * @param weights the solution U (C×P×d)
 * @param lambda λ
 * @param lambdaMax the smallest λ for which U = 0 is optimal
 * @param certificate the exact certificate of {@code weights} (gradient recomputed at the end)
 * @param iterations R-FISTA iterations performed
 * @param backtracks line-search reductions of the step over all iterations
 * @param restarts momentum restarts
 * @param stopReason why it stopped
 * @param seconds wall-clock time of the solve
 * @param flops floating-point operations in the large matrix products
 * @param outerIterations restricted solves on a working set, each followed by a full certificate (1
 *     without a working set)
 * @param workingSetPeak the largest working set, in groups
 */
public record SolverResult(
    ConvexWeights weights,
    double lambda,
    double lambdaMax,
    Certificate certificate,
    int iterations,
    int backtracks,
    int restarts,
    StopReason stopReason,
    double seconds,
    double flops,
    int outerIterations,
    int workingSetPeak) {

  /** F(U). */
  public double objective() {
    return certificate.objective();
  }

  /** The relative duality gap of the solution. */
  public double relativeGap() {
    return certificate.relativeGap();
  }

  /** Whether a tolerance (not the iteration limit) stopped the solver. */
  public boolean converged() {
    return stopReason != StopReason.MAX_ITERATIONS;
  }

  /** Groups with a non-zero weight vector: the student's hidden units. */
  public int nonzeroGroups() {
    return weights.nonzeroGroups();
  }

  /** C·P. */
  public int totalGroups() {
    return weights.totalGroups();
  }

  /** Achieved GFLOP/s of the matrix products over the whole solve. */
  public double gflops() {
    return seconds > 0 ? flops / seconds / 1e9 : 0.0;
  }
}
