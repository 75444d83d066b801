package org.convexdistill.solver;

/** Iterations, solves and seconds summed over the solves of one budgeted fit. */
final class SolveTally {
  int iterations;
  int solves;
  double seconds;

  /** Counts {@code r} and returns it. */
  SolverResult add(SolverResult r) {
    iterations += r.iterations();
    seconds += r.seconds();
    solves++;
    return r;
  }
}
