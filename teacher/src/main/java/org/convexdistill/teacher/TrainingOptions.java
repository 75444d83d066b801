package org.convexdistill.teacher;

/**
 * How to train the teacher: SGD with momentum 0.9 and weight decay, cosine learning rate, random
 * ±2-pixel shifts and horizontal flips.
 *
 * @param epochs passes over the training set
 * @param batchSize images per step
 * @param learningRate initial learning rate of the cosine schedule
 * @param weightDecay L2 weight decay
 * @param seed seeds initialisation, shuffling and augmentation
 * @param limit use at most this many training images (0 = all)
 */
public record TrainingOptions(
    int epochs, int batchSize, float learningRate, float weightDecay, long seed, int limit) {
  public TrainingOptions {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    if (!(learningRate > 0)) {
      throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
    }
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0, got " + limit);
    }
  }

  /** The defaults behind {@code distill teacher train}. */
  public static TrainingOptions defaults(int epochs) {
    return new TrainingOptions(epochs, 128, 0.05f, 5e-4f, 42, 0);
  }
}
