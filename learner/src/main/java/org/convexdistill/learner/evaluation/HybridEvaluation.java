package org.convexdistill.learner.evaluation;

import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.core.data.Preprocessing;
import org.convexdistill.core.teacher.Hybrid;
import org.convexdistill.core.teacher.Logits;
import org.convexdistill.core.teacher.Teacher;

/**
 * Compares a hybrid with its teacher on held-out labeled images: accuracy of both, top-1 agreement,
 * and the mean squared error of the last replaced block's output against the teacher's.
 */
public final class HybridEvaluation {
  private HybridEvaluation() {}

  /** The comparison's figures. */
  public record Figures(
      double teacherAccuracy,
      double hybridAccuracy,
      double agreement,
      double activationMse,
      double teacherActivationVariance,
      int images) {}

  /** Evaluates in chunks of {@code chunk} images to bound memory. */
  public static Figures evaluate(Teacher teacher, Hybrid hybrid, LabeledImages test, int chunk) {
    int n = test.count();
    int classes = teacher.numClasses();
    int side = Preprocessing.SIDE * Preprocessing.SIDE;
    int teacherCorrect = 0;
    int hybridCorrect = 0;
    int agree = 0;
    double sq = 0;
    double sum = 0;
    double sumSq = 0;
    long values = 0;
    for (int start = 0; start < n; start += chunk) {
      int b = Math.min(chunk, n - start);
      float[] x = new float[b * side];
      Preprocessing.toTensor(test.images(), start, b, x);
      // The teacher's pass is split at the last replaced block so its activations serve both the
      // logits and the MSE (suffix(block(prefix(x))) equals logits(x)).
      int last = hybrid.lastBlock();
      float[] teacherOut = teacher.block(last, teacher.prefix(last, x, b), b);
      float[] teacherLogits = teacher.suffix(last, teacherOut, b);
      float[] hybridOut = hybrid.lastBlockOutput(x, b);
      float[] hybridLogits = teacher.suffix(last, hybridOut, b);
      for (int i = 0; i < hybridOut.length; i++) {
        double e = hybridOut[i] - teacherOut[i];
        sq += e * e;
        sum += teacherOut[i];
        sumSq += (double) teacherOut[i] * teacherOut[i];
      }
      values += hybridOut.length;
      for (int i = 0; i < b; i++) {
        int label = test.labels()[start + i];
        int t = Logits.argmax(teacherLogits, i, classes);
        int h = Logits.argmax(hybridLogits, i, classes);
        teacherCorrect += t == label ? 1 : 0;
        hybridCorrect += h == label ? 1 : 0;
        agree += t == h ? 1 : 0;
      }
    }
    double mean = sum / values;
    return new Figures(
        (double) teacherCorrect / n,
        (double) hybridCorrect / n,
        (double) agree / n,
        sq / values,
        sumSq / values - mean * mean,
        n);
  }
}
