package org.convexdistill.learner.offline;

import org.convexdistill.core.data.Images;
import org.convexdistill.core.data.Preprocessing;
import org.convexdistill.core.npy.NpyArray;
import org.convexdistill.core.teacher.Teacher;

/**
 * A teacher block's input Z (n×d) and output Y (n×C) activations, flattened per sample; for a span
 * of blocks first..last, the input of the first and the output of the last.
 *
 * @param block the (last) block k, 1-based: its suffix follows Y
 * @param firstBlock the first block of the span (= block for a single block): Z enters it
 * @param inputChannels C_in of Z's C·H·W layout, or 0 when not known (then no channel projection)
 */
public record Activations(
    int block, NpyArray inputs, NpyArray outputs, int firstBlock, int inputChannels) {
  public Activations {
    if (firstBlock < 1 || firstBlock > block) {
      throw new IllegalArgumentException("span " + firstBlock + "-" + block + " is empty");
    }
    if (inputChannels < 0 || (inputChannels > 0 && inputs.shape()[1] % inputChannels != 0)) {
      throw new IllegalArgumentException(
          "inputs of " + inputs.shape()[1] + " values are not " + inputChannels + " channels");
    }
  }

  /** A single block's activations, channels unknown. */
  public Activations(int block, NpyArray inputs, NpyArray outputs) {
    this(block, inputs, outputs, block, 0);
  }

  /** These activations with other inputs (the same rows, e.g. projected). */
  public Activations withInputs(NpyArray projected, int channels) {
    return new Activations(block, projected, outputs, firstBlock, channels);
  }

  /** Runs the teacher's prefix and block k on the images (unlabeled by type). */
  public static Activations extract(Teacher teacher, Images images, int block) {
    return extractSpan(teacher, images, block, block);
  }

  /**
   * Runs the teacher's prefix and blocks first..last on the images: Z enters block {@code first}, Y
   * leaves block {@code last} (a joint student of the span is fitted from Z to Y).
   */
  public static Activations extractSpan(Teacher teacher, Images images, int first, int last) {
    int n = images.count();
    float[] x = Preprocessing.toTensor(images);
    float[] z = teacher.prefix(first, x, n);
    float[] y = z;
    for (int k = first; k <= last; k++) {
      y = teacher.block(k, y, n);
    }
    return new Activations(
        last,
        NpyArray.of(z, n, teacher.blockInputShape(first).size()),
        NpyArray.of(y, n, teacher.blockOutputShape(last).size()),
        first,
        teacher.blockInputShape(first).channels());
  }

  /** n. */
  public int samples() {
    return inputs.dim(0);
  }

  /** True when the activations span more than one block. */
  public boolean isSpan() {
    return firstBlock != block;
  }

  /** "4" or "3-4". */
  public String label() {
    return isSpan() ? firstBlock + "-" + block : String.valueOf(block);
  }
}
