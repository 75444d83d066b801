package org.convexdistill.teacher;

/**
 * Adam budgets are given in steps, not epochs, so that few rows still mean enough training to judge
 * a student by; the trainers run whole epochs.
 */
public final class AdamSteps {
  private AdamSteps() {}

  /**
   * The fewest whole epochs of n rows in batches of {@code batch} that make {@code steps} steps.
   */
  public static int epochsFor(int steps, int n, int batch) {
    if (steps < 1 || n < 1 || batch < 1) {
      throw new IllegalArgumentException("steps, rows and batch must be >= 1");
    }
    int stepsPerEpoch = (n + batch - 1) / batch;
    return Math.max(1, (steps + stepsPerEpoch - 1) / stepsPerEpoch);
  }
}
