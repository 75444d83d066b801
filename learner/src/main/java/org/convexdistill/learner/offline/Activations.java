package org.convexdistill.learner.offline;

import org.convexdistill.core.data.Images;
import org.convexdistill.core.data.Preprocessing;
import org.convexdistill.core.npy.NpyArray;
import org.convexdistill.core.teacher.Teacher;

/**
 * A teacher block's input Z (n×d) and output Y (n×C) activations, flattened per sample.
 *
 * @param block the block k (1-based)
 */
public record Activations(int block, NpyArray inputs, NpyArray outputs) {

  /** Runs the teacher's prefix and block k on the images (unlabeled by type). */
  public static Activations extract(Teacher teacher, Images images, int block) {
    int n = images.count();
    float[] x = Preprocessing.toTensor(images);
    float[] z = teacher.prefix(block, x, n);
    float[] y = teacher.block(block, z, n);
    return new Activations(
        block,
        NpyArray.of(z, n, teacher.blockInputShape(block).size()),
        NpyArray.of(y, n, teacher.blockOutputShape(block).size()));
  }

  /** n. */
  public int samples() {
    return inputs.dim(0);
  }
}
