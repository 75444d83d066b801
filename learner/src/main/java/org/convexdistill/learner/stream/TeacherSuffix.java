package org.convexdistill.learner.stream;

import org.convexdistill.core.teacher.Teacher;

/**
 * The teacher's network after the distilled block: block outputs in, logits out. The learner's
 * promotion gate runs a candidate's outputs through it and compares the top-1 class with the one
 * the teacher's own block output gives — the teacher's outputs, never labels.
 */
@FunctionalInterface
public interface TeacherSuffix {
  /** Logits (rows × classes, row-major) of {@code rows} flattened block outputs. */
  float[] logits(float[] blockOutputs, int rows);

  /** The suffix after block {@code block} of {@code teacher}. */
  static TeacherSuffix of(Teacher teacher, int block) {
    return (y, rows) -> teacher.suffix(block, y, rows);
  }
}
