package org.convexdistill.learner.stream;

import java.time.Duration;

/**
 * Settings of the online learner. {@link #defaults()} suit block 4 of the ResNet-18 on 2 cores.
 *
 * @param modelId key of the student in the {@code students} topic
 * @param windowSize activation rows kept (N)
 * @param refitEvery refit after this many new rows (M)
 * @param refitInterval ... or after this long, if at least one new row arrived (T)
 * @param gates random gate vectors (P)
 * @param seed of the gates; fixed, so that every version shares them and warm starts are exact
 * @param maxParams parameter budget of the student (hidden units × (d + 1))
 * @param gapTolerance solver stop: relative duality gap
 * @param maxIterations solver cap per solve (bounds a refit's time)
 * @param pathPoints λ grid points of the first (cold) fit
 * @param pathMinRatio smallest λ / λ_max of that grid
 * @param lambdaStep factor by which a refit raises λ while the student exceeds the budget
 * @param polishRatio support refit (relaxed lasso) on the selected support at this fraction of λ (0
 *     = none)
 * @param sharedLayerRatio the paper's polishing (appendix A.2): refit a second layer shared across
 *     outputs by group elastic net at this fraction of that problem's λmax (0 = none)
 * @param holdoutEvery every k-th window row is held out for validation
 * @param maxRelativeGap a candidate whose certificate is looser than this is rejected
 * @param mseTolerance reject a candidate whose held-out MSE exceeds the current one's by more than
 *     this fraction
 * @param minAgreement the promotion gate: a candidate is published only if its top-1 agreement with
 *     the teacher on held-out window rows (through the teacher's suffix) is at least this, and not
 *     below the current student's on the same rows
 * @param gateRows held-out rows the gate scores on: the most recent ones, including those that
 *     already left the window (a held-out row is never trained on, in any window), so the gate does
 *     not rest on the window's ~N/holdoutEvery rows alone
 * @param minGateRows no candidate is published before the gate has this many held-out rows to score
 *     on (an agreement on ~100 rows is ±2 pp: a 93 % student passed a 95 % gate that way)
 * @param headWeight μ: weight of the teacher's logits in the loss when its suffix after the block
 *     is linear (block 4: pooling and the classifier), {@code ‖ŷ − y‖² + μ·‖(ŷ − y)·H‖²/‖H‖₂²} (the
 *     students are fitted in {@link org.convexdistill.core.student.OutputBasis} coordinates); 0 =
 *     block outputs only. The teacher's outputs, not labels.
 * @param threads solver (BLAS) threads
 * @param solver which algorithm fits the students
 * @param student which convex student family is fitted
 */
public record LearnerConfig(
    String modelId,
    int windowSize,
    int refitEvery,
    Duration refitInterval,
    int gates,
    long seed,
    long maxParams,
    double gapTolerance,
    int maxIterations,
    int pathPoints,
    double pathMinRatio,
    double lambdaStep,
    double polishRatio,
    double sharedLayerRatio,
    int holdoutEvery,
    double maxRelativeGap,
    double mseTolerance,
    double minAgreement,
    int gateRows,
    int minGateRows,
    double headWeight,
    int threads,
    Solver solver,
    StudentKind student) {

  /** The algorithm behind every refit. */
  public enum Solver {
    /**
     * ADMM with a cached kernel factorisation ({@link org.convexdistill.solver.GatedAdmm}): λ at
     * the floor (or raised for the budget), no path; fast at the small λ the logits need.
     */
    ADMM,
    /** R-FISTA with working sets: a cold λ path, budgeted warm refits, the support refit. */
    RFISTA
  }

  /** The convex student family. */
  public enum StudentKind {
    /** Group lasso: every hidden unit feeds one output (one classifier direction with logits). */
    ONE_VS_ALL,
    /**
     * Nuclear norm (the paper's Theorem 3B): units are the gates' singular triplets, with a second
     * layer shared across outputs. ADMM only.
     */
    NUCLEAR
  }

  public LearnerConfig {
    require(modelId != null && !modelId.isBlank(), "model id must not be empty");
    require(windowSize >= 20, "window size must be >= 20, got " + windowSize);
    require(refitEvery >= 1, "refit-every must be >= 1, got " + refitEvery);
    require(
        refitInterval != null && !refitInterval.isNegative() && !refitInterval.isZero(),
        "refit interval must be positive");
    require(gates >= 1, "gates must be >= 1, got " + gates);
    require(maxParams >= 1, "max params must be >= 1, got " + maxParams);
    require(gapTolerance > 0 && gapTolerance < 1, "gap tolerance must be in (0, 1)");
    require(maxIterations >= 1, "max iterations must be >= 1");
    require(pathPoints >= 2, "path points must be >= 2");
    require(pathMinRatio > 0 && pathMinRatio < 1, "path min ratio must be in (0, 1)");
    require(lambdaStep > 1, "lambda step must be > 1");
    require(polishRatio >= 0 && polishRatio < 1, "polish ratio must be in [0, 1)");
    require(sharedLayerRatio >= 0 && sharedLayerRatio < 1, "shared-layer ratio must be in [0, 1)");
    require(holdoutEvery >= 2, "holdout-every must be >= 2");
    require(maxRelativeGap > 0, "max relative gap must be positive");
    require(mseTolerance >= 0, "MSE tolerance must be >= 0");
    require(
        minAgreement >= 0 && minAgreement <= 1,
        "min agreement must be in [0, 1], got " + minAgreement);
    require(gateRows >= 1, "gate rows must be >= 1, got " + gateRows);
    require(
        minGateRows >= 0 && minGateRows <= gateRows,
        "min gate rows must be in [0, gate rows], got " + minGateRows);
    require(headWeight >= 0, "head weight must be >= 0, got " + headWeight);
    require(threads >= 1, "threads must be >= 1");
    require(solver != null && student != null, "solver and student kind must be set");
    require(
        student == StudentKind.ONE_VS_ALL || solver == Solver.ADMM,
        "the nuclear-norm student needs the ADMM solver");
    require(
        sharedLayerRatio == 0 || student == StudentKind.ONE_VS_ALL,
        "the shared-layer refit polishes a one-vs-all student; the nuclear student has a shared"
            + " second layer already");
  }

  /**
   * Defaults for block 4 (its suffix is linear): one-vs-all students fitted to the teacher's logits
   * alone (head weight ∞) with 32 gates by ADMM at 0.001·λmax (the budget of 1/6 of the block is
   * then not what binds: ~240 units), no support refit, a 4,000-row window refitted every 400 rows
   * or 60 s, 500 iterations a solve; the gate at 95 % on the last 500 held-out rows, at least 180
   * of them. Measured on the 20-epoch teacher (`distill bench refit`, 2,000 unseen test images): a
   * 1,000-row window stops at ~96 % agreement whatever the student (block outputs, μ = 10, logits;
   * 8–256 gates), 4,000 rows reach 97.5–97.65 % with the logits (ADMM, ~6 s a refit; R-FISTA's path
   * to 0.002·λmax and a support refit at 0.1·λ: 97.45–97.95 % in 35–56 s); block outputs alone
   * 94.4–95 %. The support refit gains nothing at 0.001·λmax (the smaller λ already fits as
   * closely) and is hard for ADMM at its tiny λ.
   */
  public static LearnerConfig defaults() {
    return new LearnerConfig(
        "resnet18-block4",
        4000,
        400,
        Duration.ofSeconds(60),
        32,
        7,
        1_400_000,
        1e-3,
        500,
        6,
        0.0001,
        1.1,
        0,
        0,
        10,
        0.3,
        0.10,
        0.95,
        500,
        180,
        Double.POSITIVE_INFINITY,
        2,
        Solver.ADMM,
        StudentKind.ONE_VS_ALL);
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** A builder starting from {@link #defaults()}; {@link Builder#build} validates. */
  public static Builder builder() {
    return new Builder(defaults());
  }

  /** Sets what differs from the defaults; every setting not set keeps its default. */
  public static final class Builder {
    private String modelId;
    private int windowSize;
    private int refitEvery;
    private Duration refitInterval;
    private int gates;
    private long seed;
    private long maxParams;
    private double gapTolerance;
    private int maxIterations;
    private int pathPoints;
    private double pathMinRatio;
    private double lambdaStep;
    private double polishRatio;
    private double sharedLayerRatio;
    private int holdoutEvery;
    private double maxRelativeGap;
    private double mseTolerance;
    private double minAgreement;
    private int gateRows;
    private int minGateRows;
    private double headWeight;
    private int threads;
    private Solver solver;
    private StudentKind student;

    private Builder(LearnerConfig d) {
      modelId = d.modelId();
      windowSize = d.windowSize();
      refitEvery = d.refitEvery();
      refitInterval = d.refitInterval();
      gates = d.gates();
      seed = d.seed();
      maxParams = d.maxParams();
      gapTolerance = d.gapTolerance();
      maxIterations = d.maxIterations();
      pathPoints = d.pathPoints();
      pathMinRatio = d.pathMinRatio();
      lambdaStep = d.lambdaStep();
      polishRatio = d.polishRatio();
      sharedLayerRatio = d.sharedLayerRatio();
      holdoutEvery = d.holdoutEvery();
      maxRelativeGap = d.maxRelativeGap();
      mseTolerance = d.mseTolerance();
      minAgreement = d.minAgreement();
      gateRows = d.gateRows();
      minGateRows = d.minGateRows();
      headWeight = d.headWeight();
      threads = d.threads();
      solver = d.solver();
      student = d.student();
    }

    public Builder setModelId(String v) {
      modelId = v;
      return this;
    }

    public Builder setWindowSize(int v) {
      windowSize = v;
      return this;
    }

    public Builder setRefitEvery(int v) {
      refitEvery = v;
      return this;
    }

    public Builder setRefitInterval(Duration v) {
      refitInterval = v;
      return this;
    }

    public Builder setGates(int v) {
      gates = v;
      return this;
    }

    public Builder setSeed(long v) {
      seed = v;
      return this;
    }

    public Builder setMaxParams(long v) {
      maxParams = v;
      return this;
    }

    public Builder setGapTolerance(double v) {
      gapTolerance = v;
      return this;
    }

    public Builder setMaxIterations(int v) {
      maxIterations = v;
      return this;
    }

    public Builder setPathPoints(int v) {
      pathPoints = v;
      return this;
    }

    public Builder setPathMinRatio(double v) {
      pathMinRatio = v;
      return this;
    }

    public Builder setLambdaStep(double v) {
      lambdaStep = v;
      return this;
    }

    public Builder setPolishRatio(double v) {
      polishRatio = v;
      return this;
    }

    public Builder setSharedLayerRatio(double v) {
      sharedLayerRatio = v;
      return this;
    }

    public Builder setHoldoutEvery(int v) {
      holdoutEvery = v;
      return this;
    }

    public Builder setMaxRelativeGap(double v) {
      maxRelativeGap = v;
      return this;
    }

    public Builder setMseTolerance(double v) {
      mseTolerance = v;
      return this;
    }

    public Builder setMinAgreement(double v) {
      minAgreement = v;
      return this;
    }

    public Builder setGateRows(int v) {
      gateRows = v;
      return this;
    }

    public Builder setMinGateRows(int v) {
      minGateRows = v;
      return this;
    }

    public Builder setHeadWeight(double v) {
      headWeight = v;
      return this;
    }

    public Builder setThreads(int v) {
      threads = v;
      return this;
    }

    public Builder setSolver(Solver v) {
      solver = v;
      return this;
    }

    public Builder setStudent(StudentKind v) {
      student = v;
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalArgumentException naming the setting that is out of range
     */
    public LearnerConfig build() {
      return new LearnerConfig(
          modelId,
          windowSize,
          refitEvery,
          refitInterval,
          gates,
          seed,
          maxParams,
          gapTolerance,
          maxIterations,
          pathPoints,
          pathMinRatio,
          lambdaStep,
          polishRatio,
          sharedLayerRatio,
          holdoutEvery,
          maxRelativeGap,
          mseTolerance,
          minAgreement,
          gateRows,
          minGateRows,
          headWeight,
          threads,
          solver,
          student);
    }
  }

  /** Hidden units the budget allows for inputs of dimension d. */
  public int targetGroups(int d) {
    return (int) Math.max(1, maxParams / (d + 1));
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
