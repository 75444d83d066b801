package org.convexdistill.serving;

import org.convexdistill.core.data.Images;
import org.convexdistill.core.data.Preprocessing;
import org.convexdistill.core.student.Student;
import org.convexdistill.core.teacher.Logits;
import org.convexdistill.core.teacher.Teacher;

/**
 * A fixed set of real images and the teacher's own top-1 class on each: before a release may serve,
 * its hybrid must agree with the teacher on at least a threshold of them. The learner's gate
 * already measured agreement, but that number arrives inside the release; this one serving measures
 * itself, so a student that is well-formed, signed and still wrong (a bug, a stolen key) does not
 * reach clients. No labels: the reference is the teacher.
 */
public final class GoldenSet {
  private final Teacher teacher;
  private final int block;
  private final int count;
  private final float[] blockInputs;
  private final int[] teacherClasses;

  /** Runs the teacher once on {@code images} (its prefix and its own predictions). */
  public GoldenSet(Teacher teacher, int block, Images images) {
    if (images.count() == 0) {
      throw new IllegalArgumentException("a golden set needs at least one image");
    }
    this.teacher = teacher;
    this.block = block;
    this.count = images.count();
    float[] x = Preprocessing.toTensor(images);
    this.blockInputs = teacher.prefix(block, x, count);
    float[] logits = teacher.logits(x, count);
    this.teacherClasses = new int[count];
    for (int i = 0; i < count; i++) {
      teacherClasses[i] = Logits.argmax(logits, i, teacher.numClasses());
    }
  }

  public int size() {
    return count;
  }

  /**
   * Fraction of the images on which prefix + {@code student} + suffix gives the teacher's class.
   */
  public double agreement(Student student) {
    float[] y = student.apply(blockInputs, count);
    float[] logits = teacher.suffix(block, y, count);
    int same = 0;
    for (int i = 0; i < count; i++) {
      if (Logits.argmax(logits, i, teacher.numClasses()) == teacherClasses[i]) {
        same++;
      }
    }
    return (double) same / count;
  }
}
