package org.convexdistill.solver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.convexdistill.core.student.OutputBasis;
import org.junit.jupiter.api.Test;

class HeadMetricTest {
  private static final int C = 12;
  private static final int K = 3;

  private static float[] gaussian(Random r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }

  @Test
  void shouldMeasureBlockErrorPlusWeightedLogitError() {
    Random r = new Random(1);
    float[] h = gaussian(r, C * K);
    double mu = 7;
    OutputBasis basis = HeadMetric.basis(h, C, K, mu);
    assertThat(basis.rank()).isEqualTo(K);
    double spectral = spectralNormSquared(h);
    for (int trial = 0; trial < 5; trial++) {
      float[] e = gaussian(r, C);
      float[] x = e.clone();
      basis.toBasis(x, 1);
      double inBasis = 0;
      for (float v : x) {
        inBasis += v * v;
      }
      double block = 0;
      for (float v : e) {
        block += v * v;
      }
      double logits = logitErrorSquared(e, h);
      // The transform is linear, so the metric of a difference is that of the error itself.
      assertThat(inBasis).isCloseTo(block + mu * logits / spectral, within(1e-4 * inBasis));
    }
  }

  @Test
  void shouldPutTheClassifierDirectionsFirst() {
    Random r = new Random(2);
    float[] h = gaussian(r, C * K);
    OutputBasis basis = HeadMetric.basis(h, C, K, 3);
    // A row orthogonal to every classifier direction has nothing in the first K coordinates.
    float[] e = gaussian(r, C);
    double[] q = new double[C * K];
    for (int i = 0; i < C * K; i++) {
      q[i] = h[i];
    }
    // Project e off span(H) by Gram–Schmidt on H's columns.
    for (int k = 0; k < K; k++) {
      for (int prev = 0; prev < k; prev++) {
        double dot = 0;
        for (int i = 0; i < C; i++) {
          dot += q[i * K + k] * q[i * K + prev];
        }
        for (int i = 0; i < C; i++) {
          q[i * K + k] -= dot * q[i * K + prev];
        }
      }
      double norm = 0;
      for (int i = 0; i < C; i++) {
        norm += q[i * K + k] * q[i * K + k];
      }
      for (int i = 0; i < C; i++) {
        q[i * K + k] /= Math.sqrt(norm);
      }
      double dot = 0;
      for (int i = 0; i < C; i++) {
        dot += e[i] * q[i * K + k];
      }
      for (int i = 0; i < C; i++) {
        e[i] -= (float) (dot * q[i * K + k]);
      }
    }
    float[] x = e.clone();
    basis.toBasis(x, 1);
    for (int k = 0; k < K; k++) {
      assertThat(x[k]).isCloseTo(0f, within(1e-5f));
    }
    assertThat(HeadMetric.basis(h, C, K, 0)).isNull();
  }

  @Test
  void shouldCarryTheWholeLogitErrorInTheLeadingCoordinatesOfTheLogitBasis() {
    Random r = new Random(4);
    float[] h = gaussian(r, C * K);
    OutputBasis basis = HeadMetric.logitBasis(h, C, K);
    assertThat(basis.rank()).isEqualTo(K);
    float[] e = gaussian(r, C);
    float[] x = e.clone();
    basis.toBasis(x, 1);
    double leading = 0;
    for (int k = 0; k < K; k++) {
      leading += x[k] * x[k];
    }
    double logits = logitErrorSquared(e, h);
    assertThat(leading).isCloseTo(logits / spectralNormSquared(h), within(1e-4 * leading));
    // Zeroing the other coordinates and mapping back keeps the logits: the projection onto H.
    for (int i = K; i < C; i++) {
      x[i] = 0;
    }
    basis.fromBasis(x, 1);
    for (int k = 0; k < K; k++) {
      double a = 0;
      double b = 0;
      for (int i = 0; i < C; i++) {
        a += e[i] * h[i * K + k];
        b += x[i] * h[i * K + k];
      }
      assertThat(b).isCloseTo(a, within(1e-4 * (1 + Math.abs(a))));
    }
  }

  /** ‖e·H‖², the squared error of the logits an output error e causes. */
  private static double logitErrorSquared(float[] e, float[] h) {
    double sum = 0;
    for (int k = 0; k < K; k++) {
      double l = 0;
      for (int i = 0; i < C; i++) {
        l += e[i] * h[i * K + k];
      }
      sum += l * l;
    }
    return sum;
  }

  private static double spectralNormSquared(float[] h) {
    double[] g = new double[K * K];
    for (int a = 0; a < K; a++) {
      for (int b = 0; b < K; b++) {
        for (int i = 0; i < C; i++) {
          g[a * K + b] += (double) h[i * K + a] * h[i * K + b];
        }
      }
    }
    double[] v = new double[K * K];
    double[] values = new double[K];
    SmallEigen.symmetricEigen(g, K, v, values);
    double top = 0;
    for (double x : values) {
      top = Math.max(top, x);
    }
    return top;
  }
}
