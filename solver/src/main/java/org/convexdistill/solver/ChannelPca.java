package org.convexdistill.solver;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.convexdistill.core.student.ChannelProjection;

/**
 * Fits a {@link ChannelProjection} from unlabeled block inputs: the k leading principal directions
 * of the channel vectors (every position of every row is one sample of C_in values), centred at
 * their mean. Label-free by construction: it sees the block's inputs only.
 *
 * <p>Why principal directions: the projection is fixed before the convex fit (a learned one would
 * make the problem non-convex), so it should keep as much of the input as k channels can; the gated
 * units then choose what matters for the outputs.
 */
public final class ChannelPca {
  /**
   * @param projection the fitted map
   * @param explainedVariance the share of the channel vectors' variance its k directions keep
   */
  public record Result(ChannelProjection projection, double explainedVariance) {}

  private ChannelPca() {}

  /**
   * @param z row-major n × (C_in·S), channel-major rows
   * @param n rows
   * @param channels C_in
   * @param k directions to keep, 1..C_in
   * @param maxRows rows to estimate the covariance from (evenly spaced; ≥ 1)
   */
  public static Result fit(float[] z, int n, int channels, int k, int maxRows) {
    if (n < 1 || channels < 1 || z.length % channels != 0 || (long) z.length < (long) n) {
      throw new InvalidProblemException(
          "channel PCA needs rows of C_in·S values, got " + z.length + " values, C_in=" + channels);
    }
    int d = z.length / n;
    if (d % channels != 0) {
      throw new InvalidProblemException(
          "a row of " + d + " values is not " + channels + " channels × positions");
    }
    if (k < 1 || k > channels) {
      throw new InvalidProblemException(
          "--project-channels must be 1.." + channels + " (the input's channels), got " + k);
    }
    int s = d / channels;
    int rows = Math.max(1, Math.min(n, maxRows));
    double[] sum = new double[channels];
    double[] cov = new double[channels * channels];
    float[] v = new float[channels];
    for (int r = 0; r < rows; r++) {
      int i = (int) ((long) r * n / rows);
      for (int p = 0; p < s; p++) {
        for (int c = 0; c < channels; c++) {
          v[c] = z[i * d + c * s + p];
          sum[c] += v[c];
        }
        for (int a = 0; a < channels; a++) {
          double va = v[a];
          if (va == 0) {
            continue; // post-ReLU inputs: most channel values are zero
          }
          int row = a * channels;
          for (int b = a; b < channels; b++) {
            cov[row + b] += va * v[b];
          }
        }
      }
    }
    double count = (double) rows * s;
    for (int a = 0; a < channels; a++) {
      for (int b = a; b < channels; b++) {
        double c = cov[a * channels + b] / count - (sum[a] / count) * (sum[b] / count);
        cov[a * channels + b] = c;
        cov[b * channels + a] = c;
      }
    }
    double[] vectors = new double[channels * channels];
    double[] values = new double[channels];
    SmallEigen.symmetricEigen(cov, channels, vectors, values);
    Integer[] order = IntStream.range(0, channels).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(e -> -values[e]));
    float[] weights = new float[k * channels];
    float[] offsets = new float[k];
    double kept = 0;
    double total = 0;
    for (int e = 0; e < channels; e++) {
      total += Math.max(0, values[e]);
    }
    for (int j = 0; j < k; j++) {
      int e = order[j];
      kept += Math.max(0, values[e]);
      double offset = 0;
      for (int c = 0; c < channels; c++) {
        double w = vectors[c * channels + e];
        weights[j * channels + c] = (float) w;
        offset += w * sum[c] / count;
      }
      offsets[j] = (float) offset;
    }
    return new Result(
        new ChannelProjection(channels, s, weights, offsets), total > 0 ? kept / total : 0);
  }
}
