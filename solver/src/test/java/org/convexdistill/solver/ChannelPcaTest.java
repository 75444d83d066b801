package org.convexdistill.solver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.convexdistill.core.student.ChannelProjection;
import org.junit.jupiter.api.Test;

class ChannelPcaTest {
  /**
   * Channel vectors that live on a 2-dimensional affine subspace of R^6 (plus nothing else): two
   * directions keep all the variance, and the projection is centred at the mean.
   */
  @Test
  void findsTheChannelSubspaceAndCentresIt() {
    int channels = 6;
    int positions = 5;
    int n = 300;
    Random r = new Random(1);
    double[] a = unit(r, channels);
    double[] b = unit(r, channels);
    double ab = 0;
    for (int c = 0; c < channels; c++) {
      ab += a[c] * b[c];
    }
    double norm = 0;
    for (int c = 0; c < channels; c++) {
      b[c] -= ab * a[c];
      norm += b[c] * b[c];
    }
    for (int c = 0; c < channels; c++) {
      b[c] /= Math.sqrt(norm);
    }
    double[] mean = {1, -2, 0.5, 3, 0, -1};
    float[] z = new float[n * channels * positions];
    for (int i = 0; i < n; i++) {
      for (int s = 0; s < positions; s++) {
        double x = 3 * r.nextGaussian();
        double y = r.nextGaussian();
        for (int c = 0; c < channels; c++) {
          z[(i * channels + c) * positions + s] = (float) (mean[c] + x * a[c] + y * b[c]);
        }
      }
    }
    ChannelPca.Result pca = ChannelPca.fit(z, n, channels, 2, n);
    ChannelProjection p = pca.projection();
    assertThat(pca.explainedVariance()).isCloseTo(1.0, within(1e-4));
    assertThat(p.outputDim()).isEqualTo(2 * positions);
    // The projection loses nothing: its two rows span a and b.
    float[] w = p.weights();
    for (double[] v : new double[][] {a, b}) {
      double kept = 0;
      for (int j = 0; j < 2; j++) {
        double dot = 0;
        for (int c = 0; c < channels; c++) {
          dot += w[j * channels + c] * v[c];
        }
        kept += dot * dot;
      }
      assertThat(kept).isCloseTo(1.0, within(1e-3));
    }
    // Centred: the projected values average zero over rows and positions.
    float[] y = p.apply(z, n);
    double sum = 0;
    for (float v : y) {
      sum += v;
    }
    assertThat(sum / y.length).isCloseTo(0.0, within(1e-3));
    // The first direction is the one with 9× the variance of the second.
    double onA = 0;
    for (int c = 0; c < channels; c++) {
      onA += w[c] * a[c];
    }
    assertThat(Math.abs(onA)).isGreaterThan(0.95);
    // One direction keeps 9/10 of the variance.
    assertThat(ChannelPca.fit(z, n, channels, 1, n).explainedVariance())
        .isCloseTo(0.9, within(0.03));
  }

  @Test
  void refusesMoreDirectionsThanChannelsWithTheFlagName() {
    float[] z = new float[10 * 4 * 3];
    assertThatThrownBy(() -> ChannelPca.fit(z, 10, 4, 5, 10))
        .isInstanceOf(InvalidProblemException.class)
        .hasMessageContaining("--project-channels must be 1..4");
  }

  private static double[] unit(Random r, int n) {
    double[] v = new double[n];
    double norm = 0;
    for (int i = 0; i < n; i++) {
      v[i] = r.nextGaussian();
      norm += v[i] * v[i];
    }
    for (int i = 0; i < n; i++) {
      v[i] /= Math.sqrt(norm);
    }
    return v;
  }
}
