package org.convexdistill.experiments;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.core.data.Preprocessing;
import org.convexdistill.core.teacher.Hybrid;
import org.convexdistill.core.teacher.Logits;
import org.convexdistill.core.teacher.Teacher;

/**
 * Test accuracy and agreement with the teacher of many hybrids on the same test images, cheaply:
 * the teacher's own top-1 classes and the prefix activations before each first replaced block are
 * computed once, so each score runs only the replaced blocks (and any teacher blocks between them)
 * and the suffix. Reads labels: evaluation only.
 */
final class HybridScorer {
  /** One hybrid's figures on the test images. */
  record Figures(double accuracy, double agreement) {}

  private final Teacher teacher;
  private final float[] x;
  private final byte[] labels;
  private final int n;
  private final int[] teacherTop;
  private final Map<Integer, float[]> prefixes = new HashMap<>();
  private final double teacherAccuracy;

  HybridScorer(Teacher teacher, LabeledImages test) {
    this.teacher = teacher;
    this.n = test.count();
    this.x = new float[n * Preprocessing.SIDE * Preprocessing.SIDE];
    Preprocessing.toTensor(test.images(), 0, n, x);
    this.labels = test.labels();
    this.teacherTop = top(teacher.logits(x, n));
    this.teacherAccuracy = accuracyOf(teacherTop);
  }

  double teacherAccuracy() {
    return teacherAccuracy;
  }

  /** The hybrid with {@code r} in place of block k. */
  Figures score(int k, Hybrid.Replacement r) {
    return score(Map.of(k, r));
  }

  /** Top-1 test accuracy with {@code r} in place of block k. */
  double accuracy(int k, Hybrid.Replacement r) {
    return score(k, r).accuracy();
  }

  /** The hybrid with ONE student in place of blocks first..last (a joint student of the span). */
  Figures scoreSpan(int first, int last, Hybrid.Replacement r) {
    float[] act = prefixes.computeIfAbsent(first, k -> teacher.prefix(k, x, n));
    return figures(teacher.suffix(last, r.apply(act, n), n));
  }

  /** The hybrid with each block k of {@code replaced} replaced (at least one). */
  Figures score(Map<Integer, Hybrid.Replacement> replaced) {
    TreeMap<Integer, Hybrid.Replacement> r = new TreeMap<>(replaced);
    int first = r.firstKey();
    float[] act = prefixes.computeIfAbsent(first, k -> teacher.prefix(k, x, n));
    for (int k = first; k <= r.lastKey(); k++) {
      Hybrid.Replacement b = r.get(k);
      act = b == null ? teacher.block(k, act, n) : b.apply(act, n);
    }
    return figures(teacher.suffix(r.lastKey(), act, n));
  }

  private Figures figures(float[] logits) {
    int[] top = top(logits);
    int same = 0;
    for (int i = 0; i < n; i++) {
      same += top[i] == teacherTop[i] ? 1 : 0;
    }
    return new Figures(accuracyOf(top), (double) same / n);
  }

  private int[] top(float[] logits) {
    int classes = teacher.numClasses();
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = Logits.argmax(logits, i, classes);
    }
    return t;
  }

  private double accuracyOf(int[] top) {
    int correct = 0;
    for (int i = 0; i < n; i++) {
      correct += top[i] == labels[i] ? 1 : 0;
    }
    return (double) correct / n;
  }
}
