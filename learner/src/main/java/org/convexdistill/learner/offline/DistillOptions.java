package org.convexdistill.learner.offline;

import org.convexdistill.solver.InvalidProblemException;

/**
 * Settings of an offline distillation of one block. Build with {@link #builder()}; the block and
 * exactly one of max-params or compression are required.
 *
 * @param block k, 1..4
 * @param maxParams student parameter budget h·(d+1); 0 when compression is given
 * @param compression block parameters ÷ student parameters to reach; 0 when maxParams is given
 * @param gates P, gate vectors drawn from {@code seed}
 * @param seed seeds the gates
 * @param gapTolerance relative duality gap of each path solve
 * @param pathPoints λ grid points from λ_max down
 * @param minRatio smallest λ / λ_max of the grid
 * @param threads solver threads for elementwise passes
 * @param polishRatio after selecting λ, refit on the selected support at {@code polishRatio·λ} (0 =
 *     no polish): a support-restricted (relaxed-lasso) refit that removes most of the lasso's
 *     shrinkage without adding units
 * @param sharedPolish then the paper's polishing (appendix A.2): a second layer shared across
 *     outputs refitted by group elastic net, within the same parameter budget, units·(d + C)
 * @param nuclear instead of the group lasso, the convex shared-output model (Theorem 3B, nuclear
 *     norm) with rank budget/(d + C)/gates per gate, solved down a short λ path to {@code
 *     nuclearLambdaRatio}·λmax
 * @param headWeight μ: fit in the metric that adds μ times the teacher's logit error (its suffix
 *     after the block must be linear; {@link org.convexdistill.solver.HeadMetric}); 0 = block
 *     outputs only; infinity = the logits alone ({@link
 *     org.convexdistill.solver.HeadMetric#logitBasis})
 * @param admm solve by ADMM ({@link org.convexdistill.solver.AdmmFit}): at {@code minRatio}·λmax
 *     unless the budget raises λ, no path; with {@code nuclear}, the nuclear norm by ADMM (exact
 *     singular-value thresholding; C ≤ 64, e.g. the logits) instead of the factored solver
 * @param projectChannels k &gt; 0: the student reads its input through a fixed 1×1 projection to k
 *     channels ({@link org.convexdistill.core.student.ChannelProjection}, the leading principal
 *     directions of the unlabeled inputs' channel vectors), whose k·(C_in + 1) numbers come out of
 *     the budget; 0 = the raw input
 */
public record DistillOptions(
    int block,
    long maxParams,
    double compression,
    int gates,
    long seed,
    double gapTolerance,
    int pathPoints,
    double minRatio,
    int threads,
    double polishRatio,
    boolean sharedPolish,
    boolean nuclear,
    double nuclearLambdaRatio,
    double headWeight,
    boolean admm,
    int projectChannels) {

  public static Builder builder() {
    return new Builder();
  }

  /** These options with another head weight (validated as {@link Builder#build} does). */
  public DistillOptions withHeadWeight(double weight) {
    if (!(weight >= 0)) {
      throw new InvalidProblemException("head weight must be >= 0, got " + weight);
    }
    return new DistillOptions(
        block,
        maxParams,
        compression,
        gates,
        seed,
        gapTolerance,
        pathPoints,
        minRatio,
        threads,
        polishRatio,
        sharedPolish,
        nuclear,
        nuclearLambdaRatio,
        weight,
        admm,
        projectChannels);
  }

  /**
   * These options with a budget of exactly {@code maxParams} and no projection: what the student
   * behind a projection is fitted with, the projection's numbers already taken out.
   */
  public DistillOptions withBudgetAndNoProjection(long maxParams) {
    if (maxParams < 1) {
      throw new InvalidProblemException(
          "the channel projection alone uses the whole budget: give fewer --project-channels or a"
              + " larger budget");
    }
    return new DistillOptions(
        block,
        maxParams,
        0,
        gates,
        seed,
        gapTolerance,
        pathPoints,
        minRatio,
        threads,
        polishRatio,
        sharedPolish,
        nuclear,
        nuclearLambdaRatio,
        headWeight,
        admm,
        0);
  }

  /**
   * The budget in hidden units (non-zero groups) for a block of {@code blockParams} and input d.
   */
  public int targetGroups(long blockParams, int inputDim) {
    return (int) Math.max(1, budget(blockParams) / (inputDim + 1));
  }

  /** The parameter budget for a block of {@code blockParams}. */
  public long budget(long blockParams) {
    return maxParams > 0 ? maxParams : (long) Math.floor(blockParams / compression);
  }

  /** Builder with {@code setX} for required and {@code optX} for optional values. */
  public static final class Builder {
    private int block;
    private long maxParams;
    private double compression;
    private int gates = 8;
    private long seed = 0;
    private double gapTolerance = 1e-3;
    private int pathPoints = 10;
    private double minRatio = 0.01;
    private int threads = Runtime.getRuntime().availableProcessors();
    private double polishRatio = 0.1;
    private boolean sharedPolish;
    private boolean nuclear;
    private double nuclearLambdaRatio = 0.02;
    private double headWeight;
    private boolean admm;
    private int projectChannels;

    /** Read the input through a fixed 1×1 projection to k channels (0 = none). */
    public Builder optProjectChannels(int k) {
      this.projectChannels = k;
      return this;
    }

    public Builder optAdmm(boolean admm) {
      this.admm = admm;
      return this;
    }

    /** Weight of the teacher's logits in the loss (0 = block outputs only). */
    public Builder optHeadWeight(double headWeight) {
      this.headWeight = headWeight;
      return this;
    }

    /** Fit the nuclear-norm shared-output model at this fraction of its λmax instead. */
    public Builder optNuclear(double lambdaRatio) {
      this.nuclear = true;
      this.nuclearLambdaRatio = lambdaRatio;
      return this;
    }

    /** Also run the paper's polishing: a shared second layer by group elastic net. */
    public Builder optSharedPolish(boolean sharedPolish) {
      this.sharedPolish = sharedPolish;
      return this;
    }

    /** Polish at this fraction of the selected λ on its support (0 turns polishing off). */
    public Builder optPolishRatio(double polishRatio) {
      this.polishRatio = polishRatio;
      return this;
    }

    public Builder setBlock(int block) {
      this.block = block;
      return this;
    }

    /** Student budget in parameters, h·(d+1). */
    public Builder optMaxParams(long maxParams) {
      this.maxParams = maxParams;
      return this;
    }

    /** Block parameters ÷ student parameters, e.g. 6 for 1/6 of the block. */
    public Builder optCompression(double compression) {
      this.compression = compression;
      return this;
    }

    public Builder optGates(int gates) {
      this.gates = gates;
      return this;
    }

    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder optGapTolerance(double gapTolerance) {
      this.gapTolerance = gapTolerance;
      return this;
    }

    public Builder optPathPoints(int pathPoints) {
      this.pathPoints = pathPoints;
      return this;
    }

    public Builder optMinRatio(double minRatio) {
      this.minRatio = minRatio;
      return this;
    }

    public Builder optThreads(int threads) {
      this.threads = threads;
      return this;
    }

    /** Validates and builds; throws {@link InvalidProblemException} naming the bad value. */
    public DistillOptions build() {
      if (block < 1 || block > 4) {
        throw new InvalidProblemException("block must be 1..4, got " + block);
      }
      if ((maxParams > 0) == (compression > 0)) {
        throw new InvalidProblemException("give exactly one of max params or compression");
      }
      if (maxParams < 0 || compression < 0) {
        throw new InvalidProblemException("max params and compression must be positive");
      }
      if (compression > 0 && compression < 1) {
        throw new InvalidProblemException("compression must be >= 1, got " + compression);
      }
      if (gates < 1) {
        throw new InvalidProblemException("gates must be >= 1, got " + gates);
      }
      if (!(gapTolerance > 0)) {
        throw new InvalidProblemException("gap tolerance must be > 0, got " + gapTolerance);
      }
      if (pathPoints < 2 || !(minRatio > 0 && minRatio < 1)) {
        throw new InvalidProblemException(
            "path needs >= 2 points and a min ratio in (0, 1), got "
                + pathPoints
                + ", "
                + minRatio);
      }
      if (threads < 1) {
        throw new InvalidProblemException("threads must be >= 1, got " + threads);
      }
      if (!(polishRatio >= 0 && polishRatio < 1)) {
        throw new InvalidProblemException("polish ratio must be in [0, 1), got " + polishRatio);
      }
      if (nuclear && !(nuclearLambdaRatio > 0 && nuclearLambdaRatio < 1)) {
        throw new InvalidProblemException(
            "nuclear λ ratio must be in (0, 1), got " + nuclearLambdaRatio);
      }
      if (!(headWeight >= 0)) {
        throw new InvalidProblemException("head weight must be >= 0, got " + headWeight);
      }
      if (projectChannels < 0) {
        throw new InvalidProblemException(
            "projected channels must be >= 0 (0 = no projection), got " + projectChannels);
      }
      if (admm && sharedPolish) {
        throw new InvalidProblemException(
            "the shared-layer polish follows the R-FISTA fit: drop --admm or --shared-polish");
      }
      return new DistillOptions(
          block,
          maxParams,
          compression,
          gates,
          seed,
          gapTolerance,
          pathPoints,
          minRatio,
          threads,
          polishRatio,
          sharedPolish,
          nuclear,
          nuclearLambdaRatio,
          headWeight,
          admm,
          projectChannels);
    }
  }
}
