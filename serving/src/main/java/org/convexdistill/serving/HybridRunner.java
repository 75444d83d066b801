package org.convexdistill.serving;

import java.util.Map;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.data.Preprocessing;
import org.convexdistill.core.student.Student;
import org.convexdistill.core.teacher.Hybrid;
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

  /**
   * Logits (n × classes) for n images of 784 grey bytes each: the {@link Hybrid} with block k
   * replaced by the model's student, or by the teacher's own block while no student serves.
   */
  public float[] logits(byte[] pixels, int n, ServingModel model) {
    float[] x = Preprocessing.toTensor(new Images(n, 28, 28, pixels));
    Student s = model.student();
    Hybrid.Replacement r =
        s == null ? Hybrid.Replacement.teacherBlock(teacher, block) : Hybrid.Replacement.of(s);
    return new Hybrid(teacher, Map.of(block, r)).logits(x, n);
  }
}
