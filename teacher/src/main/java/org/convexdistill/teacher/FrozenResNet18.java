package org.convexdistill.teacher;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import java.util.ArrayList;
import java.util.List;

/**
 * An inference-only copy of a trained {@link ResNet18}: each BatchNorm folded into the convolution
 * before it (w·s, β − μ·s with s = γ/√(σ² + ε)), and every convolution whose input is smaller than
 * its kernel (the 3×3 convolutions of stages 3–4 on 2×2 and 1×1 maps) turned into one dense matrix
 * product.
 *
 * <p>Why: on 32×32 inputs the maps are tiny, so a pass is dominated by per-operator overhead and by
 * im2col convolutions that multiply mostly padding — at 2×2 a 3×3 kernel has 4 of 9 taps inside the
 * map, at 1×1 one. Measured on the 2-core machine, one PyTorch thread, stages 1–3: 9.3 → 5.8 ms for
 * one image, 13.5 → 11.7 ms for four. Results equal the layer-by-layer network up to float rounding
 * ({@code DjlTeacherTest}).
 *
 * <p>The copy is built from the parameters at the time of {@link #of}; a teacher that trains drops
 * it first ({@link DjlTeacher#thaw}). Its arrays are read-only afterwards, so passes may run on
 * several threads at once.
 */
final class FrozenResNet18 {
  /** One inference step. */
  interface Layer {
    NDArray apply(NDArray x);
  }

  /** The layers of each top-level part: stem, stage 1..4 (the head is {@link FrozenHead}). */
  private final List<List<Layer>> parts;

  private FrozenResNet18(List<List<Layer>> parts) {
    this.parts = parts;
  }

  /**
   * Runs parts [from, to), to ≤ 5 (the head is {@link FrozenHead}), on {@code x} (arrays it creates
   * belong to x's manager).
   */
  NDArray run(int from, int to, NDArray x) {
    for (int p = from; p < to; p++) {
      for (Layer layer : parts.get(p)) {
        x = layer.apply(x);
      }
    }
    return x;
  }

  /**
   * Freezes the network {@link ResNet18#parts} built, for inputs of side × side. Folded arrays
   * belong to {@code manager}.
   */
  static FrozenResNet18 of(List<Block> network, int side, NDManager manager) {
    Builder b = new Builder(manager, side);
    List<List<Layer>> parts = new ArrayList<>();
    List<Block> stem = children(network.get(0));
    parts.add(
        List.of(b.conv(stem.get(0), stem.get(1), 2, 3), Activation::relu, b.maxPoolAfterRelu()));
    for (int s = 1; s <= 4; s++) {
      List<Layer> stage = new ArrayList<>();
      for (Block basic : children(network.get(s))) {
        stage.add(b.basicBlock(basic));
      }
      parts.add(stage);
    }
    return new FrozenResNet18(parts);
  }

  static List<Block> children(Block block) {
    return block.getChildren().values();
  }

  /**
   * The blocks of one ResNet BasicBlock: ParallelBlock(main = conv BN ReLU conv BN, shortcut =
   * identity | conv1×1 BN), then ReLU. A shortcut with a convolution halves the map: it and the
   * first convolution have stride 2.
   */
  record BasicBlockLayout(
      Block conv1, Block bn1, Block conv2, Block bn2, Block downConv, Block downBn, int stride) {
    static BasicBlockLayout of(Block basic) {
      List<Block> branches = children(children(basic).get(0));
      List<Block> main = children(branches.get(0));
      List<Block> shortcut = children(branches.get(1));
      boolean projects = !shortcut.isEmpty();
      return new BasicBlockLayout(
          main.get(0),
          main.get(1),
          main.get(3),
          main.get(4),
          projects ? shortcut.get(0) : null,
          projects ? shortcut.get(1) : null,
          projects ? 2 : 1);
    }

    boolean projects() {
      return downConv != null;
    }
  }

  /**
   * A convolution (no bias) with the BatchNorm after it folded in: weights (out × in × k × k,
   * PyTorch's order) scaled by s = γ/√(σ² + ε) per output channel, bias β − μ·s.
   */
  record Folded(float[] weights, float[] bias, int out, int in, int k) {}

  static Folded fold(Block conv, Block batchNorm) {
    NDArray w = conv.getParameters().get("weight").getArray();
    var bn = batchNorm.getParameters();
    NDArray gamma = bn.get("gamma").getArray();
    NDArray beta = bn.get("beta").getArray();
    NDArray mean = bn.get("runningMean").getArray();
    NDArray var = bn.get("runningVar").getArray();
    float[] scale = gamma.div(var.add(ResNet18.BN_EPSILON).sqrt()).toFloatArray();
    float[] shift = beta.toFloatArray();
    float[] mu = mean.toFloatArray();
    long[] shape = w.getShape().getShape();
    int out = (int) shape[0];
    int in = (int) shape[1];
    int k = (int) shape[2];
    float[] weights = w.toFloatArray();
    int perFilter = in * k * k;
    float[] bias = new float[out];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < perFilter; i++) {
        weights[o * perFilter + i] *= scale[o];
      }
      bias[o] = shift[o] - mu[o] * scale[o];
    }
    return new Folded(weights, bias, out, in, k);
  }

  /** Walks the layout, tracking the map size each layer sees. */
  private static final class Builder {
    private final NDManager manager;
    private long height;
    private long width;

    Builder(NDManager manager, int side) {
      this.manager = manager;
      this.height = side;
      this.width = side;
    }

    /** A {@link BasicBlockLayout}: main branch, shortcut, then ReLU. */
    Layer basicBlock(Block basic) {
      BasicBlockLayout l = BasicBlockLayout.of(basic);
      long inHeight = height;
      long inWidth = width;
      Layer first = conv(l.conv1(), l.bn1(), l.stride(), 1);
      Layer second = conv(l.conv2(), l.bn2(), 1, 1);
      Layer down = null;
      if (l.projects()) {
        long outHeight = height;
        long outWidth = width;
        height = inHeight;
        width = inWidth;
        down = conv(l.downConv(), l.downBn(), l.stride(), 0);
        height = outHeight;
        width = outWidth;
      }
      Layer projection = down;
      return x -> {
        NDArray y = second.apply(Activation.relu(first.apply(x)));
        NDArray skip = projection == null ? x : projection.apply(x);
        return Activation.relu(y.addi(skip));
      };
    }

    /** Convolution (no bias) followed by BatchNorm, folded; dense when the map is tiny. */
    Layer conv(Block conv, Block batchNorm, int stride, int padding) {
      Folded f = fold(conv, batchNorm);
      int out = f.out();
      int in = f.in();
      int k = f.k();
      float[] weights = f.weights();
      float[] bias = f.bias();
      Shape shape = new Shape(out, in, k, k);
      long inH = height;
      long inW = width;
      height = (inH + 2L * padding - k) / stride + 1;
      width = (inW + 2L * padding - k) / stride + 1;
      if (inH * inW < (long) k * k) {
        return dense(weights, bias, out, in, k, stride, padding, (int) inH, (int) inW);
      }
      NDArray weight = manager.create(weights, shape);
      NDArray b = manager.create(bias);
      Shape strides = new Shape(stride, stride);
      Shape pads = new Shape(padding, padding);
      Shape dilation = new Shape(1, 1);
      return x -> Conv2d.conv2d(x, weight, b, strides, pads, dilation, 1).singletonOrThrow();
    }

    /**
     * The convolution as the matrix it is on an inH × inW map: output (o, y, x) sums weight (o, i,
     * ky, kx) · input (i, y·s − p + ky, x·s − p + kx) over the taps inside the map. Stored
     * transposed ([input][output]) so a batch is one (B × in) · (in × out) product.
     */
    private Layer dense(
        float[] weights, float[] bias, int out, int in, int k, int s, int p, int inH, int inW) {
      int outH = (int) height;
      int outW = (int) width;
      int inSize = in * inH * inW;
      int outSize = out * outH * outW;
      float[] matrix = new float[inSize * outSize];
      float[] denseBias = new float[outSize];
      for (int o = 0; o < out; o++) {
        for (int y = 0; y < outH; y++) {
          for (int x = 0; x < outW; x++) {
            int column = (o * outH + y) * outW + x;
            denseBias[column] = bias[o];
            for (int i = 0; i < in; i++) {
              for (int ky = 0; ky < k; ky++) {
                int iy = y * s - p + ky;
                for (int kx = 0; kx < k; kx++) {
                  int ix = x * s - p + kx;
                  if (iy >= 0 && ix >= 0 && iy < inH && ix < inW) {
                    int row = (i * inH + iy) * inW + ix;
                    matrix[row * outSize + column] += weights[((o * in + i) * k + ky) * k + kx];
                  }
                }
              }
            }
          }
        }
      }
      NDArray m = manager.create(matrix, new Shape(inSize, outSize));
      NDArray b = manager.create(denseBias);
      Shape outShape = new Shape(out, outH, outW);
      return x -> {
        long n = x.getShape().get(0);
        return x.reshape(n, inSize)
            .dot(m)
            .addi(b)
            .reshape(n, outShape.get(0), outShape.get(1), outShape.get(2));
      };
    }

    /**
     * The stem's 3×3/2 max-pool with padding 1, as two separable passes of strided maxima. Its
     * input follows a ReLU, so zero padding pools exactly as −∞ padding does. Why: PyTorch's
     * max_pool2d took 1.1 ms for four 64 × 16 × 16 maps here (a tenth of a pass); this takes 0.33.
     */
    Layer maxPoolAfterRelu() {
      long inH = height;
      long inW = width;
      height = (inH - 1) / 2 + 1;
      width = (inW - 1) / 2 + 1;
      long padBottom = Math.max(0, 2 * height - inH);
      long padRight = Math.max(0, 2 * width - inW);
      // DJL's pad takes PyTorch's order: last axis first, (before, after) pairs.
      Shape pad = new Shape(1, padRight, 1, padBottom);
      NDIndex[] rows = strided(height, ":, :, %d:%d:2, :");
      NDIndex[] columns = strided(width, ":, :, :, %d:%d:2");
      return x -> {
        NDArray p = x.pad(pad, 0f);
        NDArray r = p.get(rows[0]).maximum(p.get(rows[1])).maximum(p.get(rows[2]));
        return r.get(columns[0]).maximum(r.get(columns[1])).maximum(r.get(columns[2]));
      };
    }

    /** Offsets 0, 1, 2 of a window of 3 with stride 2, n outputs, along one axis. */
    private static NDIndex[] strided(long n, String pattern) {
      NDIndex[] index = new NDIndex[3];
      for (int offset = 0; offset < 3; offset++) {
        index[offset] = new NDIndex(String.format(pattern, offset, offset + 2 * n - 1));
      }
      return index;
    }
  }
}
