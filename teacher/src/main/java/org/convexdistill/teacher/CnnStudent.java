package org.convexdistill.teacher;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.PairList;
import java.util.Arrays;
import java.util.Random;
import org.convexdistill.core.student.ConvStudent;
import org.convexdistill.core.teacher.Hybrid;
import org.convexdistill.core.teacher.TensorShape;

/**
 * The paper's CNN students, trained by Adam on the activation MSE against the teacher block's
 * outputs (never labels), in the PyTorch engine. CNN₁ and CNN₂ are 3×3 convolutions from the
 * block's input channels to F filters with the block's stride, CNN₃ a 1×1 convolution to the
 * block's output channels, no biases, BatchNorm after each:
 *
 * <ul>
 *   <li>{@link ConvStudent.Architecture#GATED}, eq. 8: CNN₃(BN(CNN₂ z) ⊙ 1(BN(CNN₁ z) &gt; 0)).
 *       CNN₁ only gates: no gradient reaches it, so its random weights stay as drawn (the
 *       gated-ReLU idea: fixed patterns);
 *   <li>{@link ConvStudent.Architecture#RELU}, the non-convex baseline: CNN₃(ReLU(BN(CNN₂ z))).
 * </ul>
 *
 * Runs in place of the block; {@link #toStudent()} freezes it (BatchNorm folded) into the
 * engine-free {@link ConvStudent} that releases carry and serving runs. Close it when done.
 */
public final class CnnStudent implements Hybrid.Replacement, AutoCloseable {
  private final Model model;
  private final CnnBlock block;
  private final TensorShape in;
  private final TensorShape out;
  private final int stride;

  private CnnStudent(Model model, CnnBlock block, TensorShape in, TensorShape out, int stride) {
    this.model = model;
    this.block = block;
    this.in = in;
    this.out = out;
    this.stride = stride;
  }

  /**
   * How to train.
   *
   * @param batch rows per Adam step
   */
  public record Options(
      ConvStudent.Architecture architecture,
      int filters,
      int epochs,
      int batch,
      float learningRate,
      long seed) {
    public Options {
      java.util.Objects.requireNonNull(architecture, "architecture");
      if (filters < 1 || epochs < 1 || batch < 1 || !(learningRate > 0)) {
        throw new IllegalArgumentException(
            "filters, epochs and batch must be >= 1 and the learning rate > 0");
      }
    }
  }

  /**
   * The parameter count of the paper's Table 1 "#Params(S)" for the gated student: both 3×3
   * convolutions, the 1×1 one and a BatchNorm (scale and shift) after each; {@code withGate} =
   * false leaves out CNN₁ and its BatchNorm, which only gate (and is the ReLU student's count).
   */
  public static long parameters(int inChannels, int outChannels, int filters, boolean withGate) {
    long conv3 = 9L * inChannels * filters + 2L * filters;
    long project = (long) filters * outChannels + 2L * outChannels;
    return (withGate ? 2 : 1) * conv3 + project;
  }

  /**
   * Trains on n blocks' inputs z (n × in) and outputs y (n × out), row-major.
   *
   * @param stride the block's stride (2 where it downsamples)
   */
  public static CnnStudent train(
      float[] z, float[] y, int n, TensorShape in, TensorShape out, int stride, Options o) {
    if (z.length != (long) n * in.size() || y.length != (long) n * out.size()) {
      throw new IllegalArgumentException("z must be n × " + in + " and y n × " + out);
    }
    Engine.getEngine("PyTorch").setRandomSeed((int) o.seed());
    CnnBlock block =
        new CnnBlock(
            o.architecture() == ConvStudent.Architecture.GATED,
            o.filters(),
            out.channels(),
            stride);
    Model model = Model.newInstance("cnn-student", "PyTorch");
    model.setBlock(block);
    int batch = Math.min(o.batch(), n);
    DefaultTrainingConfig config =
        new DefaultTrainingConfig(Loss.l2Loss())
            .optOptimizer(
                Optimizer.adam().optLearningRateTracker(Tracker.fixed(o.learningRate())).build());
    try (Trainer trainer = model.newTrainer(config)) {
      trainer.initialize(new Shape(batch, in.channels(), in.height(), in.width()));
      Shape got =
          block
              .getOutputShapes(new Shape[] {new Shape(1, in.channels(), in.height(), in.width())})[
              0];
      if (got.get(1) != out.channels() || got.get(2) != out.height() || got.get(3) != out.width()) {
        throw new IllegalArgumentException(
            "stride " + stride + " maps " + in + " to " + got + ", not the block's " + out);
      }
      initialiseOutputNorm(block, y, n, out);
      NDManager m = trainer.getManager();
      NDArray zs = m.create(z, new Shape(n, in.channels(), in.height(), in.width()));
      NDArray ys = m.create(y, new Shape(n, out.channels(), out.height(), out.width()));
      Random random = new Random(o.seed());
      int[] order = new int[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      for (int epoch = 1; epoch <= o.epochs(); epoch++) {
        for (int i = n - 1; i > 0; i--) {
          int j = random.nextInt(i + 1);
          int t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
        for (int from = 0; from + 1 < n; from += batch) {
          // BatchNorm needs two rows or more in a training batch.
          int b = Math.min(batch, n - from);
          try (NDManager step = m.newSubManager()) {
            NDArray idx = step.create(Arrays.copyOfRange(order, from, from + b));
            try (GradientCollector gc = trainer.newGradientCollector()) {
              NDArray pred = trainer.forward(new NDList(zs.get(idx))).singletonOrThrow();
              NDArray l = trainer.getLoss().evaluate(new NDList(ys.get(idx)), new NDList(pred));
              gc.backward(l);
            }
            trainer.step();
          }
        }
      }
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    return new CnnStudent(model, block, in, out, stride);
  }

  /**
   * Starts the last BatchNorm at the targets' per-channel mean and spread: block outputs sit far
   * from 0 (post-ReLU, means ~5 on block 4), and Adam's small steps on β from 0 took hundreds of
   * epochs to get there.
   */
  private static void initialiseOutputNorm(CnnBlock block, float[] y, int n, TensorShape out) {
    int c = out.channels();
    int hw = out.height() * out.width();
    double[] sum = new double[c];
    double[] sq = new double[c];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < c; k++) {
        for (int p = 0; p < hw; p++) {
          double v = y[(i * c + k) * hw + p];
          sum[k] += v;
          sq[k] += v * v;
        }
      }
    }
    float[] gamma = new float[c];
    float[] beta = new float[c];
    double count = (double) n * hw;
    for (int k = 0; k < c; k++) {
      double mean = sum[k] / count;
      beta[k] = (float) mean;
      gamma[k] = (float) Math.sqrt(Math.max(1e-6, sq[k] / count - mean * mean));
    }
    for (var pair : block.projectNorm.getParameters()) {
      if (pair.getKey().equals("gamma")) {
        pair.getValue().getArray().set(gamma);
      } else if (pair.getKey().equals("beta")) {
        pair.getValue().getArray().set(beta);
      }
    }
  }

  /** The block's output for n inputs (inference: BatchNorm on its running statistics). */
  @Override
  public float[] apply(float[] z, int n) {
    float[] result = new float[n * out.size()];
    int chunk = 256;
    for (int from = 0; from < n; from += chunk) {
      int b = Math.min(chunk, n - from);
      try (NDManager m = model.getNDManager().newSubManager()) {
        NDArray x =
            m.create(
                Arrays.copyOfRange(z, from * in.size(), (from + b) * in.size()),
                new Shape(b, in.channels(), in.height(), in.width()));
        NDArray yb =
            block.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
        System.arraycopy(yb.toFloatArray(), 0, result, from * out.size(), b * out.size());
      }
    }
    return result;
  }

  /** Trainable parameters with the gate convolution (the paper's Table 1 figure). */
  @Override
  public long parameters() {
    return ResNet18.trainableParameters(block);
  }

  /** Trainable parameters without the gate convolution and its BatchNorm. */
  public long parametersWithoutGate() {
    return block.gate == null
        ? parameters()
        : parameters()
            - ResNet18.trainableParameters(block.gate)
            - ResNet18.trainableParameters(block.gateNorm);
  }

  /**
   * The trained student frozen for serving: each BatchNorm (on its running statistics) folded into
   * its convolution's weights and a bias, so {@link ConvStudent#apply} equals {@link #apply}.
   */
  public ConvStudent toStudent() {
    float[][] conv = folded(block.conv, block.convNorm);
    float[][] project = folded(block.project, block.projectNorm);
    float[][] gate = block.gate == null ? new float[2][] : folded(block.gate, block.gateNorm);
    return new ConvStudent(
        block.gate == null ? ConvStudent.Architecture.RELU : ConvStudent.Architecture.GATED,
        new ConvStudent.Shape(
            in.channels(), in.height(), in.width(), block.filters, out.channels(), stride),
        gate[0],
        gate[1],
        conv[0],
        conv[1],
        project[0],
        project[1],
        parameters());
  }

  /** {weights · γ/√(var + ε) per filter, β − mean · γ/√(var + ε)}. */
  private static float[][] folded(Block conv, Block batchNorm) {
    float[] w = conv.getParameters().get("weight").getArray().toFloatArray();
    var bn = batchNorm.getParameters();
    float[] gamma = bn.get("gamma").getArray().toFloatArray();
    float[] beta = bn.get("beta").getArray().toFloatArray();
    float[] mean = bn.get("runningMean").getArray().toFloatArray();
    float[] var = bn.get("runningVar").getArray().toFloatArray();
    int filters = gamma.length;
    int per = w.length / filters;
    float[] bias = new float[filters];
    for (int o = 0; o < filters; o++) {
      float scale = (float) (gamma[o] / Math.sqrt(var[o] + ResNet18.BN_EPSILON));
      for (int i = 0; i < per; i++) {
        w[o * per + i] *= scale;
      }
      bias[o] = beta[o] - mean[o] * scale;
    }
    return new float[][] {w, bias};
  }

  @Override
  public void close() {
    model.close();
  }

  /**
   * CNN₃(BN(CNN₂ z) ⊙ 1(BN(CNN₁ z) > 0)) then BN, no gradient through the gate; or, without a gate,
   * CNN₃(ReLU(BN(CNN₂ z))) then BN.
   */
  private static final class CnnBlock extends AbstractBlock {
    final int filters;
    final Block gate;
    final Block gateNorm;
    final Block conv;
    final Block convNorm;
    final Block project;
    final Block projectNorm;

    CnnBlock(boolean gated, int filters, int outChannels, int stride) {
      this.filters = filters;
      gate = gated ? addChildBlock("gate", ResNet18.conv(filters, 3, stride, 1)) : null;
      gateNorm = gated ? addChildBlock("gate_norm", ResNet18.batchNorm()) : null;
      conv = addChildBlock("conv", ResNet18.conv(filters, 3, stride, 1));
      convNorm = addChildBlock("conv_norm", ResNet18.batchNorm());
      project = addChildBlock("project", ResNet18.conv(outChannels, 1, 1, 0));
      projectNorm = addChildBlock("project_norm", ResNet18.batchNorm());
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDList z = inputs;
      NDArray pre =
          convNorm.forward(ps, conv.forward(ps, z, training), training).singletonOrThrow();
      NDArray h;
      if (gate == null) {
        h = Activation.relu(pre);
      } else {
        NDArray g =
            gateNorm.forward(ps, gate.forward(ps, z, training), training).singletonOrThrow();
        h = pre.mul(g.stopGradient().gt(0).toType(DataType.FLOAT32, false));
      }
      return projectNorm.forward(ps, project.forward(ps, new NDList(h), training), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return project.getOutputShapes(conv.getOutputShapes(inputShapes));
    }

    @Override
    protected void initializeChildBlocks(
        NDManager manager, DataType dataType, Shape... inputShapes) {
      // The gate first, as before the ReLU variant existed: the same seed draws the same gates.
      if (gate != null) {
        gate.initialize(manager, dataType, inputShapes);
      }
      conv.initialize(manager, dataType, inputShapes);
      Shape[] mid = conv.getOutputShapes(inputShapes);
      if (gate != null) {
        gateNorm.initialize(manager, dataType, mid);
      }
      convNorm.initialize(manager, dataType, mid);
      project.initialize(manager, dataType, mid);
      projectNorm.initialize(manager, dataType, project.getOutputShapes(mid));
    }
  }
}
