package org.convexdistill.learner.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearHeadTest {
  private static final int C = 6;
  private static final int K = 3;

  private static TeacherSuffix affine(float[] h, float[] b, boolean relu) {
    return (y, rows) -> {
      float[] out = new float[rows * K];
      for (int r = 0; r < rows; r++) {
        for (int k = 0; k < K; k++) {
          double s = b[k];
          for (int i = 0; i < C; i++) {
            double v = y[r * C + i];
            // A suffix that starts with a shifted ReLU is not affine on non-negative rows.
            s += (relu ? Math.max(0, v - 0.5) : v) * h[i * K + k];
          }
          out[r * K + k] = (float) s;
        }
      }
      return out;
    };
  }

  @Test
  void shouldReadOffAnAffineSuffixAndRefuseANonLinearOne() {
    Random r = new Random(3);
    float[] h = new float[C * K];
    float[] b = new float[K];
    for (int i = 0; i < h.length; i++) {
      h[i] = (float) r.nextGaussian();
    }
    for (int k = 0; k < K; k++) {
      b[k] = (float) r.nextGaussian();
    }
    LinearHead head = LinearHead.probe(affine(h, b, false), C);
    assertThat(head).isNotNull();
    assertThat(head.classes()).isEqualTo(K);
    for (int i = 0; i < h.length; i++) {
      assertThat(head.weights()[i]).isCloseTo(h[i], within(1e-5f));
    }
    assertThat(head.bias()).containsExactly(b);
    assertThat(LinearHead.probe(affine(h, b, true), C)).isNull();
  }
}
