package org.convexdistill.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.teacher.DjlTeacher;
import org.convexdistill.teacher.ModelCard;
import org.convexdistill.teacher.TeacherId;
import org.convexdistill.teacher.TeacherTrainer;
import org.convexdistill.teacher.TrainingListener;
import org.convexdistill.teacher.TrainingOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code distill teacher train|eval|summary}. */
@Command(
    name = "teacher",
    mixinStandardHelpOptions = true,
    description = "Train, evaluate and describe the ResNet-18 teacher.",
    subcommands = {
      TeacherCommand.Train.class,
      TeacherCommand.Eval.class,
      TeacherCommand.Summary.class
    })
final class TeacherCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  static final int BATCH = 256;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Trains (or loads, with {@code reuse}) the teacher; shared with the demo and offline. */
  static DjlTeacher train(
      Path out, LabeledImages train, LabeledImages test, TrainingOptions options, Path dataDir)
      throws IOException {
    DjlTeacher teacher = DjlTeacher.create(FashionMnist.CLASSES.length, options.seed(), BATCH);
    long start = System.nanoTime();
    int used = options.limit() > 0 ? Math.min(options.limit(), train.count()) : train.count();
    TrainingBar bar = new TrainingBar(options.epochs(), used);
    double accuracy = TeacherTrainer.train(teacher, train, test, options, bar);
    bar.finish();
    double seconds = (System.nanoTime() - start) / 1e9;
    teacher.save(out);
    new ModelCard(
            "resnet18-torchvision-1ch-32x32",
            options.epochs(),
            options.seed(),
            options.batchSize(),
            options.learningRate(),
            used,
            accuracy,
            test.count(),
            seconds,
            teacher.totalParameters(),
            TeacherId.sha256(dataDir.resolve(FashionMnist.Split.TRAIN.imagesFile())),
            Instant.now().toString())
        .write(out);
    return teacher;
  }

  /** A progress bar on stderr: epoch, images/s, loss, ETA; one summary line per epoch. */
  static final class TrainingBar implements TrainingListener {
    private final int epochs;
    private final int images;
    private final long start = System.nanoTime();
    private double smoothRate;
    private long lastDraw;

    TrainingBar(int epochs, int images) {
      this.epochs = epochs;
      this.images = images;
    }

    @Override
    public void onStep(
        int epoch, int step, int stepsPerEpoch, double imagesPerSecond, double loss) {
      smoothRate = smoothRate == 0 ? imagesPerSecond : 0.95 * smoothRate + 0.05 * imagesPerSecond;
      long now = System.nanoTime();
      if (now - lastDraw < 500_000_000L && step != stepsPerEpoch) {
        return;
      }
      lastDraw = now;
      double done = (epoch - 1 + (double) step / stepsPerEpoch) / epochs;
      double remaining = (1 - done) * (double) epochs * images / Math.max(smoothRate, 1e-9);
      int width = 24;
      int filled = (int) Math.round(done * width);
      System.err.printf(
          "\rtrain [%s%s] epoch %d/%d  %5.0f img/s  loss %.3f  ETA %s   ",
          "#".repeat(filled),
          ".".repeat(width - filled),
          epoch,
          epochs,
          smoothRate,
          loss,
          eta(remaining));
      System.err.flush();
    }

    @Override
    public void onEpoch(int epoch, double meanLoss, double testAccuracy, double seconds) {
      System.err.printf(
          "\repoch %d/%d: mean loss %.4f, test accuracy %.2f%%, %.0f s (%.0f s elapsed)%s%n",
          epoch,
          epochs,
          meanLoss,
          100 * testAccuracy,
          seconds,
          (System.nanoTime() - start) / 1e9,
          " ".repeat(20));
    }

    void finish() {
      System.err.flush();
    }

    static String eta(double seconds) {
      long s = Math.round(seconds);
      return s >= 3600
          ? String.format("%dh%02dm", s / 3600, (s % 3600) / 60)
          : String.format("%dm%02ds", s / 60, s % 60);
    }
  }

  @Command(
      name = "train",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = "Train the teacher on Fashion-MNIST; saves parameters and model-card.json.")
  static final class Train implements Callable<Integer> {
    @Option(names = "--epochs", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs = 20;

    @Option(
        names = "--out",
        paramLabel = "DIR",
        description = "Output folder (default: $DISTILL_HOME/teacher).")
    Path out = Paths.defaultTeacher();

    @Option(names = "--batch-size", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize = 128;

    @Option(names = "--lr", description = "Initial learning rate (default: ${DEFAULT-VALUE}).")
    float lr = 0.05f;

    @Option(names = "--seed", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = "--limit", description = "Train on the first N images only (default: all).")
    int limit;

    @Mixin DataOptions data;

    @Override
    public Integer call() throws IOException {
      if (epochs < 1 || batchSize < 1 || !(lr > 0) || limit < 0) {
        throw new UserException("--epochs, --batch-size and --lr must be positive, --limit >= 0");
      }
      LabeledImages train = data.load(FashionMnist.Split.TRAIN);
      LabeledImages test = data.load(FashionMnist.Split.TEST);
      TrainingOptions options = new TrainingOptions(epochs, batchSize, lr, 5e-4f, seed, limit);
      try (DjlTeacher teacher = train(out, train, test, options, data.data)) {
        ModelCard card = ModelCard.read(out);
        System.out.printf(
            "teacher saved to %s: test accuracy %.2f%% after %d epochs, %.0f s, %d parameters%n",
            out, 100 * card.testAccuracy(), epochs, card.trainSeconds(), teacher.totalParameters());
      }
      return 0;
    }
  }

  @Command(
      name = "eval",
      mixinStandardHelpOptions = true,
      description = "Top-1 accuracy of a trained teacher on the Fashion-MNIST test set.")
  static final class Eval implements Callable<Integer> {
    @Option(
        names = "--model",
        paramLabel = "DIR",
        description = "Teacher folder (default: $DISTILL_HOME/teacher).")
    Path model = Paths.defaultTeacher();

    @Mixin DataOptions data;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() throws IOException {
      LabeledImages test = data.load(FashionMnist.Split.TEST);
      try (DjlTeacher teacher = DjlTeacher.load(model, FashionMnist.CLASSES.length, BATCH)) {
        long start = System.nanoTime();
        double accuracy = TeacherTrainer.accuracy(teacher, test);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (json) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("test_accuracy", accuracy);
          m.put("test_images", test.count());
          m.put("images_per_second", test.count() / seconds);
          System.out.println(Json.write(m));
        } else {
          System.out.printf(
              "test accuracy %.2f%% on %d images (%.0f images/s)%n",
              100 * accuracy, test.count(), test.count() / seconds);
        }
      }
      return 0;
    }
  }

  @Command(
      name = "summary",
      mixinStandardHelpOptions = true,
      description = "Per-block input/output shapes and parameter counts (no weights needed).")
  static final class Summary implements Callable<Integer> {
    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() {
      try (DjlTeacher teacher = DjlTeacher.create(FashionMnist.CLASSES.length, 0, BATCH)) {
        List<Map<String, Object>> blocks = new ArrayList<>();
        for (int k = 1; k <= teacher.numBlocks(); k++) {
          Map<String, Object> b = new LinkedHashMap<>();
          b.put("block", k);
          b.put("input_shape", teacher.blockInputShape(k).toString());
          b.put("input_dim", teacher.blockInputShape(k).size());
          b.put("output_shape", teacher.blockOutputShape(k).toString());
          b.put("output_dim", teacher.blockOutputShape(k).size());
          b.put("parameters", teacher.blockParameters(k));
          blocks.add(b);
        }
        if (json) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("architecture", "resnet18 (torchvision layout, 1 channel, 32x32 input)");
          m.put("total_parameters", teacher.totalParameters());
          m.put("blocks", blocks);
          System.out.println(Json.write(m));
        } else {
          System.out.println(
              "ResNet-18 (torchvision layout), input 1×32×32, "
                  + teacher.totalParameters()
                  + " parameters");
          System.out.printf("%-6s %-10s %-10s %12s%n", "block", "input", "output", "parameters");
          for (Map<String, Object> b : blocks) {
            System.out.printf(
                "%-6s %-10s %-10s %,12d%n",
                b.get("block"),
                b.get("input_shape"),
                b.get("output_shape"),
                (Long) b.get("parameters"));
          }
        }
      }
      return 0;
    }
  }
}
