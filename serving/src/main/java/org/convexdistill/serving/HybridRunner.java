package org.convexdistill.serving;

import org.convexdistill.core.data.Images;
import org.convexdistill.core.data.Preprocessing;
import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.core.teacher.Teacher;

/** Runs prefix + (student or teacher block k) + suffix on a batch of 28×28 grey images. */
public final class HybridRunner {
  private final Teacher teacher;
  private final int block;

  public HybridRunner(Teacher teacher, int block) {
    this.teacher = teacher;
    this.block = block;
  }

  public int block() {
    return block;
  }

  public int numClasses() {
    return teacher.numClasses();
  }

  public int blockInputSize() {
    return teacher.blockInputShape(block).size();
  }

  public int blockOutputSize() {
    return teacher.blockOutputShape(block).size();
  }

  /** Logits (n × classes) for n images of 784 grey bytes each. */
  public float[] logits(byte[] pixels, int n, ServingModel model) {
    float[] x = Preprocessing.toTensor(new Images(n, 28, 28, pixels));
    float[] z = teacher.prefix(block, x, n);
    float[] y;
    StudentBlock s = model.student();
    if (s == null) {
      y = teacher.block(block, z, n);
    } else {
      y = new float[n * s.outputDim()];
      s.forward(z, n, y, s.newWorkspace(n));
    }
    return teacher.suffix(block, y, n);
  }
}
