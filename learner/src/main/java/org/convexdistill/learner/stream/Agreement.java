package org.convexdistill.learner.stream;

import java.util.Arrays;
import org.convexdistill.core.student.StudentBlock;

/**
 * Top-1 agreement with the teacher, label-free: on rows of block inputs z and the teacher's block
 * outputs y, the fraction where {@code argmax suffix(student(z)) == argmax suffix(y)}. Pure
 * computation apart from the suffix it is given.
 */
public final class Agreement {
  private static final int CHUNK = 256;

  private Agreement() {}

  /** The teacher's top-1 class of each of the n rows of block outputs {@code y}. */
  public static int[] teacherClasses(TeacherSuffix suffix, float[] y, int n, int outputDim) {
    int[] classes = new int[n];
    float[] chunk = new float[Math.min(CHUNK, Math.max(1, n)) * outputDim];
    for (int from = 0; from < n; from += CHUNK) {
      int b = Math.min(CHUNK, n - from);
      float[] rowsOfY = b * outputDim == chunk.length ? chunk : new float[b * outputDim];
      System.arraycopy(y, from * outputDim, rowsOfY, 0, b * outputDim);
      argmaxRows(suffix.logits(rowsOfY, b), b, classes, from);
    }
    return classes;
  }

  /**
   * The fraction of the n rows of {@code z} on which {@code student}'s output, through the suffix,
   * has top-1 class {@code teacherClasses[i]}; NaN for n = 0.
   */
  public static double of(
      StudentBlock student, float[] z, int n, TeacherSuffix suffix, int[] teacherClasses) {
    if (n == 0) {
      return Double.NaN;
    }
    int d = student.inputDim();
    int c = student.outputDim();
    int rows = Math.min(CHUNK, n);
    StudentBlock.Workspace ws = student.newWorkspace(rows);
    float[] zc = new float[rows * d];
    float[] out = new float[rows * c];
    int[] classes = new int[n];
    for (int from = 0; from < n; from += CHUNK) {
      int b = Math.min(CHUNK, n - from);
      System.arraycopy(z, from * d, zc, 0, b * d);
      student.forward(zc, b, out, ws);
      // The suffix reads whole arrays: hand it exactly b rows.
      float[] rowsOut = b == rows ? out : Arrays.copyOf(out, b * c);
      argmaxRows(suffix.logits(rowsOut, b), b, classes, from);
    }
    int same = 0;
    for (int i = 0; i < n; i++) {
      same += classes[i] == teacherClasses[i] ? 1 : 0;
    }
    return (double) same / n;
  }

  /** classes[at + i] = argmax of row i of the rows × (logits.length / rows) matrix. */
  static void argmaxRows(float[] logits, int rows, int[] classes, int at) {
    int k = logits.length / rows;
    for (int i = 0; i < rows; i++) {
      int best = 0;
      for (int j = 1; j < k; j++) {
        if (logits[i * k + j] > logits[i * k + best]) {
          best = j;
        }
      }
      classes[at + i] = best;
    }
  }
}
