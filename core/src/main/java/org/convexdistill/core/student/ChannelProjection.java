package org.convexdistill.core.student;

import org.convexdistill.core.numeric.Finite;

/**
 * A fixed 1×1 convolution in front of a student: every spatial position's channel vector (length
 * C_in) is mapped to k values, {@code z'[j, s] = Σ_c P[j, c]·z[c, s] − b[j]}, the same k × C_in
 * matrix at every position.
 *
 * <p>Why: a joint student of blocks 3 and 4 reads 128 channels × 16 positions (d = 2,048), so a 12×
 * budget buys only ~120 dense hidden units. A projection shared across positions costs k·C_in
 * numbers, not k·d, and leaves a student input of k·S values: with k = 16 the same budget buys ~900
 * units. Fitted from unlabeled activations (the leading principal directions of the channel
 * vectors, {@code b = P·mean}), it keeps the convex problem convex: the gated units are fitted on
 * the projected inputs.
 *
 * <p>Layout: inputs and outputs are channel-major (C·S + s), as a block's flattened activations
 * are. Immutable; {@link #apply} writes into a new array.
 */
public final class ChannelProjection {
  private final int channels;
  private final int positions;
  private final int width;
  private final float[] weights;
  private final float[] offsets;

  /**
   * @param channels C_in, the input channels
   * @param positions S, the spatial positions (H·W) of the input
   * @param weights row-major k × C_in
   * @param offsets length k, subtracted after the product
   */
  public ChannelProjection(int channels, int positions, float[] weights, float[] offsets) {
    if (channels <= 0 || positions <= 0) {
      throw new IllegalArgumentException(
          "projection needs positive channels and positions, got "
              + channels
              + " and "
              + positions);
    }
    int k = offsets.length;
    if (k == 0 || weights.length != (long) k * channels) {
      throw new IllegalArgumentException(
          "projection: " + weights.length + " weights and " + k + " offsets for C_in=" + channels);
    }
    if ((long) channels * positions > Integer.MAX_VALUE / 2) {
      throw new IllegalArgumentException(
          "projection input too large: " + channels + "×" + positions);
    }
    this.channels = channels;
    this.positions = positions;
    this.width = k;
    this.weights = weights.clone();
    this.offsets = offsets.clone();
  }

  /** C_in·S, the flattened input length. */
  public int inputDim() {
    return channels * positions;
  }

  /** k·S, the flattened output length. */
  public int outputDim() {
    return width * positions;
  }

  /** C_in. */
  public int channels() {
    return channels;
  }

  /** S. */
  public int positions() {
    return positions;
  }

  /** k, the channels after projection. */
  public int width() {
    return width;
  }

  /** A copy of P, row-major k × C_in. */
  public float[] weights() {
    return weights.clone();
  }

  /** A copy of b (length k). */
  public float[] offsets() {
    return offsets.clone();
  }

  /** k·C_in weights plus k offsets: needed to compute the output, so counted as parameters. */
  public long parameterCount() {
    return (long) width * channels + width;
  }

  /** "projection", or null when every stored number is finite. */
  public String firstNonFinite() {
    return Finite.all(weights, offsets) ? null : "channel projection";
  }

  /** The projected rows (n × k·S) of n input rows (n × C_in·S), in a new array. */
  public float[] apply(float[] z, int n) {
    int d = inputDim();
    if (z.length < (long) n * d) {
      throw new IllegalArgumentException(
          "input has " + z.length + " values, " + n + " rows need " + (long) n * d);
    }
    int s = positions;
    int out = outputDim();
    float[] y = new float[n * out];
    for (int i = 0; i < n; i++) {
      int zi = i * d;
      int yi = i * out;
      for (int j = 0; j < width; j++) {
        int yj = yi + j * s;
        float b = offsets[j];
        for (int p = 0; p < s; p++) {
          y[yj + p] = -b;
        }
        int wj = j * channels;
        for (int c = 0; c < channels; c++) {
          float w = weights[wj + c];
          if (w == 0f) {
            continue;
          }
          int zc = zi + c * s;
          for (int p = 0; p < s; p++) {
            y[yj + p] += w * z[zc + p];
          }
        }
      }
    }
    return y;
  }
}
