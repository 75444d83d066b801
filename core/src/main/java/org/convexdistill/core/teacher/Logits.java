package org.convexdistill.core.teacher;

/** Helpers over row-major logits (n × classes). */
public final class Logits {
  private Logits() {}

  /** The predicted class of row {@code row}: the index of its largest logit (first on ties). */
  public static int argmax(float[] logits, int row, int classes) {
    int off = row * classes;
    int best = 0;
    for (int i = 1; i < classes; i++) {
      if (logits[off + i] > logits[off + best]) {
        best = i;
      }
    }
    return best;
  }
}
