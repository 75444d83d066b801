package org.convexdistill.experiments;

import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.core.data.Preprocessing;
import org.convexdistill.core.teacher.Hybrid;
import org.convexdistill.core.teacher.Teacher;

/**
 * Test accuracy of many replacements of one block on the same test images, cheaply: the prefix
 * activations are computed once, so each score runs only the replacement and the suffix (for curves
 * with many checkpoints). Reads labels: evaluation only.
 */
final class BlockScorer {
  private final Teacher teacher;
  private final int block;
  private final float[] z;
  private final byte[] labels;
  private final int n;

  BlockScorer(Teacher teacher, int block, LabeledImages test) {
    this.teacher = teacher;
    this.block = block;
    this.n = test.count();
    float[] x = new float[n * Preprocessing.SIDE * Preprocessing.SIDE];
    Preprocessing.toTensor(test.images(), 0, n, x);
    this.z = teacher.prefix(block, x, n);
    this.labels = test.labels();
  }

  /** Top-1 test accuracy of the hybrid with {@code r} in place of the block. */
  double accuracy(Hybrid.Replacement r) {
    float[] logits = teacher.suffix(block, r.apply(z, n), n);
    int classes = teacher.numClasses();
    int correct = 0;
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int k = 1; k < classes; k++) {
        if (logits[i * classes + k] > logits[i * classes + best]) {
          best = k;
        }
      }
      correct += best == labels[i] ? 1 : 0;
    }
    return (double) correct / n;
  }
}
