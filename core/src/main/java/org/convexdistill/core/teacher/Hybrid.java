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

  /** Blocks first..last run as one replacement (first == last: a single block). */
  private record Span(int last, Replacement replacement) {}

  private final Teacher teacher;
  private final TreeMap<Integer, Span> spans;

  /**
   * @param replacements block k → what replaces it; at least one
   */
  public Hybrid(Teacher teacher, Map<Integer, Replacement> replacements) {
    this(teacher, singleBlocks(replacements));
  }

  private static TreeMap<Integer, Span> singleBlocks(Map<Integer, Replacement> replacements) {
    TreeMap<Integer, Span> spans = new TreeMap<>();
    replacements.forEach((k, r) -> spans.put(k, new Span(k, r)));
    return spans;
  }

  private Hybrid(Teacher teacher, TreeMap<Integer, Span> spans) {
    if (spans.isEmpty()) {
      throw new IllegalArgumentException("a hybrid needs at least one replaced block");
    }
    int after = 0;
    for (Map.Entry<Integer, Span> e : spans.entrySet()) {
      int first = e.getKey();
      int last = e.getValue().last();
      if (first < 1 || last > teacher.numBlocks() || last < first) {
        throw new IllegalArgumentException(
            "no block "
                + (first == last ? first : first + "-" + last)
                + " in a "
                + teacher.numBlocks()
                + "-block teacher");
      }
      if (first <= after) {
        throw new IllegalArgumentException("block " + first + " is replaced twice");
      }
      after = last;
    }
    this.teacher = teacher;
    this.spans = spans;
  }

  /** A hybrid of convex students, checking each one's shape against its block. */
  public static Hybrid ofStudents(Teacher teacher, Map<Integer, ? extends Student> students) {
    TreeMap<Integer, Span> r = new TreeMap<>();
    for (Map.Entry<Integer, ? extends Student> e : students.entrySet()) {
      int k = e.getKey();
      checkShape(teacher, k, k, e.getValue());
      r.put(k, new Span(k, Replacement.of(e.getValue())));
    }
    return new Hybrid(teacher, r);
  }

  /**
   * The teacher with blocks first..last replaced by ONE student that maps block first's input to
   * block last's output (a joint student: what the blocks between compute is never materialised).
   */
  public static Hybrid ofSpan(Teacher teacher, int first, int last, Student student) {
    checkShape(teacher, first, last, student);
    return ofSpan(teacher, first, last, Replacement.of(student));
  }

  /** The teacher with blocks first..last replaced by one replacement (its shapes unchecked). */
  public static Hybrid ofSpan(Teacher teacher, int first, int last, Replacement replacement) {
    TreeMap<Integer, Span> r = new TreeMap<>();
    r.put(first, new Span(last, replacement));
    return new Hybrid(teacher, r);
  }

  private static void checkShape(Teacher teacher, int first, int last, Student s) {
    if (first < 1 || last > teacher.numBlocks() || last < first) {
      throw new IllegalArgumentException(
          "no block " + first + "-" + last + " in a " + teacher.numBlocks() + "-block teacher");
    }
    int in = teacher.blockInputShape(first).size();
    int out = teacher.blockOutputShape(last).size();
    if (s.inputDim() != in || s.outputDim() != out) {
      throw new IllegalArgumentException(
          "student for block "
              + (first == last ? String.valueOf(first) : first + "-" + last)
              + " maps "
              + s.inputDim()
              + " → "
              + s.outputDim()
              + " but the block"
              + (first == last ? "" : "s")
              + " map "
              + in
              + " → "
              + out);
    }
  }

  /** The first replaced block. */
  public int firstBlock() {
    return spans.firstKey();
  }

  /** The last replaced block. */
  public int lastBlock() {
    return spans.lastEntry().getValue().last();
  }

  /** Output of the last replaced block for n preprocessed images. */
  public float[] lastBlockOutput(float[] images, int n) {
    float[] act = teacher.prefix(firstBlock(), images, n);
    int k = firstBlock();
    while (k <= lastBlock()) {
      Span s = spans.get(k);
      if (s == null) {
        act = teacher.block(k, act, n);
        k++;
      } else {
        act = s.replacement().apply(act, n);
        k = s.last() + 1;
      }
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
    for (Map.Entry<Integer, Span> e : spans.entrySet()) {
      total += e.getValue().replacement().parameters();
      for (int k = e.getKey(); k <= e.getValue().last(); k++) {
        total -= teacher.blockParameters(k);
      }
    }
    return total;
  }
}
