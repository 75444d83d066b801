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

  /** Flattened size of the block's input (z), or -1 when not known. */
  default int blockInputSize() {
    return -1;
  }

  /** Flattened size of the block's output (y), or -1 when not known. */
  default int blockOutputSize() {
    return -1;
  }

  /** The suffix after block {@code block} of {@code teacher}, with the block's shapes. */
  static TeacherSuffix of(Teacher teacher, int block) {
    int in = teacher.blockInputShape(block).size();
    int out = teacher.blockOutputShape(block).size();
    return new TeacherSuffix() {
      @Override
      public float[] logits(float[] y, int rows) {
        return teacher.suffix(block, y, rows);
      }

      @Override
      public int blockInputSize() {
        return in;
      }

      @Override
      public int blockOutputSize() {
        return out;
      }
    };
  }
}
