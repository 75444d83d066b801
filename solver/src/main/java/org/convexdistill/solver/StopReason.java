package org.convexdistill.solver;

/** Why the solver stopped. */
public enum StopReason {
  /** The relative duality gap fell below its tolerance: the solution is certified. */
  DUALITY_GAP,
  /** The squared minimum-norm subgradient fell below its tolerance. */
  SUBGRADIENT,
  /** λ ≥ λ_max, so U = 0 is optimal without iterating. */
  ZERO_SOLUTION,
  /** The iteration limit was reached first. */
  MAX_ITERATIONS;

  /** The lower-case name used in JSON output, e.g. {@code duality_gap}. */
  public String jsonName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
