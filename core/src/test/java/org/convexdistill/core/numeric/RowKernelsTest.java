package org.convexdistill.core.numeric;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RowKernelsTest {
  @Test
  void theVectorLoopAgreesExactlyWithTheScalarOneAtAnyOffsetAndLength() {
    Random r = new Random(3);
    float[] x = new float[300];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int n : new int[] {0, 1, 7, 15, 16, 17, 63, 200}) {
      for (int off : new int[] {0, 1, 5, 33}) {
        float[] vector = new float[n];
        float[] scalar = new float[n];
        for (int u = 0; u < n; u++) {
          vector[u] = scalar[u] = (float) r.nextGaussian();
        }
        float v = (float) r.nextGaussian();
        VectorRowKernels.axpy(v, x, off, vector, n);
        for (int u = 0; u < n; u++) {
          scalar[u] += v * x[off + u];
        }
        assertThat(vector).as("n=%d, offset=%d", n, off).containsExactly(scalar);
      }
    }
  }

  @Test
  void theVectorDotProductsAgreeWithTheScalarOnesToRounding() {
    Random r = new Random(4);
    float[] x = new float[4 * 300];
    float[] w = new float[400];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) r.nextGaussian();
    }
    for (int n : new int[] {0, 1, 15, 16, 17, 100, 257}) {
      int[] rows = {0, 300, 600, 900};
      float[] vector = new float[4];
      VectorRowKernels.dot4(w, 9, x, rows[0], rows[1], rows[2], rows[3], n, vector);
      for (int k = 0; k < 4; k++) {
        double exact = 0;
        double size = 0;
        for (int i = 0; i < n; i++) {
          exact += (double) w[9 + i] * x[rows[k] + i];
          size += Math.abs((double) w[9 + i] * x[rows[k] + i]);
        }
        assertThat((double) vector[k])
            .as("n=%d, row %d", n, k)
            .isCloseTo(exact, org.assertj.core.api.Assertions.within(1e-5 * (size + 1)));
      }
    }
  }

  @Test
  void theseTestsRunTheVectorLoop() {
    // The build passes --add-modules jdk.incubator.vector to the test JVM, as the launcher does.
    assertThat(RowKernels.vectorised()).isTrue();
  }
}
