package org.convexdistill.solver;

import static org.assertj.core.api.Assertions.assertThat;

import org.convexdistill.core.npy.NpyArray;
import org.convexdistill.core.student.StudentBlock;
import org.junit.jupiter.api.Test;

/** The nuclear-norm (Theorem 3B) model: certified optimum, and its student. */
class NuclearNormFitTest {
  /**
   * A slow reference solved another way: proximal gradient on the full V_j (d × C) with exact
   * singular-value thresholding (via the eigen-decomposition of V_jᵀV_j), in double precision.
   */
  static double referenceObjective(GatedReluProblem pr, double lambda, int iterations) {
    int n = pr.samples();
    int d = pr.inputDim();
    int c = pr.outputs();
    int p = pr.gates();
    double m = (double) n * c;
    float[] zn = new float[n * d];
    pr.normalizedInputs().data().asNioFloat().get(0, zn, 0, zn.length); // column-major n × d
    float[] y = pr.targetsColumnMajor();
    float[] pat = pr.patternsColumnMajor();
    double[][] v = new double[p][d * c]; // row-major d × C
    // L ≤ Σ_j ‖D_j Zn‖²_F / m
    double l = 0;
    for (int j = 0; j < p; j++) {
      for (int i = 0; i < d; i++) {
        for (int r = 0; r < n; r++) {
          double z = zn[i * n + r] * pat[j * n + r];
          l += z * z;
        }
      }
    }
    l /= m;
    double obj = 0;
    for (int it = 0; it < iterations; it++) {
      double[] res = new double[n * c]; // row-major n × C: Ŷ − Y
      for (int r = 0; r < n; r++) {
        for (int k = 0; k < c; k++) {
          double s = -y[k * n + r];
          for (int j = 0; j < p; j++) {
            if (pat[j * n + r] == 0) {
              continue;
            }
            for (int i = 0; i < d; i++) {
              s += zn[i * n + r] * v[j][i * c + k];
            }
          }
          res[r * c + k] = s;
        }
      }
      double loss = 0;
      for (double e : res) {
        loss += e * e;
      }
      double nuc = 0;
      for (int j = 0; j < p; j++) {
        nuc += nuclear(v[j], d, c);
      }
      obj = loss / (2 * m) + lambda * nuc;
      for (int j = 0; j < p; j++) {
        double[] next = new double[d * c];
        for (int i = 0; i < d; i++) {
          for (int k = 0; k < c; k++) {
            double g = 0;
            for (int r = 0; r < n; r++) {
              g += zn[i * n + r] * pat[j * n + r] * res[r * c + k];
            }
            next[i * c + k] = v[j][i * c + k] - g / m / l;
          }
        }
        v[j] = threshold(next, d, c, lambda / l);
      }
    }
    return obj;
  }

  /** VᵀV (C × C) of a row-major d × C matrix. */
  private static double[] gram(double[] v, int d, int c) {
    double[] vtv = new double[c * c];
    for (int a = 0; a < c; a++) {
      for (int b = 0; b < c; b++) {
        double s = 0;
        for (int i = 0; i < d; i++) {
          s += v[i * c + a] * v[i * c + b];
        }
        vtv[a * c + b] = s;
      }
    }
    return vtv;
  }

  private static double nuclear(double[] v, int d, int c) {
    double[] vtv = gram(v, d, c);
    double[] w = new double[c * c];
    double[] e = new double[c];
    SmallEigen.symmetricEigen(vtv, c, w, e);
    double sum = 0;
    for (double x : e) {
      sum += Math.sqrt(Math.max(0, x));
    }
    return sum;
  }

  /** V·W·diag(max(σ − t, 0)/σ)·Wᵀ with VᵀV = W·diag(σ²)·Wᵀ. */
  private static double[] threshold(double[] v, int d, int c, double t) {
    double[] vtv = gram(v, d, c);
    double[] w = new double[c * c];
    double[] e = new double[c];
    SmallEigen.symmetricEigen(vtv, c, w, e);
    double[] scaleW = new double[c * c];
    for (int a = 0; a < c; a++) {
      for (int k = 0; k < c; k++) {
        double sigma = Math.sqrt(Math.max(0, e[k]));
        double f = sigma > t ? (sigma - t) / sigma : 0;
        scaleW[a * c + k] = w[a * c + k] * f;
      }
    }
    double[] out = new double[d * c];
    for (int i = 0; i < d; i++) {
      for (int b = 0; b < c; b++) {
        double s = 0;
        for (int a = 0; a < c; a++) {
          double proj = 0;
          for (int k = 0; k < c; k++) {
            proj += scaleW[a * c + k] * w[b * c + k];
          }
          s += v[i * c + a] * proj;
        }
        out[i * c + b] = s;
      }
    }
    return out;
  }

  private static GatedReluProblem problem(long seed) {
    NpyArray[] data = SlowReference.randomData(120, 6, 4, 3, seed);
    return GatedReluProblem.builder()
        .setInputs(data[0])
        .setTargets(data[1])
        .setGates(data[2])
        .build();
  }

  @Test
  void shouldReachTheOptimumOfTheSvtReferenceWithAVanishingGap() {
    GatedReluProblem pr = problem(11);
    double reference = Double.NaN;
    // In double precision the gap closes to near machine precision; in float (the product's
    // speed setting) to about 1e-4.
    for (var type :
        new org.nd4j.linalg.api.buffer.DataType[] {
          org.nd4j.linalg.api.buffer.DataType.DOUBLE, org.nd4j.linalg.api.buffer.DataType.FLOAT
        }) {
      NuclearNormFit fit = new NuclearNormFit(pr, 4, type);
      double lambda = 0.1 * fit.lambdaMax();
      if (Double.isNaN(reference)) {
        reference = referenceObjective(pr, lambda, 4000);
      }
      boolean exact = type == org.nd4j.linalg.api.buffer.DataType.DOUBLE;
      NuclearNormFit.Result r = fit.solve(lambda, null, null, exact ? 1e-9 : 1e-4, 5000, 1);
      assertThat(Math.abs(r.objective() - reference) / reference)
          .as("%s: BM %s vs SVT reference %s", type, r.objective(), reference)
          .isLessThan(exact ? 1e-7 : 1e-4);
      assertThat(r.relativeGap()).as("%s certificate", type).isLessThan(exact ? 1e-6 : 1e-3);
      // A lower bound on the optimum, to the precision the arithmetic allows.
      assertThat(r.dualValue()).isLessThanOrEqualTo(reference * (1 + (exact ? 1e-9 : 2e-4)));
    }
  }

  @Test
  void itsStudentShouldPredictWhatTheFactorsPredictAndShareItsSecondLayer() {
    GatedReluProblem pr = problem(12);
    NuclearNormFit fit = new NuclearNormFit(pr, 3);
    NuclearNormFit.Result r = fit.solve(0.2 * fit.lambdaMax(), null, null, 1e-6, 2000, 2);
    StudentBlock s = fit.student(r, 1e-6);
    assertThat(s.isSharedOutput()).isTrue();
    assertThat(s.hiddenUnits()).isBetween(1, 3 * 3);
    assertThat(s.parameterCount()).isEqualTo(s.hiddenUnits() * (6L + 4));
    // The student's loss on the training rows is the solution's loss.
    NpyArray[] data = SlowReference.randomData(120, 6, 4, 3, 12);
    float[] out = new float[120 * 4];
    s.forward(data[0].data(), 120, out, s.newWorkspace(120));
    double sq = 0;
    for (int i = 0; i < out.length; i++) {
      double e = out[i] - data[1].data()[i];
      sq += e * e;
    }
    assertThat(sq / (2.0 * 120 * 4))
        .isCloseTo(r.loss(), org.assertj.core.data.Percentage.withPercentage(0.1));
  }

  @Test
  void largeLambdaGivesTheZeroModelAndTheGapStillCloses() {
    GatedReluProblem pr = problem(13);
    NuclearNormFit fit = new NuclearNormFit(pr, 2);
    NuclearNormFit.Result r = fit.solve(1.05 * fit.lambdaMax(), null, null, 1e-6, 2000, 3);
    assertThat(r.nuclearNorm()).isLessThan(1e-3 * fit.lambdaMax());
    assertThat(r.relativeGap()).isLessThan(1e-3);
  }
}
