package org.convexdistill.learner.stream;

import java.util.SplittableRandom;

/**
 * The teacher's suffix after a block when it is affine, {@code logits = y·H + b}: read off the
 * suffix itself (its outputs on 0 and on each unit vector) and accepted only if it predicts the
 * suffix on random non-negative rows (block outputs end in a ReLU). After block 4 of a ResNet the
 * suffix is pooling and the classifier, so this holds; after block 3 it runs block 4 and does not.
 *
 * @param weights H, row-major C × K
 * @param bias b, length K
 */
public record LinearHead(float[] weights, float[] bias, int outputs, int classes) {
  private static final int CHECK_ROWS = 8;
  private static final double TOLERANCE = 1e-3;

  /** The suffix's affine map for block outputs of length c, or null when it is not affine. */
  public static LinearHead probe(TeacherSuffix suffix, int c) {
    float[] basis = new float[(c + 1) * c];
    for (int i = 0; i < c; i++) {
      basis[(i + 1) * c + i] = 1f;
    }
    float[] logits = suffix.logits(basis, c + 1);
    int k = logits.length / (c + 1);
    float[] bias = java.util.Arrays.copyOf(logits, k);
    float[] h = new float[c * k];
    for (int i = 0; i < c; i++) {
      for (int j = 0; j < k; j++) {
        h[i * k + j] = logits[(i + 1) * k + j] - bias[j];
      }
    }
    SplittableRandom random = new SplittableRandom(11);
    float[] rows = new float[CHECK_ROWS * c];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = random.nextDouble() < 0.5 ? 0f : (float) random.nextDouble(0, 2);
    }
    float[] actual = suffix.logits(rows, CHECK_ROWS);
    double worst = 0;
    double scale = 1;
    for (int r = 0; r < CHECK_ROWS; r++) {
      for (int j = 0; j < k; j++) {
        double predicted = bias[j];
        for (int i = 0; i < c; i++) {
          predicted += (double) rows[r * c + i] * h[i * k + j];
        }
        worst = Math.max(worst, Math.abs(predicted - actual[r * k + j]));
        scale = Math.max(scale, Math.abs(actual[r * k + j]));
      }
    }
    return worst <= TOLERANCE * scale ? new LinearHead(h, bias, c, k) : null;
  }
}
