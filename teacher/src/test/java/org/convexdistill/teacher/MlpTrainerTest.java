package org.convexdistill.teacher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The non-convex baseline learns a planted ReLU block far better than a trivial student. */
class MlpTrainerTest {
  private static final int N = 400;
  private static final int D = 8;
  private static final int C = 3;
  private static final int H = 6;

  @Test
  void adamFitsAPlantedReluMlpWellBeyondTheMeanPredictor() {
    Random r = new Random(1);
    float[] w1 = gaussian(H * D, r);
    float[] w2 = gaussian(H * C, r);
    float[] x = gaussian(N * D, r);
    float[] y = forward(x, N, w1, w2, H);
    MlpTrainer.Trained t =
        MlpTrainer.train(x, y, N, D, C, new MlpTrainer.Options(12, 300, 50, 0.01f, 3), null);
    assertThat(t.firstLayer()).hasSize(12 * D);
    assertThat(t.secondLayer()).hasSize(12 * C);
    double fitted = mse(forward(x, N, t.firstLayer(), t.secondLayer(), 12), y);
    double trivial = mse(new float[y.length], y);
    assertThat(fitted).isLessThan(0.05 * trivial);
    // The returned weights are the ones reported: same loss scale (DJL's L2 loss is half the MSE).
    assertThat(t.loss()).isLessThan(0.05 * trivial);
  }

  @Test
  void anEpochListenerSeesEveryEpochInOrder() {
    Random r = new Random(2);
    float[] x = gaussian(60 * D, r);
    float[] y = gaussian(60 * C, r);
    int[] seen = new int[1];
    MlpTrainer.train(
        x,
        y,
        60,
        D,
        C,
        new MlpTrainer.Options(4, 5, 16, 0.01f, 1),
        (epoch, seconds, sofar) -> {
          assertThat(epoch).isEqualTo(++seen[0]);
          assertThat(sofar.firstLayer()).hasSize(4 * D);
          return true;
        });
    assertThat(seen[0]).isEqualTo(5);
    // The listener may stop it early.
    int[] stopped = new int[1];
    MlpTrainer.train(
        x,
        y,
        60,
        D,
        C,
        new MlpTrainer.Options(4, 5, 16, 0.01f, 1),
        (epoch, seconds, sofar) -> ++stopped[0] < 2);
    assertThat(stopped[0]).isEqualTo(2);
    assertThatThrownBy(() -> new MlpTrainer.Options(0, 5, 16, 0.01f, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static float[] gaussian(int n, Random r) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  /** ReLU(x·W1ᵀ)·W2 with W1 h × d and W2 h × C, row-major. */
  private static float[] forward(float[] x, int n, float[] w1, float[] w2, int h) {
    float[] out = new float[n * C];
    for (int i = 0; i < n; i++) {
      for (int u = 0; u < h; u++) {
        double a = 0;
        for (int j = 0; j < D; j++) {
          a += x[i * D + j] * w1[u * D + j];
        }
        if (a > 0) {
          for (int k = 0; k < C; k++) {
            out[i * C + k] += (float) (a * w2[u * C + k]);
          }
        }
      }
    }
    return out;
  }

  private static double mse(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return s / a.length;
  }
}
