package org.convexdistill.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.convexdistill.app.DistillHome;
import org.convexdistill.app.Json;
import org.convexdistill.app.TeacherProvider;
import org.convexdistill.app.TeacherSummary;
import org.convexdistill.app.UserException;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.teacher.DjlTeacher;
import org.convexdistill.teacher.ModelCard;
import org.convexdistill.teacher.TeacherTrainer;
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

  static final int BATCH = TeacherProvider.BATCH;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
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
    Path out = DistillHome.defaultTeacher();

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
      try (DjlTeacher teacher =
          TeacherProvider.train(
              out, train, test, options, TeacherProvider.datasetSha256(data.data))) {
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
    Path model = DistillHome.defaultTeacher();

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
      TeacherSummary.print(json, System.out);
      return 0;
    }
  }
}
