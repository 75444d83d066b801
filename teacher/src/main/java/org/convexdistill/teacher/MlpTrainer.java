package org.convexdistill.teacher;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The paper's non-convex student baseline: a two-layer ReLU MLP without biases, ŷ = ReLU(X·W1ᵀ)·W2,
 * fitted to a block's (normalised) inputs and its targets by Adam on the squared error, the way the
 * paper trains its non-convex students. The targets are the teacher's own outputs (never labels).
 */
public final class MlpTrainer {
  private MlpTrainer() {}

  /**
   * How to train.
   *
   * @param batch rows per step; the row count or more = full-batch Adam
   */
  public record Options(int hidden, int epochs, int batch, float learningRate, long seed) {
    public Options {
      if (hidden < 1 || epochs < 1 || batch < 1 || !(learningRate > 0)) {
        throw new IllegalArgumentException(
            "hidden units, epochs and batch must be >= 1 and the learning rate > 0");
      }
    }
  }

  /**
   * The trained weights.
   *
   * @param firstLayer row-major h × d
   * @param secondLayer row-major h × C
   */
  public record Trained(
      float[] firstLayer, float[] secondLayer, int hidden, double loss, double seconds) {}

  /**
   * Called after every epoch with the weights so far (for accuracy-vs-time curves); {@code seconds}
   * is training time only: time spent in the listener itself is not counted.
   */
  public interface EpochListener {
    /** Returns whether to go on (false stops training after this epoch). */
    boolean onEpoch(int epoch, double seconds, Trained sofar);
  }

  /**
   * Trains on n rows of inputs {@code x} (n × d) and targets {@code y} (n × C), both row-major.
   *
   * @param listener called after each epoch, or null
   */
  public static Trained train(
      float[] x, float[] y, int n, int d, int c, Options o, EpochListener listener) {
    if (x.length != (long) n * d || y.length != (long) n * c) {
      throw new IllegalArgumentException("x must be n × d and y n × C");
    }
    Engine.getEngine("PyTorch").setRandomSeed((int) o.seed());
    SequentialBlock net =
        new SequentialBlock()
            .add(Linear.builder().setUnits(o.hidden()).optBias(false).build())
            .add(Activation::relu)
            .add(Linear.builder().setUnits(c).optBias(false).build());
    int batch = Math.min(o.batch(), n);
    long t0 = System.nanoTime();
    try (Model model = Model.newInstance("mlp-student", "PyTorch")) {
      model.setBlock(net);
      DefaultTrainingConfig config =
          new DefaultTrainingConfig(Loss.l2Loss())
              .optOptimizer(
                  Optimizer.adam().optLearningRateTracker(Tracker.fixed(o.learningRate())).build());
      try (Trainer trainer = model.newTrainer(config)) {
        trainer.initialize(new Shape(batch, d));
        NDManager m = trainer.getManager();
        NDArray xs = m.create(x, new Shape(n, d));
        NDArray ys = m.create(y, new Shape(n, c));
        Random random = new Random(o.seed());
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
          order[i] = i;
        }
        double loss = Double.NaN;
        long paused = 0;
        for (int epoch = 1; epoch <= o.epochs(); epoch++) {
          shuffle(order, random);
          double sum = 0;
          int steps = 0;
          for (int from = 0; from < n; from += batch) {
            int b = Math.min(batch, n - from);
            try (NDManager step = m.newSubManager()) {
              NDArray idx = step.create(java.util.Arrays.copyOfRange(order, from, from + b));
              NDArray xb = xs.get(idx);
              NDArray yb = ys.get(idx);
              try (GradientCollector gc = trainer.newGradientCollector()) {
                NDArray pred = trainer.forward(new NDList(xb)).singletonOrThrow();
                NDArray l = trainer.getLoss().evaluate(new NDList(yb), new NDList(pred));
                gc.backward(l);
                sum += l.getFloat();
              }
              trainer.step();
            }
            steps++;
          }
          loss = sum / steps;
          if (listener != null) {
            long before = System.nanoTime();
            Trained sofar = weights(net, o, c, loss, t0 + paused);
            boolean more = listener.onEpoch(epoch, sofar.seconds(), sofar);
            paused += System.nanoTime() - before;
            if (!more) {
              break;
            }
          }
        }
        return weights(net, o, c, loss, t0 + paused);
      }
    }
  }

  private static Trained weights(SequentialBlock net, Options o, int c, double loss, long t0) {
    List<float[]> arrays = new ArrayList<>();
    for (var pair : net.getParameters()) {
      if (pair.getValue().getType() == Parameter.Type.WEIGHT) {
        arrays.add(pair.getValue().getArray().toFloatArray());
      }
    }
    float[] w1 = arrays.get(0); // h × d, as Linear stores it
    float[] w2t = arrays.get(1); // C × h
    int h = o.hidden();
    float[] w2 = new float[h * c];
    for (int k = 0; k < c; k++) {
      for (int u = 0; u < h; u++) {
        w2[u * c + k] = w2t[k * h + u];
      }
    }
    return new Trained(w1, w2, h, loss, (System.nanoTime() - t0) / 1e9);
  }

  private static void shuffle(int[] a, Random r) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
