package org.convexdistill.solver;

/**
 * Settings of one R-FISTA solve. Build with {@link #builder()}: {@code setLambda} is required.
 *
 * @param lambda λ ≥ 0, the group-lasso weight
 * @param gapTolerance stop when the relative duality gap is at most this
 * @param subgradientTolerance stop when the squared min-norm subgradient is at most this times
 *     ‖∇f(0)‖² (relative, so it does not depend on the data's scale)
 * @param maxIterations iteration limit
 * @param warmStart starting point, or null for U = 0
 * @param initialStep first step size, or NaN to estimate 1/L by power iteration
 * @param listener called after every iteration, or null
 * @param allowedGroups groups (index k·P + j) that may be non-zero, or null for all: the problem
 *     restricted to a support, e.g. to polish a selected solution without adding units
 * @param workingSet iterate on working sets of groups (certified on the whole problem); false
 *     iterates on every group (for comparisons)
 */
public record SolverOptions(
    double lambda,
    double gapTolerance,
    double subgradientTolerance,
    int maxIterations,
    ConvexWeights warmStart,
    double initialStep,
    IterationListener listener,
    boolean[] allowedGroups,
    boolean workingSet) {

  /** Default relative duality gap: a certified 1e-5, ten times tighter than the 1e-4 we promise. */
  public static final double DEFAULT_GAP_TOLERANCE = 1e-5;

  /**
   * Default relative squared subgradient tolerance: low enough that for λ &gt; 0 the certified gap
   * decides. At λ = 0 the gap certifies nothing (the only feasible dual point is 0), so give a
   * looser value such as 1e-10 there.
   */
  public static final double DEFAULT_SUBGRADIENT_TOLERANCE = 1e-15;

  /** Default iteration limit. */
  public static final int DEFAULT_MAX_ITERATIONS = 10_000;

  /** Receives progress after each iteration. */
  @FunctionalInterface
  public interface IterationListener {
    /**
     * Called after iteration {@code iteration} with the certificate of the current iterate (the gap
     * there uses an incrementally updated gradient; the final result's is recomputed).
     */
    void onIteration(int iteration, Certificate certificate, double step);
  }

  /** A builder with the defaults above. */
  public static Builder builder() {
    return new Builder();
  }

  /** A copy with another λ and warm start (used along a path). */
  public SolverOptions withLambda(double newLambda, ConvexWeights newWarmStart) {
    return new Builder()
        .setLambda(newLambda)
        .optGapTolerance(gapTolerance)
        .optSubgradientTolerance(subgradientTolerance)
        .optMaxIterations(maxIterations)
        .optWarmStart(newWarmStart)
        .optInitialStep(initialStep)
        .optListener(listener)
        .optAllowedGroups(allowedGroups)
        .optWorkingSet(workingSet)
        .build();
  }

  /** A copy restricted to the given groups (see {@link Builder#optAllowedGroups}). */
  public SolverOptions withAllowedGroups(boolean[] groups) {
    return new Builder()
        .setLambda(lambda)
        .optGapTolerance(gapTolerance)
        .optSubgradientTolerance(subgradientTolerance)
        .optMaxIterations(maxIterations)
        .optWarmStart(warmStart)
        .optInitialStep(initialStep)
        .optListener(listener)
        .optAllowedGroups(groups)
        .optWorkingSet(workingSet)
        .build();
  }

  /** Builder for {@link SolverOptions}; validates in {@link #build()}. */
  public static final class Builder {
    private double lambda = Double.NaN;
    private double gapTolerance = DEFAULT_GAP_TOLERANCE;
    private double subgradientTolerance = DEFAULT_SUBGRADIENT_TOLERANCE;
    private int maxIterations = DEFAULT_MAX_ITERATIONS;
    private ConvexWeights warmStart;
    private double initialStep = Double.NaN;
    private IterationListener listener;
    private boolean[] allowedGroups;
    private boolean workingSet = true;

    private Builder() {}

    /** Iterate on working sets (default true); false runs every iteration on every group. */
    public Builder optWorkingSet(boolean workingSet) {
      this.workingSet = workingSet;
      return this;
    }

    /** Restricts the problem to these groups (index k·P + j); the others stay exactly zero. */
    public Builder optAllowedGroups(boolean[] allowedGroups) {
      this.allowedGroups = allowedGroups == null ? null : allowedGroups.clone();
      return this;
    }

    /** Required: λ ≥ 0. */
    public Builder setLambda(double lambda) {
      this.lambda = lambda;
      return this;
    }

    /** Relative duality gap at which to stop (≥ 0). */
    public Builder optGapTolerance(double tolerance) {
      this.gapTolerance = tolerance;
      return this;
    }

    /** Squared min-norm subgradient, relative to ‖∇f(0)‖², at which to stop (≥ 0). */
    public Builder optSubgradientTolerance(double tolerance) {
      this.subgradientTolerance = tolerance;
      return this;
    }

    /** Iteration limit (≥ 0). */
    public Builder optMaxIterations(int maxIterations) {
      this.maxIterations = maxIterations;
      return this;
    }

    /** Starts from these weights instead of zero. */
    public Builder optWarmStart(ConvexWeights warmStart) {
      this.warmStart = warmStart;
      return this;
    }

    /** Fixed first step size (> 0); by default 1/L is estimated. */
    public Builder optInitialStep(double step) {
      this.initialStep = step;
      return this;
    }

    /** Progress callback. */
    public Builder optListener(IterationListener listener) {
      this.listener = listener;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws InvalidProblemException for a missing or negative λ, negative tolerances or limits
     */
    public SolverOptions build() {
      if (Double.isNaN(lambda)) {
        throw new InvalidProblemException("lambda is required");
      }
      if (!(lambda >= 0) || Double.isInfinite(lambda)) {
        throw new InvalidProblemException("lambda must be a finite number >= 0, got " + lambda);
      }
      if (!(gapTolerance >= 0)) {
        throw new InvalidProblemException("gap tolerance must be >= 0, got " + gapTolerance);
      }
      if (!(subgradientTolerance >= 0)) {
        throw new InvalidProblemException(
            "subgradient tolerance must be >= 0, got " + subgradientTolerance);
      }
      if (maxIterations < 0) {
        throw new InvalidProblemException("max iterations must be >= 0, got " + maxIterations);
      }
      if (!Double.isNaN(initialStep) && !(initialStep > 0 && Double.isFinite(initialStep))) {
        throw new InvalidProblemException("initial step must be > 0, got " + initialStep);
      }
      return new SolverOptions(
          lambda,
          gapTolerance,
          subgradientTolerance,
          maxIterations,
          warmStart,
          initialStep,
          listener,
          allowedGroups,
          workingSet);
    }
  }
}
