package org.convexdistill.core.student;

import java.util.Objects;
import org.convexdistill.core.numeric.Finite;

/**
 * A convolutional student, trained offline (by Adam in the teacher's engine) and frozen for
 * serving: a 3×3 convolution with padding 1 and the block's stride from C_in channels to F filters,
 * a non-linearity, and a 1×1 convolution to C_out channels, each BatchNorm folded into its weights
 * and a bias. Two architectures:
 *
 * <ul>
 *   <li>{@link Architecture#GATED}, the paper's eq. 8: h = (W₂ ⋆ z + b₂) ⊙ 1(W₁ ⋆ z + b₁ &gt; 0), a
 *       second 3×3 convolution only gating;
 *   <li>{@link Architecture#RELU}, the non-convex baseline: h = ReLU(W₂ ⋆ z + b₂).
 * </ul>
 *
 * Then out = W₃ h + b₃. Pure Java (im2col and a GEMM-shaped loop), so serving runs it without the
 * engine that trained it. Inputs and outputs are flattened C·H·W per row, as the teacher's blocks
 * are.
 */
public final class ConvStudent implements Student {
  /** Which non-linearity sits between the convolutions. */
  public enum Architecture {
    GATED,
    RELU
  }

  /** The input and output maps and the convolutions' sizes. */
  public record Shape(
      int inChannels, int height, int width, int filters, int outChannels, int stride) {
    public Shape {
      if (inChannels < 1 || height < 1 || width < 1 || filters < 1 || outChannels < 1) {
        throw new IllegalArgumentException("channels, map sides and filters must be >= 1");
      }
      if (stride < 1 || stride > 2) {
        throw new IllegalArgumentException("stride must be 1 or 2, got " + stride);
      }
    }

    public int outHeight() {
      return (height - 1) / stride + 1;
    }

    public int outWidth() {
      return (width - 1) / stride + 1;
    }

    /** C_in · 3 · 3: one filter's weights. */
    int patch() {
      return inChannels * 9;
    }
  }

  private static final int CHUNK = 64;

  private final Architecture architecture;
  private final Shape shape;
  private final float[] gateWeights;
  private final float[] gateBias;
  private final float[] convWeights;
  private final float[] convBias;
  private final float[] projectWeights;
  private final float[] projectBias;
  private final long trainedParameters;

  /**
   * @param gateWeights F × (C_in·9), row-major (filter, channel, ky, kx); null for RELU
   * @param convWeights F × (C_in·9)
   * @param projectWeights C_out × F
   * @param trainedParameters what the trained network held (convolutions and BatchNorm scale and
   *     shift, the paper's Table 1 count); folding leaves fewer numbers stored
   */
  public ConvStudent(
      Architecture architecture,
      Shape shape,
      float[] gateWeights,
      float[] gateBias,
      float[] convWeights,
      float[] convBias,
      float[] projectWeights,
      float[] projectBias,
      long trainedParameters) {
    this.architecture = Objects.requireNonNull(architecture, "architecture");
    this.shape = Objects.requireNonNull(shape, "shape");
    int f = shape.filters();
    boolean gated = architecture == Architecture.GATED;
    if (gated != (gateWeights != null) || gated != (gateBias != null)) {
      throw new IllegalArgumentException("a gated student has gate weights, a ReLU one none");
    }
    if (gated) {
      require(gateWeights.length == (long) f * shape.patch(), "gate weights");
      require(gateBias.length == f, "gate bias");
    }
    require(convWeights.length == (long) f * shape.patch(), "conv weights");
    require(convBias.length == f, "conv bias");
    require(projectWeights.length == (long) shape.outChannels() * f, "projection weights");
    require(projectBias.length == shape.outChannels(), "projection bias");
    if (trainedParameters < 1) {
      throw new IllegalArgumentException("trained parameters must be >= 1");
    }
    this.gateWeights = gateWeights;
    this.gateBias = gateBias;
    this.convWeights = convWeights;
    this.convBias = convBias;
    this.projectWeights = projectWeights;
    this.projectBias = projectBias;
    this.trainedParameters = trainedParameters;
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException(what + " do not match the student's shape");
    }
  }

  public Architecture architecture() {
    return architecture;
  }

  public Shape shape() {
    return shape;
  }

  @Override
  public int inputDim() {
    return shape.inChannels() * shape.height() * shape.width();
  }

  @Override
  public int outputDim() {
    return shape.outChannels() * shape.outHeight() * shape.outWidth();
  }

  /** F, the filters. */
  @Override
  public int hiddenUnits() {
    return shape.filters();
  }

  @Override
  public long parameterCount() {
    return trainedParameters;
  }

  @Override
  public long storedParameterCount() {
    long conv = (long) shape.filters() * (shape.patch() + 1);
    long project = (long) shape.outChannels() * (shape.filters() + 1);
    return (architecture == Architecture.GATED ? 2 : 1) * conv + project;
  }

  @Override
  public String firstNonFinite() {
    String[] names = {"gate weights", "conv weights", "projection weights"};
    float[][][] arrays = {
      {gateWeights, gateBias}, {convWeights, convBias}, {projectWeights, projectBias}
    };
    for (int a = 0; a < arrays.length; a++) {
      if (arrays[a][0] != null && !Finite.all(arrays[a][0], arrays[a][1])) {
        return names[a];
      }
    }
    return null;
  }

  @Override
  public float[] apply(float[] z, int n) {
    if (z.length < (long) n * inputDim()) {
      throw new IllegalArgumentException("need " + n + " × " + inputDim() + " inputs");
    }
    float[] out = new float[n * outputDim()];
    int p = shape.outHeight() * shape.outWidth();
    int f = shape.filters();
    int rows = Math.min(CHUNK, Math.max(1, n));
    float[] columns = new float[shape.patch() * rows * p];
    float[] hidden = new float[f * rows * p];
    float[] gate = architecture == Architecture.GATED ? new float[f * rows * p] : null;
    float[] projected = new float[shape.outChannels() * rows * p];
    for (int from = 0; from < n; from += rows) {
      int b = Math.min(rows, n - from);
      int width = b * p;
      im2col(z, from, b, columns);
      multiply(convWeights, convBias, f, shape.patch(), columns, width, hidden);
      if (gate != null) {
        multiply(gateWeights, gateBias, f, shape.patch(), columns, width, gate);
        for (int i = 0; i < f * width; i++) {
          if (!(gate[i] > 0)) {
            hidden[i] = 0;
          }
        }
      } else {
        for (int i = 0; i < f * width; i++) {
          hidden[i] = Math.max(0, hidden[i]);
        }
      }
      multiply(projectWeights, projectBias, shape.outChannels(), f, hidden, width, projected);
      // projected is C_out × (b·P); each row's output is C_out × P.
      for (int i = 0; i < b; i++) {
        int base = (from + i) * outputDim();
        for (int c = 0; c < shape.outChannels(); c++) {
          System.arraycopy(projected, c * width + i * p, out, base + c * p, p);
        }
      }
    }
    return out;
  }

  /**
   * Patches of rows [from, from + b) as a (C_in·9) × (b·P) matrix: row (channel, ky, kx), column
   * (image, output position); taps outside the map are the zero padding.
   */
  private void im2col(float[] z, int from, int b, float[] columns) {
    int h = shape.height();
    int w = shape.width();
    int oh = shape.outHeight();
    int ow = shape.outWidth();
    int p = oh * ow;
    int width = b * p;
    int s = shape.stride();
    for (int c = 0; c < shape.inChannels(); c++) {
      for (int ky = 0; ky < 3; ky++) {
        for (int kx = 0; kx < 3; kx++) {
          int row = (c * 3 + ky) * 3 + kx;
          for (int i = 0; i < b; i++) {
            int in = (from + i) * inputDim() + c * h * w;
            int at = row * width + i * p;
            for (int y = 0; y < oh; y++) {
              int iy = y * s - 1 + ky;
              for (int x = 0; x < ow; x++) {
                int ix = x * s - 1 + kx;
                columns[at + y * ow + x] =
                    iy >= 0 && iy < h && ix >= 0 && ix < w ? z[in + iy * w + ix] : 0f;
              }
            }
          }
        }
      }
    }
  }

  /** out (m × width) = a (m × k) · b (k × width) + bias per row; the inner loop runs along rows. */
  private static void multiply(
      float[] a, float[] bias, int m, int k, float[] b, int width, float[] out) {
    for (int r = 0; r < m; r++) {
      int o = r * width;
      java.util.Arrays.fill(out, o, o + width, bias[r]);
      int ar = r * k;
      for (int j = 0; j < k; j++) {
        float v = a[ar + j];
        if (v == 0f) {
          continue;
        }
        int bj = j * width;
        for (int c = 0; c < width; c++) {
          out[o + c] += v * b[bj + c];
        }
      }
    }
  }

  float[] gateWeights() {
    return gateWeights;
  }

  float[] gateBias() {
    return gateBias;
  }

  float[] convWeights() {
    return convWeights;
  }

  float[] convBias() {
    return convBias;
  }

  float[] projectWeights() {
    return projectWeights;
  }

  float[] projectBias() {
    return projectBias;
  }
}
