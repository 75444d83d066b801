package org.convexdistill.solver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The dual bound keeps each output's best point and extrapolates a linearly converging residual
 * sequence to its limit.
 */
class OutputDualBoundTest {
  private static final int N = 6;
  private static final int GATES = 2;
  private static final int D = 3;

  /** g = M·r/m for a fixed M: a stand-in for Φᵀ, linear as Φᵀ is. */
  private static float[] gradient(double[] r, int outputs, double m) {
    float[] g = new float[outputs * GATES * D];
    for (int k = 0; k < outputs; k++) {
      for (int row = 0; row < GATES * D; row++) {
        double s = 0;
        for (int i = 0; i < N; i++) {
          s += Math.sin(1 + row * N + i) * r[k * N + i];
        }
        g[(k * GATES * D) + row] = (float) (s / m);
      }
    }
    return g;
  }

  @Test
  void aGeometricResidualSequenceIsExtrapolatedToItsLimit() {
    // Residuals r_t = y + 0.5^t·e + 0.2^t·f: two modes, so five differences determine the limit y,
    // the unconstrained dual optimum (λ is large enough for it to be feasible). Each iterate's own
    // point is worth ⟨r, y⟩²/(‖r‖²·2m) < ‖y‖²/(2m).
    float[] y = {1, -2, 0.5f, 3, -1, 2};
    double m = N;
    double lambda = 1e6;
    double limit = 0;
    for (float v : y) {
      limit += (double) v * v;
    }
    limit /= 2 * m;
    double[] e = {0.3, 0.1, -0.7, 0.2, 0.9, -0.4};
    double[] f = {-0.5, 0.8, 0.1, -0.3, 0.2, 0.6};
    OutputDualBound bound = new OutputDualBound(N, 1, GATES, D, m, y, null);
    double plainBest = Double.NEGATIVE_INFINITY;
    double last = Double.NaN;
    for (int t = 0; t <= OutputDualBound.MEMORY; t++) {
      double[] r = new double[N];
      for (int i = 0; i < N; i++) {
        r[i] = y[i] + Math.pow(0.5, t) * e[i] + Math.pow(0.2, t) * f[i];
      }
      OutputDualBound alone = new OutputDualBound(N, 1, GATES, D, m, y, null);
      plainBest = Math.max(plainBest, alone.offer(r, gradient(r, 1, m), lambda));
      last = bound.offer(r, gradient(r, 1, m), lambda);
      if (t < OutputDualBound.MEMORY) {
        assertThat(last).as("before the memory is full, t = %d", t).isEqualTo(plainBest);
      }
    }
    assertThat(plainBest).isLessThan(limit - 1e-4);
    assertThat(last).isCloseTo(limit, within(1e-9));
  }

  @Test
  void eachOutputKeepsItsOwnBestPointAndTheLimitStaysFeasible() {
    // Output 0's best point comes first, output 1's second: the bound is the sum of both bests.
    float[] y = {1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2};
    double m = 2.0 * N;
    double lambda = 1e6;
    double[] good0 = new double[2 * N];
    double[] good1 = new double[2 * N];
    for (int i = 0; i < N; i++) {
      good0[i] = 1;
      good0[N + i] = i % 2 == 0 ? 2 : -2; // orthogonal to y_1: worth 0
      good1[i] = i % 2 == 0 ? 1 : -1; // worth 0
      good1[N + i] = 2;
    }
    OutputDualBound bound = new OutputDualBound(N, 2, GATES, D, m, y, null);
    bound.offer(good0, gradient(good0, 2, m), lambda);
    double both = bound.offer(good1, gradient(good1, 2, m), lambda);
    assertThat(both).isCloseTo((6.0 + 24.0) / (2 * m), within(1e-12));
    // With a small λ each point is scaled to feasibility: the bound shrinks with λ.
    OutputDualBound tight = new OutputDualBound(N, 2, GATES, D, m, y, null);
    tight.offer(good0, gradient(good0, 2, m), 1e-3);
    assertThat(tight.offer(good1, gradient(good1, 2, m), 1e-3)).isLessThan(both);
  }
}
