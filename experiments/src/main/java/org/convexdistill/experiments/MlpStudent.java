package org.convexdistill.experiments;

import org.convexdistill.core.student.OutputBasis;
import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.learner.offline.Activations;
import org.convexdistill.learner.stream.Refitter;
import org.convexdistill.teacher.AdamSteps;
import org.convexdistill.teacher.MlpTrainer;

/**
 * The non-convex MLP baseline as a servable student: a ReLU MLP is the gated ReLU network whose
 * gates are its own first-layer rows, ReLU(z·w) = 1(z·w &gt; 0)·(z·w), so it is a shared-output
 * {@link StudentBlock} with h gates. Trained on the same targets as the convex students (the
 * basis's leading coordinates when there is a basis).
 */
final class MlpStudent {
  /** Adam's step size and mini-batch rows (the paper's non-convex students use Adam). */
  static final float LEARNING_RATE = 1e-3f;

  static final int BATCH = 100;

  private MlpStudent() {}

  /** Hidden units whose weights h·(d + r) (plus the basis) fit in {@code parameters}. */
  static int unitsFor(long parameters, int d, int c, OutputBasis basis) {
    long basisParams = basis == null ? 0 : basis.parameterCount();
    int width = basis == null ? c : basis.rank();
    return (int) Math.max(1, (parameters - basisParams) / (d + width));
  }

  /** The MLP's training data: inputs scaled to unit column RMS and the convex students' targets. */
  record Prepared(float[] x, float[] y, int n, int d, int width, float[] scales) {
    /** Trains an MLP on these rows. */
    MlpTrainer.Trained train(MlpTrainer.Options o, MlpTrainer.EpochListener listener) {
      return MlpTrainer.train(x, y, n, d, width, o, listener);
    }

    /** The student these weights make (mapped back through {@code basis} when there is one). */
    StudentBlock student(MlpTrainer.Trained t, OutputBasis basis) {
      int hidden = t.hidden();
      int[] unitGate = new int[hidden];
      for (int u = 0; u < hidden; u++) {
        unitGate[u] = u;
      }
      StudentBlock s =
          StudentBlock.sharedOutput(
              d, width, scales, t.firstLayer(), unitGate, t.firstLayer(), t.secondLayer());
      return basis == null ? s : s.inBasis(basis);
    }
  }

  static Prepared prepare(Activations a, OutputBasis basis) {
    int n = a.samples();
    int d = a.inputs().shape()[1];
    int c = a.outputs().shape()[1];
    float[] y = Refitter.targets(a.outputs().data(), n, c, basis, basis != null).data();
    float[] scales = rmsScales(a.inputs().data(), n, d);
    float[] x = a.inputs().data().clone();
    for (int r = 0; r < n; r++) {
      for (int i = 0; i < d; i++) {
        x[r * d + i] = scales[i] > 0 ? x[r * d + i] / scales[i] : 0f;
      }
    }
    return new Prepared(x, y, n, d, y.length / n, scales);
  }

  /**
   * Trains h units for at least {@code steps} Adam steps (whole epochs; a step count, not an epoch
   * count, so that few rows still mean enough training to judge the student by) and returns the
   * student.
   */
  static StudentBlock train(Activations a, OutputBasis basis, int hidden, int steps, long seed) {
    Prepared p = prepare(a, basis);
    int epochs = AdamSteps.epochsFor(steps, p.n(), BATCH);
    MlpTrainer.Trained t =
        p.train(new MlpTrainer.Options(hidden, epochs, BATCH, LEARNING_RATE, seed), null);
    return p.student(t, basis);
  }

  /** Column RMS values (zero columns keep scale 0, which maps them to 0). */
  static float[] rmsScales(float[] z, int n, int d) {
    double[] sum = new double[d];
    for (int r = 0; r < n; r++) {
      for (int i = 0; i < d; i++) {
        sum[i] += (double) z[r * d + i] * z[r * d + i];
      }
    }
    float[] s = new float[d];
    for (int i = 0; i < d; i++) {
      s[i] = (float) Math.sqrt(sum[i] / n);
    }
    return s;
  }
}
