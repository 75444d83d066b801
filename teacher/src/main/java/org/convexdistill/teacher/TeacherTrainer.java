package org.convexdistill.teacher;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.CosineTracker;
import java.util.Random;
import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.core.data.Preprocessing;
import org.convexdistill.core.teacher.Logits;

/** Trains a {@link DjlTeacher} on labeled images (the only place besides evaluation that may). */
public final class TeacherTrainer {
  private static final int SIDE = Preprocessing.SIDE;
  private static final int SHIFT = 2;

  private TeacherTrainer() {}

  /**
   * Trains {@code teacher} in place.
   *
   * @param test evaluated after each epoch, or null
   * @return the final test accuracy (NaN without a test set)
   */
  public static double train(
      DjlTeacher teacher,
      LabeledImages train,
      LabeledImages test,
      TrainingOptions options,
      TrainingListener listener) {
    int n = options.limit() > 0 ? Math.min(options.limit(), train.count()) : train.count();
    int batch = Math.min(options.batchSize(), n);
    int stepsPerEpoch = n / batch;
    CosineTracker lr =
        CosineTracker.builder()
            .setBaseValue(options.learningRate())
            .optFinalValue(options.learningRate() * 1e-3f)
            .setMaxUpdates(options.epochs() * stepsPerEpoch)
            .build();
    Optimizer sgd =
        Optimizer.sgd()
            .setLearningRateTracker(lr)
            .optMomentum(0.9f)
            .optWeightDecays(options.weightDecay())
            .build();
    DefaultTrainingConfig config =
        new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(sgd);
    Random random = new Random(options.seed());
    float[] all = new float[n * SIDE * SIDE];
    Preprocessing.toTensor(train.images(), 0, n, all);
    float[] x = new float[batch * SIDE * SIDE];
    float[] y = new float[batch];
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    double accuracy = Double.NaN;
    // Training changes the parameters the inference copy was folded from: drop it meanwhile.
    teacher.thaw();
    try {
      try (Trainer trainer = new Trainer(teacher.model(), config)) {
        for (int epoch = 1; epoch <= options.epochs(); epoch++) {
          long epochStart = System.nanoTime();
          shuffle(order, random);
          double lossSum = 0;
          for (int step = 0; step < stepsPerEpoch; step++) {
            long t0 = System.nanoTime();
            for (int b = 0; b < batch; b++) {
              int idx = order[step * batch + b];
              augment(all, idx, x, b, random);
              y[b] = train.labels()[idx];
            }
            double loss;
            try (NDManager m = trainer.getManager().newSubManager()) {
              NDArray xs = m.create(x, new Shape(batch, 1, SIDE, SIDE));
              NDArray ys = m.create(y, new Shape(batch));
              try (GradientCollector gc = trainer.newGradientCollector()) {
                NDList pred = trainer.forward(new NDList(xs));
                NDArray l = trainer.getLoss().evaluate(new NDList(ys), pred);
                gc.backward(l);
                loss = l.getFloat();
              }
              trainer.step();
            }
            lossSum += loss;
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (listener != null) {
              listener.onStep(epoch, step + 1, stepsPerEpoch, batch / seconds, loss);
            }
          }
          if (test != null) {
            accuracy = accuracy(teacher, test);
          }
          if (listener != null) {
            listener.onEpoch(
                epoch, lossSum / stepsPerEpoch, accuracy, (System.nanoTime() - epochStart) / 1e9);
          }
        }
      }
    } finally {
      teacher.freeze();
    }
    return accuracy;
  }

  /** Top-1 accuracy of the full network on {@code data} (evaluation only). */
  public static double accuracy(DjlTeacher teacher, LabeledImages data) {
    int n = data.count();
    float[] input = new float[n * SIDE * SIDE];
    Preprocessing.toTensor(data.images(), 0, n, input);
    float[] logits = teacher.logits(input, n);
    int correct = 0;
    int classes = teacher.numClasses();
    for (int i = 0; i < n; i++) {
      if (Logits.argmax(logits, i, classes) == data.labels()[i]) {
        correct++;
      }
    }
    return (double) correct / n;
  }

  private static void shuffle(int[] a, Random random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** Copies image {@code idx} into slot {@code b} of {@code x}, shifted ±2 px and maybe flipped. */
  private static void augment(float[] all, int idx, float[] x, int b, Random random) {
    int dy = random.nextInt(2 * SHIFT + 1) - SHIFT;
    int dx = random.nextInt(2 * SHIFT + 1) - SHIFT;
    boolean flip = random.nextBoolean();
    float pad = -Preprocessing.MEAN / Preprocessing.STD;
    int src = idx * SIDE * SIDE;
    int dst = b * SIDE * SIDE;
    for (int r = 0; r < SIDE; r++) {
      int sr = r - dy;
      for (int c = 0; c < SIDE; c++) {
        int sc = (flip ? SIDE - 1 - c : c) - dx;
        x[dst + r * SIDE + c] =
            sr >= 0 && sr < SIDE && sc >= 0 && sc < SIDE ? all[src + sr * SIDE + sc] : pad;
      }
    }
  }
}
