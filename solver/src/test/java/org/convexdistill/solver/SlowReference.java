package org.convexdistill.solver;

import java.util.Random;
import org.convexdistill.core.npy.NpyArray;

/**
 * An obviously-correct float64 evaluation of the problem straight from the spec, loops only, for
 * checking the fast solver. Arrays are row-major as given (Z n×d, Y n×C, G d×P, U C×P×d).
 */
final class SlowReference {
  final int n;
  final int d;
  final int c;
  final int p;
  final double[][] zn;
  final double[][] y;
  final boolean[][] mask;

  SlowReference(NpyArray z, NpyArray yArr, NpyArray g, boolean unitize) {
    n = z.dim(0);
    d = z.dim(1);
    c = yArr.dim(1);
    p = g.dim(1);
    zn = new double[n][d];
    for (int i = 0; i < d; i++) {
      double s = 0;
      for (int r = 0; r < n; r++) {
        s += (double) z.data()[r * d + i] * z.data()[r * d + i];
      }
      double scale = unitize ? Math.sqrt(s) : 1;
      for (int r = 0; r < n; r++) {
        zn[r][i] = scale > 0 ? z.data()[r * d + i] / scale : 0;
      }
    }
    y = new double[n][c];
    for (int r = 0; r < n; r++) {
      for (int k = 0; k < c; k++) {
        y[r][k] = yArr.data()[r * c + k];
      }
    }
    mask = new boolean[n][p];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < p; j++) {
        double s = 0;
        for (int i = 0; i < d; i++) {
          s += zn[r][i] * g.data()[i * p + j];
        }
        mask[r][j] = s > 0;
      }
    }
  }

  double[][] predict(double[] u) {
    double[][] yhat = new double[n][c];
    for (int r = 0; r < n; r++) {
      for (int k = 0; k < c; k++) {
        double s = 0;
        for (int j = 0; j < p; j++) {
          if (mask[r][j]) {
            int off = (k * p + j) * d;
            for (int i = 0; i < d; i++) {
              s += zn[r][i] * u[off + i];
            }
          }
        }
        yhat[r][k] = s;
      }
    }
    return yhat;
  }

  double loss(double[] u) {
    double[][] yhat = predict(u);
    double s = 0;
    for (int r = 0; r < n; r++) {
      for (int k = 0; k < c; k++) {
        double e = yhat[r][k] - y[r][k];
        s += e * e;
      }
    }
    return s / (2.0 * n * c);
  }

  double penalty(double[] u, double lambda) {
    double s = 0;
    for (int g = 0; g < c * p; g++) {
      double q = 0;
      for (int i = 0; i < d; i++) {
        q += u[g * d + i] * u[g * d + i];
      }
      s += Math.sqrt(q);
    }
    return lambda * s;
  }

  double lambdaMax() {
    double max = 0;
    for (int k = 0; k < c; k++) {
      for (int j = 0; j < p; j++) {
        double q = 0;
        for (int i = 0; i < d; i++) {
          double s = 0;
          for (int r = 0; r < n; r++) {
            if (mask[r][j]) {
              s += zn[r][i] * y[r][k];
            }
          }
          s /= (double) n * c;
          q += s * s;
        }
        max = Math.max(max, Math.sqrt(q));
      }
    }
    return max;
  }

  static double[] toDouble(float[] a) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }

  /** A random problem: Z normal, Y from a planted ReLU unit plus noise, G normal. */
  static NpyArray[] randomData(int n, int d, int c, int p, long seed) {
    Random random = new Random(seed);
    float[] z = new float[n * d];
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) random.nextGaussian();
    }
    float[] w = new float[d * c];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) random.nextGaussian();
    }
    float[] y = new float[n * c];
    for (int r = 0; r < n; r++) {
      for (int k = 0; k < c; k++) {
        double s = 0;
        for (int i = 0; i < d; i++) {
          s += z[r * d + i] * w[i * c + k];
        }
        y[r * c + k] = (float) (Math.max(0, s) / Math.sqrt(d) + 0.1 * random.nextGaussian());
      }
    }
    float[] g = new float[d * p];
    for (int i = 0; i < g.length; i++) {
      g[i] = (float) random.nextGaussian();
    }
    return new NpyArray[] {NpyArray.of(z, n, d), NpyArray.of(y, n, c), NpyArray.of(g, d, p)};
  }

  /**
   * Rows [from, from + rows) of {@code data}, the same gates, keeping {@code carried} column scales
   * where they fit (null: the window's own).
   */
  static GatedReluProblem window(NpyArray[] data, int from, int rows, float[] carried) {
    int d = data[0].dim(1);
    int c = data[1].dim(1);
    return GatedReluProblem.builder()
        .setInputs(
            NpyArray.of(
                java.util.Arrays.copyOfRange(data[0].data(), from * d, (from + rows) * d), rows, d))
        .setTargets(
            NpyArray.of(
                java.util.Arrays.copyOfRange(data[1].data(), from * c, (from + rows) * c), rows, c))
        .setGates(data[2])
        .optCarriedScales(carried)
        .build();
  }

  static GatedReluProblem problem(NpyArray[] data) {
    return GatedReluProblem.builder()
        .setInputs(data[0])
        .setTargets(data[1])
        .setGates(data[2])
        .build();
  }
}
