package org.convexdistill.ingest.stage;

import org.convexdistill.core.data.Images;
import org.convexdistill.core.data.Preprocessing;
import org.convexdistill.core.teacher.Teacher;
import org.convexdistill.core.teacher.TensorShape;

/**
 * What the inference stage needs from the teacher: for a batch of 28×28 grey images, the input and
 * output activations of block k. Engine-neutral: any {@link Teacher} does.
 */
public final class BlockInference {
  private final Teacher teacher;
  private final String teacherId;
  private final int block;

  /**
   * @param teacherId names the teacher in every activation record (e.g. its parameters' hash)
   */
  public BlockInference(Teacher teacher, String teacherId, int block) {
    if (block < 1 || block > teacher.numBlocks()) {
      throw new IllegalArgumentException(
          "block must be 1.." + teacher.numBlocks() + ", got " + block);
    }
    this.teacher = teacher;
    this.teacherId = teacherId;
    this.block = block;
  }

  /** z and y of one batch, row-major n × size. */
  public record Batch(float[] z, float[] y) {}

  /**
   * Runs the teacher's prefix and block k.
   *
   * @param pixels n·784 grey bytes
   */
  public Batch run(byte[] pixels, int n) {
    float[] x = Preprocessing.toTensor(new Images(n, 28, 28, pixels));
    float[] z = teacher.prefix(block, x, n);
    float[] y = teacher.block(block, z, n);
    return new Batch(z, y);
  }

  public String teacherId() {
    return teacherId;
  }

  public int block() {
    return block;
  }

  public TensorShape inputShape() {
    return teacher.blockInputShape(block);
  }

  public TensorShape outputShape() {
    return teacher.blockOutputShape(block);
  }
}
