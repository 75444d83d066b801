package org.convexdistill.teacher;

import ai.djl.nn.Block;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The frozen teacher's stem and stages in plain Java: channels-last maps, BatchNorm folded, every
 * convolution an implicit matrix product in {@link ConvKernel} (the JDK's Vector API). Equal to
 * {@link FrozenResNet18} up to float rounding ({@code VectorResNet18Test}).
 *
 * <p>Why: on 32×32 inputs PyTorch's convolutions run at 8–10 GMAC/s per core here (small maps,
 * small batches, per-operator overhead), and stages 1–3 were ~90 % of a served request; the kernel
 * runs at ~50. Passes run on the calling thread only, so serving's batch workers and the ingest
 * stage's teacher thread each use one core, without a native thread pool to size.
 *
 * <p>Maps with at most four positions (stages 3 and 4 at 2×2 and 1×1) are stored position-major
 * (the rows of one position for every image together) and each output position is computed from its
 * own taps inside the map only: at 2×2 a 3×3 kernel has 4 of 9 taps inside, at 1×1 one, so
 * computing the padding would more than double the work there. Larger maps are image-major and read
 * padding taps from a row of zeros (the kernel skips a tap absent for four rows together).
 *
 * <p>Immutable after {@link #of}; passes may run on several threads at once.
 */
final class VectorResNet18 {
  private static final String MODULE = "jdk.incubator.vector";

  /** Maps with at most this many positions are position-major; see the class comment. */
  private static final int TINY = 4;

  /** One inference step. */
  private interface Layer {
    Maps apply(Maps x);
  }

  /** The layers of each top-level part: stem, stage 1..4 (the head stays in FrozenResNet18). */
  private final List<List<Layer>> parts;

  private VectorResNet18(List<List<Layer>> parts) {
    this.parts = parts;
  }

  /**
   * Whether this JVM can run it: the Vector API is an incubator module, resolved only when the JVM
   * is started with {@code --add-modules jdk.incubator.vector} (the launcher, the tests and the
   * container image do).
   */
  static boolean available() {
    return ModuleLayer.boot().findModule(MODULE).isPresent();
  }

  /**
   * Runs parts [from, to), to ≤ 5, on n samples of {@code channels × height × width} values (NCHW,
   * starting at {@code offset}); returns the output as NCHW.
   */
  float[] run(
      int from, int to, float[] input, int offset, int n, int channels, int height, int width) {
    Scratch.get().reset();
    Maps x = Maps.fromNchw(input, offset, n, channels, height, width);
    for (int p = from; p < to; p++) {
      for (Layer layer : parts.get(p)) {
        x = layer.apply(x);
      }
    }
    return x.toNchw();
  }

  /** Freezes the network {@link ResNet18#parts} built, for inputs of side × side. */
  static VectorResNet18 of(List<Block> network, int side) {
    Builder b = new Builder(side);
    List<List<Layer>> parts = new ArrayList<>();
    List<Block> stem = children(network.get(0));
    Conv stemConv = b.conv(stem.get(0), stem.get(1), 2, 3, true);
    parts.add(List.of(stemConv, b.maxPoolAfterRelu()));
    for (int s = 1; s <= 4; s++) {
      List<Layer> stage = new ArrayList<>();
      for (Block basic : children(network.get(s))) {
        stage.add(b.basicBlock(basic));
      }
      parts.add(stage);
    }
    return new VectorResNet18(parts);
  }

  private static List<Block> children(Block block) {
    return FrozenResNet18.children(block);
  }

  /**
   * The calling thread's buffers for the maps and offset tables of one pass, reused by the next
   * pass on the thread: a pass allocated ~220 KB per image, which was 60–70 % of everything a
   * serving node allocated under load and set how often its young GC paused every request. Slot k
   * serves the k-th request of every pass (the same layer each time), grows to the largest batch
   * seen and stays; {@link #run} resets the cursors. Nothing a pass returns lives here.
   */
  private static final class Scratch {
    private static final ThreadLocal<Scratch> OF_THREAD = ThreadLocal.withInitial(Scratch::new);

    private final List<float[]> floats = new ArrayList<>();
    private final List<int[]> ints = new ArrayList<>();
    private int nextFloats;
    private int nextInts;

    static Scratch get() {
      return OF_THREAD.get();
    }

    void reset() {
      nextFloats = 0;
      nextInts = 0;
    }

    /** At least {@code size} floats, contents undefined. */
    float[] floats(int size) {
      if (nextFloats == floats.size()) {
        floats.add(new float[size]);
      } else if (floats.get(nextFloats).length < size) {
        floats.set(nextFloats, new float[size]);
      }
      return floats.get(nextFloats++);
    }

    /** At least {@code size} ints, contents undefined. */
    int[] ints(int size) {
      if (nextInts == ints.size()) {
        ints.add(new int[size]);
      } else if (ints.get(nextInts).length < size) {
        ints.set(nextInts, new int[size]);
      }
      return ints.get(nextInts++);
    }
  }

  /**
   * A batch of maps, channels last: row (image b, position p) holds {@code channels} values; one
   * row of zeros follows the last, for padding taps. The data is a {@link Scratch} buffer, possibly
   * longer than that.
   */
  private static final class Maps {
    final float[] data;
    final int n;
    final int height;
    final int width;
    final int channels;
    final boolean positionMajor;

    /**
     * Maps whose rows the caller writes in full ({@code zeroed} false) or accumulates into (true);
     * the row of zeros is zero either way.
     */
    Maps(int n, int height, int width, int channels, boolean zeroed) {
      this.n = n;
      this.height = height;
      this.width = width;
      this.channels = channels;
      this.positionMajor = height * width <= TINY;
      int size = (n * height * width + 1) * channels;
      this.data = Scratch.get().floats(size);
      Arrays.fill(data, zeroed ? 0 : zeros(), size, 0f);
    }

    int rows() {
      return n * height * width;
    }

    /** Index of the row of image b at position p (y·width + x). */
    int row(int b, int p) {
      return positionMajor ? p * n + b : b * height * width + p;
    }

    /** Where the row of zeros starts. */
    int zeros() {
      return rows() * channels;
    }

    static Maps fromNchw(float[] src, int offset, int n, int channels, int height, int width) {
      Maps m = new Maps(n, height, width, channels, false);
      int positions = height * width;
      for (int b = 0; b < n; b++) {
        for (int c = 0; c < channels; c++) {
          int from = offset + (b * channels + c) * positions;
          for (int p = 0; p < positions; p++) {
            m.data[m.row(b, p) * channels + c] = src[from + p];
          }
        }
      }
      return m;
    }

    float[] toNchw() {
      int positions = height * width;
      float[] out = new float[n * channels * positions];
      for (int b = 0; b < n; b++) {
        for (int p = 0; p < positions; p++) {
          int from = row(b, p) * channels;
          for (int c = 0; c < channels; c++) {
            out[(b * channels + c) * positions + p] = data[from + c];
          }
        }
      }
      return out;
    }

    void relu() {
      int end = zeros();
      for (int i = 0; i < end; i++) {
        data[i] = Math.max(data[i], 0f);
      }
    }

    /** this = max(this + other, 0), other of the same shape and layout. */
    void addRelu(Maps other) {
      int end = zeros();
      for (int i = 0; i < end; i++) {
        data[i] = Math.max(data[i] + other.data[i], 0f);
      }
    }
  }

  /** A convolution with BatchNorm folded, then (optionally) ReLU. */
  private static final class Conv implements Layer {
    private final float[] weights; // [tap][in][out]
    private final float[] bias;
    private final int in;
    private final int out;
    private final int k;
    private final int outH;
    private final int outW;
    private final boolean relu;

    /** Per output position p and tap t, the input position it reads, or -1 outside the map. */
    private final int[] sources;

    /** Per tap, where its in × out weight slice starts. */
    private final int[] tapWeights;

    /** Per output position, the taps inside the map and their weight slices' starts. */
    private final int[][] validTaps;

    private final int[][] validTapWeights;

    private static final int[] ONE_TAP = {0};

    Conv(FrozenResNet18.Folded f, int stride, int pad, int inH, int inW, boolean relu) {
      this.in = f.in();
      this.out = f.out();
      this.k = f.k();
      this.outH = (inH + 2 * pad - k) / stride + 1;
      this.outW = (inW + 2 * pad - k) / stride + 1;
      this.relu = relu;
      this.bias = f.bias();
      int taps = k * k;
      this.weights = new float[taps * in * out];
      for (int o = 0; o < out; o++) {
        for (int i = 0; i < in; i++) {
          for (int t = 0; t < taps; t++) {
            weights[(t * in + i) * out + o] = f.weights()[(o * in + i) * taps + t];
          }
        }
      }
      this.tapWeights = new int[taps];
      for (int t = 0; t < taps; t++) {
        tapWeights[t] = t * in * out;
      }
      // The map geometry is fixed per layer: where each tap reads is worked out once here, not
      // for every image of every pass.
      int positions = outH * outW;
      this.sources = new int[positions * taps];
      this.validTaps = new int[positions][];
      this.validTapWeights = new int[positions][];
      for (int p = 0; p < positions; p++) {
        int valid = 0;
        for (int t = 0; t < taps; t++) {
          int iy = (p / outW) * stride - pad + t / k;
          int ix = (p % outW) * stride - pad + t % k;
          boolean inside = iy >= 0 && ix >= 0 && iy < inH && ix < inW;
          sources[p * taps + t] = inside ? iy * inW + ix : -1;
          valid += inside ? 1 : 0;
        }
        validTaps[p] = new int[valid];
        validTapWeights[p] = new int[valid];
        for (int t = 0, v = 0; t < taps; t++) {
          if (sources[p * taps + t] >= 0) {
            validTaps[p][v] = t;
            validTapWeights[p][v++] = tapWeights[t];
          }
        }
      }
    }

    @Override
    public Maps apply(Maps x) {
      int n = x.n;
      Maps y = new Maps(n, outH, outW, out, false);
      int rows = y.rows();
      for (int r = 0; r < rows; r++) {
        System.arraycopy(bias, 0, y.data, r * out, out);
      }
      int taps = k * k;
      int positions = outH * outW;
      if (in < 8) {
        patches(x, y, taps, positions);
      } else if (!y.positionMajor) {
        int[] offsets = Scratch.get().ints(rows * taps);
        for (int b = 0; b < n; b++) {
          for (int p = 0; p < positions; p++) {
            int base = y.row(b, p) * taps;
            for (int t = 0; t < taps; t++) {
              int q = sources[p * taps + t];
              offsets[base + t] = q < 0 ? x.zeros() : x.row(b, q) * in;
            }
          }
        }
        ConvKernel.accumulate(
            x.data, offsets, x.zeros(), rows, taps, in, weights, tapWeights, out, y.data, 0);
      } else {
        // One pass per output position over the images, with that position's own taps only.
        int[] offsets = Scratch.get().ints(n * taps);
        for (int p = 0; p < positions; p++) {
          int[] valid = validTaps[p];
          for (int b = 0; b < n; b++) {
            for (int v = 0; v < valid.length; v++) {
              offsets[b * valid.length + v] = x.row(b, sources[p * taps + valid[v]]) * in;
            }
          }
          ConvKernel.accumulate(
              x.data,
              offsets,
              -1,
              n,
              valid.length,
              in,
              weights,
              validTapWeights[p],
              out,
              y.data,
              y.row(0, p) * out);
        }
      }
      if (relu) {
        y.relu();
      }
      return y;
    }

    /**
     * Few input channels (the stem's one): gathers each output position's patch into one row, so
     * the kernel's inner loop runs over taps × channels instead of one channel per tap.
     */
    private void patches(Maps x, Maps y, int taps, int positions) {
      int width = taps * in;
      int rows = y.rows();
      float[] cols = Scratch.get().floats(rows * width);
      Arrays.fill(cols, 0, rows * width, 0f); // taps outside the map read zeros
      int[] offsets = Scratch.get().ints(rows);
      for (int b = 0; b < x.n; b++) {
        for (int p = 0; p < positions; p++) {
          int r = y.row(b, p);
          offsets[r] = r * width;
          for (int t = 0; t < taps; t++) {
            int q = sources[p * taps + t];
            if (q < 0) {
              continue; // outside the map: the patch keeps zeros
            }
            int from = x.row(b, q) * in;
            int to = r * width + t * in;
            for (int c = 0; c < in; c++) {
              cols[to + c] = x.data[from + c];
            }
          }
        }
      }
      ConvKernel.accumulate(cols, offsets, -1, rows, 1, width, weights, ONE_TAP, out, y.data, 0);
    }
  }

  /** Walks the layout, tracking the map size each layer sees. */
  private static final class Builder {
    private int height;
    private int width;

    Builder(int side) {
      this.height = side;
      this.width = side;
    }

    Conv conv(Block conv, Block batchNorm, int stride, int padding, boolean relu) {
      Conv c = new Conv(FrozenResNet18.fold(conv, batchNorm), stride, padding, height, width, relu);
      height = c.outH;
      width = c.outW;
      return c;
    }

    /** A {@link FrozenResNet18.BasicBlockLayout}: main branch, shortcut, then ReLU. */
    Layer basicBlock(Block basic) {
      FrozenResNet18.BasicBlockLayout l = FrozenResNet18.BasicBlockLayout.of(basic);
      int inHeight = height;
      int inWidth = width;
      Conv first = conv(l.conv1(), l.bn1(), l.stride(), 1, true);
      Conv second = conv(l.conv2(), l.bn2(), 1, 1, false);
      Conv down = null;
      if (l.projects()) {
        int outHeight = height;
        int outWidth = width;
        height = inHeight;
        width = inWidth;
        down = conv(l.downConv(), l.downBn(), l.stride(), 0, false);
        height = outHeight;
        width = outWidth;
      }
      Conv projection = down;
      return x -> {
        Maps y = second.apply(first.apply(x));
        y.addRelu(projection == null ? x : projection.apply(x));
        return y;
      };
    }

    /**
     * The stem's 3×3/2 max-pool with padding 1. Its input follows a ReLU, so zero padding pools
     * exactly as −∞ padding does.
     */
    Layer maxPoolAfterRelu() {
      int inH = height;
      int inW = width;
      height = (inH - 1) / 2 + 1;
      width = (inW - 1) / 2 + 1;
      int outH = height;
      int outW = width;
      return x -> {
        int c = x.channels;
        Maps y = new Maps(x.n, outH, outW, c, true); // max with zeros: the input is ≥ 0
        for (int b = 0; b < x.n; b++) {
          for (int oy = 0; oy < outH; oy++) {
            for (int ox = 0; ox < outW; ox++) {
              int to = y.row(b, oy * outW + ox) * c;
              for (int iy = Math.max(0, 2 * oy - 1); iy <= Math.min(inH - 1, 2 * oy + 1); iy++) {
                for (int ix = Math.max(0, 2 * ox - 1); ix <= Math.min(inW - 1, 2 * ox + 1); ix++) {
                  int from = x.row(b, iy * inW + ix) * c;
                  for (int ch = 0; ch < c; ch++) {
                    y.data[to + ch] = Math.max(y.data[to + ch], x.data[from + ch]);
                  }
                }
              }
            }
          }
        }
        return y;
      };
    }
  }
}
