package org.convexdistill.teacher;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A convolution as an implicit matrix product on channels-last maps, vectorised with the JDK's
 * Vector API (incubator module {@code jdk.incubator.vector}; the JVM needs {@code --add-modules
 * jdk.incubator.vector}, see {@link VectorResNet18#available}).
 *
 * <p>Each output row (one image position) is {@code Σ_t Σ_c in[offsets[row·taps + t] + c] ·
 * weights[tapWeights[t] + c·outChannels + o]}: a tap is a slice of {@code channels} consecutive
 * input values, so a 3×3 convolution on an NHWC map needs no im2col copy. Four rows and four
 * vectors of output channels are kept in sixteen registers while the input channels stream past (16
 * fused multiply-adds per 4 loads and 4 broadcasts).
 *
 * <p>Why each tap stores its sums back to {@code out} instead of keeping them in registers across
 * taps: on JDK 17 vectors that live across the outer (tap) loop are not kept in registers, and the
 * kernel ran at 2.7 GMAC/s; stored per tap it runs at 52 GMAC/s on one core of the AMD EPYC build
 * machine (PyTorch's convolutions at these sizes: 8–10). Measured with a standalone harness on the
 * stage-1 (8×8×64, batch 4) and stage-2 (4×4×128) shapes.
 *
 * <p>Pure: reads its inputs, adds into the caller's {@code out}, allocates nothing.
 */
final class ConvKernel {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();

  /** Output channels one pass covers (four vectors); every layer's width must be a multiple. */
  static final int BLOCK = 4 * LANES;

  private ConvKernel() {}

  /**
   * Adds the convolution of {@code rows} output rows to {@code out} (rows stored contiguously from
   * {@code outStart}, {@code outChannels} values each, pre-filled by the caller, e.g. with the
   * bias).
   *
   * @param in input values; a row's tap t starts at {@code offsets[row·taps + t]}
   * @param offsets rows × taps start indices into {@code in}
   * @param absent an offset meaning "outside the map": {@code in} holds {@code channels} zeros
   *     there, and a tap absent for all four rows of a group is skipped; -1 when none is
   * @param tapWeights per tap, the start of its {@code channels × outChannels} weight slice
   * @param outChannels a multiple of {@link #BLOCK}
   */
  static void accumulate(
      float[] in,
      int[] offsets,
      int absent,
      int rows,
      int taps,
      int channels,
      float[] weights,
      int[] tapWeights,
      int outChannels,
      float[] out,
      int outStart) {
    if (outChannels % BLOCK != 0) {
      throw new IllegalArgumentException(
          outChannels + " output channels: must be a multiple of " + BLOCK);
    }
    int groups = rows / 4;
    // Tap, then output block, then rows: one tap's weights for one output block (channels × 4
    // vectors, 64-128 KB at 256-512 channels) stay in cache while every group of four rows passes
    // over them, instead of being fetched again per group from the 2-4 MB of a 2×2 or 1×1 layer.
    // (Measured against rows outermost, batches of 16 and 32: within this machine's noise.)
    for (int t = 0; t < taps; t++) {
      for (int o = 0; o < outChannels; o += BLOCK) {
        for (int g = 0; g < groups; g++) {
          int base = 4 * g * taps;
          int i0 = offsets[base + t];
          int i1 = offsets[base + taps + t];
          int i2 = offsets[base + 2 * taps + t];
          int i3 = offsets[base + 3 * taps + t];
          if (i0 == absent && i1 == absent && i2 == absent && i3 == absent) {
            continue;
          }
          fourRows(
              in,
              i0,
              i1,
              i2,
              i3,
              channels,
              weights,
              tapWeights[t] + o,
              outChannels,
              out,
              outStart + 4 * g * outChannels + o);
        }
      }
    }
    int row = 4 * groups;
    if (row < rows) {
      tail(
          in,
          offsets,
          absent,
          row,
          rows,
          taps,
          channels,
          weights,
          tapWeights,
          outChannels,
          out,
          outStart);
    }
  }

  /**
   * The last one to three rows, through the four-row kernel on a copy padded with repeats of the
   * last row. Why not one row at a time: a row alone reads every weight once for four
   * multiply-adds, and with a few images per batch the position-major layers (2×2 and 1×1 maps)
   * have only such rows; that path took a quarter of a serving pass.
   */
  private static void tail(
      float[] in,
      int[] offsets,
      int absent,
      int first,
      int rows,
      int taps,
      int channels,
      float[] weights,
      int[] tapWeights,
      int outChannels,
      float[] out,
      int outStart) {
    int left = rows - first;
    float[] sums = new float[4 * outChannels];
    System.arraycopy(out, outStart + first * outChannels, sums, 0, left * outChannels);
    int[] at = new int[4];
    for (int t = 0; t < taps; t++) {
      boolean any = false;
      for (int r = 0; r < 4; r++) {
        at[r] = offsets[(first + Math.min(r, left - 1)) * taps + t];
        any |= at[r] != absent;
      }
      if (!any) {
        continue;
      }
      for (int o = 0; o < outChannels; o += BLOCK) {
        fourRows(
            in,
            at[0],
            at[1],
            at[2],
            at[3],
            channels,
            weights,
            tapWeights[t] + o,
            outChannels,
            sums,
            o);
      }
    }
    System.arraycopy(sums, 0, out, outStart + first * outChannels, left * outChannels);
  }

  /** out[row r][0..BLOCK) += Σ_c in[i_r + c] · w[w0 + c·stride ..] for four rows at once. */
  private static void fourRows(
      float[] in,
      int i0,
      int i1,
      int i2,
      int i3,
      int channels,
      float[] w,
      int w0,
      int stride,
      float[] out,
      int o0) {
    int o1 = o0 + stride;
    int o2 = o1 + stride;
    int o3 = o2 + stride;
    FloatVector a0 = FloatVector.fromArray(SPECIES, out, o0);
    FloatVector a1 = FloatVector.fromArray(SPECIES, out, o0 + LANES);
    FloatVector a2 = FloatVector.fromArray(SPECIES, out, o0 + 2 * LANES);
    FloatVector a3 = FloatVector.fromArray(SPECIES, out, o0 + 3 * LANES);
    FloatVector b0 = FloatVector.fromArray(SPECIES, out, o1);
    FloatVector b1 = FloatVector.fromArray(SPECIES, out, o1 + LANES);
    FloatVector b2 = FloatVector.fromArray(SPECIES, out, o1 + 2 * LANES);
    FloatVector b3 = FloatVector.fromArray(SPECIES, out, o1 + 3 * LANES);
    FloatVector c0 = FloatVector.fromArray(SPECIES, out, o2);
    FloatVector c1 = FloatVector.fromArray(SPECIES, out, o2 + LANES);
    FloatVector c2 = FloatVector.fromArray(SPECIES, out, o2 + 2 * LANES);
    FloatVector c3 = FloatVector.fromArray(SPECIES, out, o2 + 3 * LANES);
    FloatVector d0 = FloatVector.fromArray(SPECIES, out, o3);
    FloatVector d1 = FloatVector.fromArray(SPECIES, out, o3 + LANES);
    FloatVector d2 = FloatVector.fromArray(SPECIES, out, o3 + 2 * LANES);
    FloatVector d3 = FloatVector.fromArray(SPECIES, out, o3 + 3 * LANES);
    for (int c = 0; c < channels; c++) {
      int wi = w0 + c * stride;
      FloatVector w0v = FloatVector.fromArray(SPECIES, w, wi);
      FloatVector w1v = FloatVector.fromArray(SPECIES, w, wi + LANES);
      FloatVector w2v = FloatVector.fromArray(SPECIES, w, wi + 2 * LANES);
      FloatVector w3v = FloatVector.fromArray(SPECIES, w, wi + 3 * LANES);
      FloatVector x = FloatVector.broadcast(SPECIES, in[i0 + c]);
      a0 = w0v.fma(x, a0);
      a1 = w1v.fma(x, a1);
      a2 = w2v.fma(x, a2);
      a3 = w3v.fma(x, a3);
      x = FloatVector.broadcast(SPECIES, in[i1 + c]);
      b0 = w0v.fma(x, b0);
      b1 = w1v.fma(x, b1);
      b2 = w2v.fma(x, b2);
      b3 = w3v.fma(x, b3);
      x = FloatVector.broadcast(SPECIES, in[i2 + c]);
      c0 = w0v.fma(x, c0);
      c1 = w1v.fma(x, c1);
      c2 = w2v.fma(x, c2);
      c3 = w3v.fma(x, c3);
      x = FloatVector.broadcast(SPECIES, in[i3 + c]);
      d0 = w0v.fma(x, d0);
      d1 = w1v.fma(x, d1);
      d2 = w2v.fma(x, d2);
      d3 = w3v.fma(x, d3);
    }
    a0.intoArray(out, o0);
    a1.intoArray(out, o0 + LANES);
    a2.intoArray(out, o0 + 2 * LANES);
    a3.intoArray(out, o0 + 3 * LANES);
    b0.intoArray(out, o1);
    b1.intoArray(out, o1 + LANES);
    b2.intoArray(out, o1 + 2 * LANES);
    b3.intoArray(out, o1 + 3 * LANES);
    c0.intoArray(out, o2);
    c1.intoArray(out, o2 + LANES);
    c2.intoArray(out, o2 + 2 * LANES);
    c3.intoArray(out, o2 + 3 * LANES);
    d0.intoArray(out, o3);
    d1.intoArray(out, o3 + LANES);
    d2.intoArray(out, o3 + 2 * LANES);
    d3.intoArray(out, o3 + 3 * LANES);
  }
}
