package org.convexdistill.core.numeric;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AxpyTest {
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
        VectorAxpy.axpy(v, x, off, vector, n);
        for (int u = 0; u < n; u++) {
          scalar[u] += v * x[off + u];
        }
        assertThat(vector).as("n=%d, offset=%d", n, off).containsExactly(scalar);
      }
    }
  }

  @Test
  void theseTestsRunTheVectorLoop() {
    // The build passes --add-modules jdk.incubator.vector to the test JVM, as the launcher does.
    assertThat(Axpy.vectorised()).isTrue();
  }
}
