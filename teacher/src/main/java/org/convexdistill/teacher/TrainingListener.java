package org.convexdistill.teacher;

/** Progress of teacher training. */
public interface TrainingListener {
  /** After each step. */
  void onStep(int epoch, int step, int stepsPerEpoch, double imagesPerSecond, double loss);

  /** After each epoch, with the test accuracy (or NaN when there is no test set). */
  void onEpoch(int epoch, double meanLoss, double testAccuracy, double seconds);
}
