package org.convexdistill.teacher;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.convexdistill.core.data.Preprocessing;
import org.convexdistill.core.teacher.Hybrid;
import org.convexdistill.core.teacher.Teacher;
import org.convexdistill.core.teacher.TensorShape;

/**
 * The ResNet-18 teacher on DJL's PyTorch engine (CPU). Inference runs in batches of at most {@link
 * #batchSize()} samples, on a {@link FrozenResNet18} copy (BatchNorm folded, tiny-map convolutions
 * as matrix products) except while the teacher trains.
 */
public final class DjlTeacher implements Teacher {
  /** File name stem of the saved parameters ({@code resnet18-0000.params}). */
  public static final String MODEL_NAME = "resnet18";

  /**
   * System property choosing what runs the frozen teacher's convolutions: {@code java} (default,
   * {@link VectorResNet18}, when the JVM has {@code --add-modules jdk.incubator.vector}) or {@code
   * pytorch} ({@link FrozenResNet18} on DJL's engine).
   */
  public static final String KERNEL_PROPERTY = "distill.teacher.kernel";

  private static final int STEM = 0;
  private static final int HEAD = 5;

  private final Model model;
  private final List<Block> parts;
  private final SequentialBlock network;
  private final int numClasses;
  private final TensorShape[] shapes;
  private final int batchSize;

  /**
   * An inference copy: the plain-Java head and one copy of the stem and stages, in plain Java
   * ({@link VectorResNet18}, when {@link #javaKernel}) or on PyTorch's convolutions ({@link
   * FrozenResNet18}); the other is null.
   */
  private record Frozen(FrozenHead head, VectorResNet18 java, FrozenResNet18 torch) {
    static Frozen of(List<Block> parts, NDManager arrays) {
      boolean java = javaKernel();
      return new Frozen(
          FrozenHead.of(parts),
          java ? VectorResNet18.of(parts, Preprocessing.SIDE) : null,
          java ? null : FrozenResNet18.of(parts, Preprocessing.SIDE, arrays));
    }
  }

  /** The inference copy; null while training (then passes run the blocks themselves). */
  private volatile Frozen frozen;

  private NDManager frozenArrays;

  private DjlTeacher(
      Model model, List<Block> parts, SequentialBlock network, int numClasses, int batchSize) {
    this.model = model;
    this.parts = parts;
    this.network = network;
    this.numClasses = numClasses;
    this.batchSize = batchSize;
    this.shapes = new TensorShape[HEAD + 1];
    Shape shape = new Shape(1, 1, Preprocessing.SIDE, Preprocessing.SIDE);
    shapes[0] = toTensorShape(shape);
    for (int p = STEM; p < HEAD; p++) {
      shape = parts.get(p).getOutputShapes(new Shape[] {shape})[0];
      shapes[p + 1] = toTensorShape(shape);
    }
    freeze();
  }

  /**
   * Builds the inference copy from the current parameters. The trainer calls it when it is done;
   * {@link #load} and {@link #create} have already.
   */
  synchronized void freeze() {
    thaw();
    frozenArrays = model.getNDManager().newSubManager();
    frozen = Frozen.of(parts, frozenArrays);
  }

  /** Whether inference runs on {@link VectorResNet18}; see {@link #KERNEL_PROPERTY}. */
  public static boolean javaKernel() {
    return !"pytorch".equals(System.getProperty(KERNEL_PROPERTY, "java"))
        && VectorResNet18.available();
  }

  /** Drops the inference copy before the parameters change (training). */
  synchronized void thaw() {
    frozen = null;
    if (frozenArrays != null) {
      frozenArrays.close();
      frozenArrays = null;
    }
  }

  private static TensorShape toTensorShape(Shape s) {
    return new TensorShape((int) s.get(1), (int) s.get(2), (int) s.get(3));
  }

  /**
   * PyTorch's intra-op threads from now on (the engine must be loaded, i.e. a teacher created or
   * loaded). Returns the previous value. Lets a run train with every core and then run inference
   * with the few threads its configuration gave PyTorch.
   */
  public static int setIntraOpThreads(int threads) {
    int before = ai.djl.pytorch.jni.JniUtils.getNumThreads();
    ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
    return before;
  }

  /** A new, randomly initialised teacher (seeded), ready to train. */
  public static DjlTeacher create(int numClasses, long seed, int batchSize) {
    Engine.getInstance().setRandomSeed((int) seed);
    List<Block> parts = ResNet18.parts(numClasses);
    SequentialBlock net = ResNet18.network(parts);
    Model model = Model.newInstance(MODEL_NAME, "PyTorch");
    model.setBlock(net);
    net.initialize(model.getNDManager(), DataType.FLOAT32, inputBatchShape(1));
    return new DjlTeacher(model, parts, net, numClasses, batchSize);
  }

  /**
   * Loads a teacher saved by {@link #save}.
   *
   * @throws TeacherException when the parameters are missing or do not fit the network
   */
  public static DjlTeacher load(Path dir, int numClasses, int batchSize) throws TeacherException {
    Path params = dir.resolve(MODEL_NAME + "-0000.params");
    if (!Files.isRegularFile(params)) {
      throw new TeacherException(
          "no teacher in "
              + dir
              + " (missing "
              + params.getFileName()
              + "); train one with 'distill teacher train --out "
              + dir
              + "'");
    }
    List<Block> parts = ResNet18.parts(numClasses);
    SequentialBlock net = ResNet18.network(parts);
    Model model = Model.newInstance(MODEL_NAME, "PyTorch");
    model.setBlock(net);
    net.initialize(model.getNDManager(), DataType.FLOAT32, inputBatchShape(1));
    try {
      model.load(dir, MODEL_NAME);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new TeacherException(
          "cannot load the teacher from " + params + ": " + e.getMessage(), e);
    }
    return new DjlTeacher(model, parts, net, numClasses, batchSize);
  }

  /** Writes the parameters to {@code dir}. */
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    model.setProperty("Epoch", "0");
    model.save(dir, MODEL_NAME);
  }

  static Shape inputBatchShape(int n) {
    return new Shape(n, 1, Preprocessing.SIDE, Preprocessing.SIDE);
  }

  Model model() {
    return model;
  }

  SequentialBlock network() {
    return network;
  }

  /** Inference batch size. */
  public int batchSize() {
    return batchSize;
  }

  @Override
  public int numBlocks() {
    return 4;
  }

  @Override
  public int numClasses() {
    return numClasses;
  }

  @Override
  public TensorShape inputShape() {
    return shapes[0];
  }

  @Override
  public TensorShape blockInputShape(int k) {
    checkBlock(k);
    return shapes[k];
  }

  @Override
  public TensorShape blockOutputShape(int k) {
    checkBlock(k);
    return shapes[k + 1];
  }

  @Override
  public long blockParameters(int k) {
    checkBlock(k);
    return ResNet18.trainableParameters(parts.get(k));
  }

  @Override
  public long totalParameters() {
    return ResNet18.trainableParameters(network);
  }

  @Override
  public float[] prefix(int k, float[] images, int n) {
    checkBlock(k);
    return run(STEM, k, images, n, shapes[0], shapes[k].size());
  }

  @Override
  public float[] block(int k, float[] z, int n) {
    checkBlock(k);
    return run(k, k + 1, z, n, shapes[k], shapes[k + 1].size());
  }

  @Override
  public float[] suffix(int k, float[] y, int n) {
    checkBlock(k);
    return run(k + 1, HEAD + 1, y, n, shapes[k + 1], numClasses);
  }

  @Override
  public float[] logits(float[] images, int n) {
    return run(STEM, HEAD + 1, images, n, shapes[0], numClasses);
  }

  private void checkBlock(int k) {
    if (k < 1 || k > 4) {
      throw new IllegalArgumentException("block must be 1..4, got " + k);
    }
  }

  /**
   * Runs parts [from, to) on n samples of shape {@code in}, in batches. Safe to call from several
   * threads at once (serving's batch workers do): inference reads the parameters only (BatchNorm
   * uses its running statistics, no update), each call has its own sub-manager and parameter store,
   * and PyTorch's operators are thread-safe; DJL's Predictor adds nothing for this engine.
   */
  private float[] run(int from, int to, float[] input, int n, TensorShape in, int outSize) {
    int inSize = in.size();
    if (input.length < (long) n * inSize) {
      throw new IllegalArgumentException(
          "input has "
              + input.length
              + " values, "
              + n
              + " samples of "
              + in
              + " need "
              + (long) n * inSize);
    }
    return runOn(frozen, from, to, input, n, in, outSize);
  }

  private float[] runOn(
      Frozen copy, int from, int to, float[] input, int n, TensorShape in, int outSize) {
    int inSize = in.size();
    if (copy != null && to == HEAD + 1) {
      // Every pass that ends in the head ends in the same plain-Java head, so a split pass
      // (prefix, block, suffix) gives the full pass's logits bit for bit.
      TensorShape maps = shapes[HEAD];
      float[] y = from == HEAD ? input : runOn(copy, from, HEAD, input, n, in, maps.size());
      return copy.head().apply(y, n, maps.channels(), maps.height() * maps.width());
    }
    float[] out = new float[n * outSize];
    for (int start = 0; start < n; start += batchSize) {
      int b = Math.min(batchSize, n - start);
      if (copy != null && copy.java() != null) {
        float[] y =
            copy.java()
                .run(from, to, input, start * inSize, b, in.channels(), in.height(), in.width());
        System.arraycopy(y, 0, out, start * outSize, b * outSize);
        continue;
      }
      try (NDManager m = model.getNDManager().newSubManager()) {
        NDArray x =
            m.create(
                Arrays.copyOfRange(input, start * inSize, (start + b) * inSize),
                new Shape(b, in.channels(), in.height(), in.width()));
        NDArray y;
        if (copy != null) {
          y = copy.torch().run(from, to, x);
        } else {
          NDList list = new NDList(x);
          ParameterStore ps = new ParameterStore(m, false);
          for (int p = from; p < to; p++) {
            list = parts.get(p).forward(ps, list, false);
          }
          y = list.singletonOrThrow();
        }
        float[] result = y.toFloatArray();
        System.arraycopy(result, 0, out, start * outSize, b * outSize);
      }
    }
    return out;
  }

  /**
   * Block k under magnitude pruning (the paper's pruning baseline): of its convolution kernels'
   * weights, the {@code keep} largest in magnitude stay, every other is set to zero (exactly {@code
   * keep} survive: ties are broken by position); BatchNorm stays as trained. The pruned copy is an
   * inference copy of its own (BatchNorm folded after pruning, so a pruned weight stays zero); the
   * teacher's own weights are restored before this returns. It lives as long as the teacher.
   *
   * @throws IllegalArgumentException when {@code keep} is negative or above the block's kernel
   *     weights
   */
  public synchronized PrunedBlock prunedBlock(int k, long keep) {
    checkBlock(k);
    List<NDArray> kernels = kernels(k);
    long total = kernelWeights(k);
    if (keep < 0 || keep > total) {
      throw new IllegalArgumentException(
          "block " + k + " has " + total + " kernel weights; cannot keep " + keep);
    }
    float[][] original = new float[kernels.size()][];
    float[] magnitudes = new float[(int) total];
    for (int i = 0, at = 0; i < kernels.size(); i++) {
      original[i] = kernels.get(i).toFloatArray();
      for (float v : original[i]) {
        magnitudes[at++] = Math.abs(v);
      }
    }
    float[] sorted = magnitudes.clone();
    Arrays.sort(sorted);
    // Keep everything above the threshold, then the first ties at it until exactly keep survive.
    float threshold = keep == 0 ? Float.POSITIVE_INFINITY : sorted[(int) (total - keep)];
    long above = 0;
    for (float m : magnitudes) {
      above += m > threshold ? 1 : 0;
    }
    long ties = keep - above;
    thaw();
    NDManager arrays = model.getNDManager().newSubManager();
    Frozen pruned;
    long nonZero = 0;
    try {
      for (int i = 0; i < kernels.size(); i++) {
        float[] w = original[i].clone();
        for (int j = 0; j < w.length; j++) {
          float m = Math.abs(w[j]);
          if (m < threshold || (m == threshold && ties-- <= 0)) {
            w[j] = 0f;
          }
          nonZero += w[j] != 0f ? 1 : 0;
        }
        kernels.get(i).set(w);
      }
      pruned = Frozen.of(parts, arrays);
    } finally {
      for (int i = 0; i < kernels.size(); i++) {
        kernels.get(i).set(original[i]);
      }
      freeze();
    }
    return new PrunedBlock(k, nonZero, total, pruned);
  }

  /** Convolution kernel weights of block k (what pruning counts; BatchNorm not included). */
  public long kernelWeights(int k) {
    checkBlock(k);
    return kernels(k).stream().mapToLong(a -> a.getShape().size()).sum();
  }

  private List<NDArray> kernels(int k) {
    List<NDArray> kernels = new java.util.ArrayList<>();
    for (var pair : parts.get(k).getParameters()) {
      NDArray a = pair.getValue().getArray();
      if (pair.getValue().getType() == ai.djl.nn.Parameter.Type.WEIGHT
          && a.getShape().dimension() == 4) {
        kernels.add(a);
      }
    }
    return kernels;
  }

  /** A magnitude-pruned copy of one block; {@link #apply} runs it (thread-safe, as the teacher). */
  public final class PrunedBlock implements Hybrid.Replacement {
    private final int block;
    private final long nonZeroWeights;
    private final long kernelWeights;
    private final Frozen copy;

    private PrunedBlock(int block, long nonZeroWeights, long kernelWeights, Frozen copy) {
      this.block = block;
      this.nonZeroWeights = nonZeroWeights;
      this.kernelWeights = kernelWeights;
      this.copy = copy;
    }

    /** The block's output for its inputs z: n × blockOutputShape(k).size(). */
    @Override
    public float[] apply(float[] z, int n) {
      return runOn(copy, block, block + 1, z, n, shapes[block], shapes[block + 1].size());
    }

    /** Kernel weights left non-zero (counted in the pruned kernels). */
    public long nonZeroWeights() {
      return nonZeroWeights;
    }

    /** Kernel weights of the block before pruning. */
    public long kernelWeights() {
      return kernelWeights;
    }

    /**
     * What the pruned block stores: its non-zero kernel weights plus its BatchNorm affine
     * parameters (the block's trainable parameters that are not kernels).
     */
    @Override
    public long parameters() {
      return nonZeroWeights + blockParameters(block) - kernelWeights;
    }
  }

  @Override
  public void close() {
    thaw();
    model.close();
  }
}
