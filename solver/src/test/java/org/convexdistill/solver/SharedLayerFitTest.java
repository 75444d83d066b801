package org.convexdistill.solver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.convexdistill.core.npy.NpyArray;
import org.convexdistill.core.student.StudentBlock;
import org.junit.jupiter.api.Test;

/** The paper's polishing: a group elastic net on a shared second layer, with its certificate. */
class SharedLayerFitTest {
  private static float[] gaussian(int len, long seed) {
    Random r = new Random(seed);
    float[] x = new float[len];
    for (int i = 0; i < len; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }

  /** Plain proximal gradient in double precision, run far past convergence: a slow reference. */
  private static double referenceObjective(
      float[] phi, float[] y, int n, int h, int c, double lambda, double alpha) {
    double[] w = new double[h * c];
    double scale = 1.0 / (n * c);
    // Lipschitz bound: trace of ΦᵀΦ·scale + ridge ≥ the largest eigenvalue.
    double trace = 0;
    for (float v : phi) {
      trace += v * v;
    }
    double l = trace * scale + lambda * (1 - alpha);
    double obj = 0;
    for (int it = 0; it < 20000; it++) {
      double[] r = new double[n * c];
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < c; k++) {
          double s = -y[i * c + k];
          for (int u = 0; u < h; u++) {
            s += phi[i * h + u] * w[u * c + k];
          }
          r[i * c + k] = s;
        }
      }
      double loss = 0;
      for (double v : r) {
        loss += v * v;
      }
      double pen = 0;
      for (int u = 0; u < h; u++) {
        double sq = 0;
        for (int k = 0; k < c; k++) {
          sq += w[u * c + k] * w[u * c + k];
        }
        pen += alpha * Math.sqrt(sq) + (1 - alpha) / 2 * sq;
      }
      obj = loss * scale / 2 + lambda * pen;
      double[] next = new double[h * c];
      for (int u = 0; u < h; u++) {
        double sq = 0;
        for (int k = 0; k < c; k++) {
          double g = 0;
          for (int i = 0; i < n; i++) {
            g += phi[i * h + u] * r[i * c + k];
          }
          g = g * scale + lambda * (1 - alpha) * w[u * c + k];
          next[u * c + k] = w[u * c + k] - g / l;
          sq += next[u * c + k] * next[u * c + k];
        }
        double norm = Math.sqrt(sq);
        double f = norm > lambda * alpha / l ? 1 - lambda * alpha / l / norm : 0;
        for (int k = 0; k < c; k++) {
          next[u * c + k] *= f;
        }
      }
      w = next;
    }
    return obj;
  }

  @Test
  void shouldReachTheOptimumOfASlowReferenceWithAVanishingGap() {
    int n = 60;
    int h = 8;
    int c = 3;
    float[] phi = gaussian(n * h, 1);
    float[] y = gaussian(n * c, 2);
    for (double alpha : new double[] {0.9, 1.0}) {
      try (SharedLayerFit fit = new SharedLayerFit(phi, y, n, h, c)) {
        double lambda = 0.2 * fit.lambdaMax(alpha);
        SharedLayerFit.Result r = fit.solve(lambda, alpha, null, 1e-9, 20000);
        double reference = referenceObjective(phi, y, n, h, c, lambda, alpha);
        assertThat(Math.abs(r.objective() - reference) / reference)
            .as("alpha %s: %s vs %s", alpha, r.objective(), reference)
            .isLessThan(1e-6);
        assertThat(r.relativeGap()).isBetween(-1e-9, 1e-8);
        assertThat(r.dualValue()).isLessThanOrEqualTo(reference * (1 + 1e-9));
        assertThat(fit.objective(r.weights(), lambda, alpha))
            .isCloseTo(r.objective(), org.assertj.core.data.Percentage.withPercentage(1e-4));
      }
    }
  }

  @Test
  void shouldDropWholeUnitsAsLambdaGrowsAndNoneAtLambdaMax() {
    int n = 80;
    int h = 12;
    int c = 4;
    float[] phi = gaussian(n * h, 3);
    float[] y = gaussian(n * c, 4);
    try (SharedLayerFit fit = new SharedLayerFit(phi, y, n, h, c)) {
      double top = fit.lambdaMax(0.95);
      assertThat(fit.solve(top * 1.001, 0.95, null, 1e-8, 5000).nonzeroRows()).isZero();
      int high = fit.solve(0.6 * top, 0.95, null, 1e-8, 5000).nonzeroRows();
      int low = fit.solve(0.01 * top, 0.95, null, 1e-8, 5000).nonzeroRows();
      assertThat(high).isLessThan(low);
      assertThat(low).isEqualTo(h);
    }
  }

  @Test
  void polishingNeverRaisesTheObjectiveOfTheOneVsAllSecondLayerAndDropsUnits() {
    NpyArray[] data = SlowReference.randomData(400, 10, 3, 8, 5);
    GatedReluProblem problem =
        GatedReluProblem.builder().setInputs(data[0]).setTargets(data[1]).setGates(data[2]).build();
    StudentBlock oneVsAll;
    try (RFista solver = new RFista(problem)) {
      SolverResult r =
          solver.solve(SolverOptions.builder().setLambda(0.05 * solver.lambdaMax()).build());
      oneVsAll = StudentFactory.fromSolution(problem, r.weights());
    }
    int h = oneVsAll.hiddenUnits();
    assertThat(h).isGreaterThan(3);
    float[] z = data[0].data();
    float[] y = data[1].data();
    float[] phi = SharedLayerPolish.features(oneVsAll, z, 400);
    float[] start = SharedLayerPolish.oneHotSecondLayer(oneVsAll);
    try (SharedLayerFit fit = new SharedLayerFit(phi, y, 400, h, 3)) {
      for (double ratio : new double[] {0.02, 0.2, 0.6}) {
        double lambda = ratio * fit.lambdaMax(0.95);
        SharedLayerFit.Result r = fit.solve(lambda, 0.95, start, 1e-7, 10000);
        assertThat(r.objective()).isLessThanOrEqualTo(fit.objective(start, lambda, 0.95));
        assertThat(r.relativeGap()).isLessThan(1e-6);
      }
      SharedLayerFit.Result high = fit.solve(0.6 * fit.lambdaMax(0.95), 0.95, start, 1e-7, 10000);
      assertThat(high.nonzeroRows()).isLessThan(h);
    }
    // The one-vs-all W2 through the shared layout is the same student.
    StudentBlock same = oneVsAll.withSharedSecondLayer(start);
    float[] a = new float[400 * 3];
    float[] b = new float[400 * 3];
    oneVsAll.forward(z, 400, a, oneVsAll.newWorkspace(400));
    same.forward(z, 400, b, same.newWorkspace(400));
    for (int i = 0; i < a.length; i++) {
      assertThat(b[i]).isCloseTo(a[i], org.assertj.core.data.Offset.offset(1e-4f));
    }
    // Within a budget, the polished student keeps at most budget/(d + C) units.
    SharedLayerPolish.Polished p =
        SharedLayerPolish.polish(oneVsAll, z, y, 400, SharedLayerPolish.Options.forBudget(3 * 13));
    assertThat(p.student().hiddenUnits()).isBetween(1, 3);
    assertThat(p.student().isSharedOutput()).isTrue();
    assertThat(p.student().parameterCount()).isEqualTo(p.student().hiddenUnits() * 13L);
  }
}
