package org.convexdistill.core.teacher;

import java.util.Map;
import java.util.TreeMap;
import org.convexdistill.core.student.Student;

/**
 * The teacher with some blocks replaced: prefix up to the first replaced block, then each block in
 * order (its replacement where one is given, the teacher's own otherwise), then the suffix.
 * Everything not replaced keeps the teacher's frozen weights.
 */
public final class Hybrid {
  /** What runs in place of a block: n flattened inputs in, n flattened outputs out. */
  public interface Replacement {
    float[] apply(float[] z, int n);

    /** Trainable parameters of the replacement. */
    long parameters();

    /** A student of either kind. */
    static Replacement of(Student student) {
      return new Replacement() {
        @Override
        public float[] apply(float[] z, int n) {
          return student.apply(z, n);
        }

        @Override
        public long parameters() {
          return student.parameterCount();
        }
      };
    }

    /** The teacher's own block k (a hybrid of these reproduces the teacher). */
    static Replacement teacherBlock(Teacher teacher, int k) {
      return new Replacement() {
        @Override
        public float[] apply(float[] z, int n) {
          return teacher.block(k, z, n);
        }

        @Override
        public long parameters() {
          return teacher.blockParameters(k);
        }
      };
    }
  }

  private final Teacher teacher;
  private final TreeMap<Integer, Replacement> replacements;

  /**
   * @param replacements block k → what replaces it; at least one
   */
  public Hybrid(Teacher teacher, Map<Integer, Replacement> replacements) {
    if (replacements.isEmpty()) {
      throw new IllegalArgumentException("a hybrid needs at least one replaced block");
    }
    for (int k : replacements.keySet()) {
      if (k < 1 || k > teacher.numBlocks()) {
        throw new IllegalArgumentException(
            "no block " + k + " in a " + teacher.numBlocks() + "-block teacher");
      }
    }
    this.teacher = teacher;
    this.replacements = new TreeMap<>(replacements);
  }

  /** A hybrid of convex students, checking each one's shape against its block. */
  public static Hybrid ofStudents(Teacher teacher, Map<Integer, ? extends Student> students) {
    Map<Integer, Replacement> r = new TreeMap<>();
    for (Map.Entry<Integer, ? extends Student> e : students.entrySet()) {
      int k = e.getKey();
      Student s = e.getValue();
      if (s.inputDim() != teacher.blockInputShape(k).size()
          || s.outputDim() != teacher.blockOutputShape(k).size()) {
        throw new IllegalArgumentException(
            "student for block "
                + k
                + " maps "
                + s.inputDim()
                + " → "
                + s.outputDim()
                + " but the block maps "
                + teacher.blockInputShape(k).size()
                + " → "
                + teacher.blockOutputShape(k).size());
      }
      r.put(k, Replacement.of(s));
    }
    return new Hybrid(teacher, r);
  }

  /** The first replaced block. */
  public int firstBlock() {
    return replacements.firstKey();
  }

  /** The last replaced block. */
  public int lastBlock() {
    return replacements.lastKey();
  }

  /** Output of the last replaced block for n preprocessed images. */
  public float[] lastBlockOutput(float[] images, int n) {
    float[] act = teacher.prefix(firstBlock(), images, n);
    for (int k = firstBlock(); k <= lastBlock(); k++) {
      Replacement r = replacements.get(k);
      act = r == null ? teacher.block(k, act, n) : r.apply(act, n);
    }
    return act;
  }

  /** Logits for n preprocessed images. */
  public float[] logits(float[] images, int n) {
    return teacher.suffix(lastBlock(), lastBlockOutput(images, n), n);
  }

  /** Parameters of the whole hybrid: teacher total − replaced blocks + replacements. */
  public long totalParameters() {
    long total = teacher.totalParameters();
    for (Map.Entry<Integer, Replacement> e : replacements.entrySet()) {
      total += e.getValue().parameters() - teacher.blockParameters(e.getKey());
    }
    return total;
  }
}
