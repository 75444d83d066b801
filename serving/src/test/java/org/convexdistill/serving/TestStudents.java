package org.convexdistill.serving;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.convexdistill.core.stream.OffsetRange;
import org.convexdistill.core.stream.StudentRelease;
import org.convexdistill.core.student.Student;
import org.convexdistill.core.student.StudentBlock;

/** Valid students and releases for serving tests. */
final class TestStudents {
  private TestStudents() {}

  /** {@code units} units on 2 gates, small random weights. */
  static StudentBlock random(int d, int c, int units, long seed) {
    Random r = new Random(seed);
    float[] scales = new float[d];
    Arrays.fill(scales, 1f);
    float[] gates = new float[2 * d];
    float[] first = new float[units * d];
    for (int i = 0; i < gates.length; i++) {
      gates[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < first.length; i++) {
      first[i] = (float) r.nextGaussian() * 0.01f;
    }
    int[] unitGate = new int[units];
    int[] unitOutput = new int[units];
    float[] second = new float[units];
    for (int u = 0; u < units; u++) {
      unitGate[u] = u % 2;
      unitOutput[u] = (u * 7) % c;
      second[u] = 1f;
    }
    return new StudentBlock(d, c, scales, gates, unitGate, unitOutput, first, second);
  }

  /** A release of {@code s} with a plausible certificate and lineage (parent = version − 1). */
  static StudentRelease release(
      String model, String teacherId, int block, long version, Student s) {
    return new StudentRelease(
        model,
        teacherId,
        block,
        version,
        version - 1,
        0.1,
        1.0,
        1e-3,
        0.5,
        0.97,
        0.2,
        10,
        0.5,
        s.hiddenUnits(),
        s.parameterCount(),
        System.currentTimeMillis(),
        version > 1,
        List.of(new OffsetRange(0, 0, 99)),
        s);
  }
}
