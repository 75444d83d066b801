package org.convexdistill.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.convexdistill.app.DataLocation;
import org.convexdistill.app.UserException;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.experiments.CompressionExperiment;
import org.convexdistill.teacher.DjlTeacher;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code distill experiment NAME}: the paper's experiments, each writing CSV, PNG and Markdown. */
@Command(
    name = "experiment",
    mixinStandardHelpOptions = true,
    description = "The paper's experiments: CSV, PNG plots and a Markdown report in --out.",
    subcommands = {ExperimentCommand.Compression.class})
final class ExperimentCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code distill experiment compression}. */
  @Command(
      name = "compression",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description =
          "Test accuracy vs whole-model size with one block replaced: convex one-vs-all and"
              + " shared-output (polished) students and magnitude pruning at equal non-zero"
              + " weights (paper Fig. 3a/4).")
  static final class Compression implements Callable<Integer> {
    @Option(
        names = "--quick",
        description =
            "The reduced grid (block 4 at 8x and 32x, 1 seed, 1,000 images, 1,000 test images):"
                + " minutes on 2 cores.")
    boolean quick;

    @Option(names = "--seeds", paramLabel = "K", description = "Gate seeds 0..K-1.")
    Integer seeds;

    @Option(
        names = "--samples",
        paramLabel = "N",
        description = "Unlabeled training images the students are fitted to.")
    Integer samples;

    @Option(
        names = "--test-limit",
        paramLabel = "N",
        description = "Score on the first N test images (default: 1,000 with --quick, else all).")
    Integer testLimit;

    @Option(
        names = "--out",
        paramLabel = "DIR",
        defaultValue = "experiments/compression",
        description = "Where the CSV, PNG and Markdown go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin TeacherOptions teacherOptions;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST folder.")
    Path data;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      String command =
          "distill " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
      CompressionExperiment.Settings s =
          quick
              ? CompressionExperiment.Settings.quick(out, command)
              : CompressionExperiment.Settings.full(out, command);
      if ((seeds != null && seeds < 1) || (samples != null && samples < 1)) {
        throw new UserException("--seeds and --samples must be at least 1");
      }
      s =
          new CompressionExperiment.Settings(
              s.blocks(),
              s.ratios(),
              seeds != null ? seeds : s.seeds(),
              samples != null ? samples : s.samples(),
              s.gates(),
              s.gapTolerance(),
              s.mlpEpochs(),
              s.out(),
              s.command());
      Path dir = DataLocation.resolve(data, System.err);
      LabeledImages train = FashionMnist.load(dir, FashionMnist.Split.TRAIN);
      LabeledImages test = FashionMnist.load(dir, FashionMnist.Split.TEST);
      int limit = testLimit != null ? testLimit : quick ? 1000 : test.count();
      if (limit < 1) {
        throw new UserException("--test-limit must be at least 1");
      }
      test = test.head(Math.min(limit, test.count()));
      System.err.printf(
          Locale.ROOT,
          "compression: blocks %s, ratios %s, %d seed(s), %d unlabeled images, %d test images%n",
          s.blocks(),
          s.ratios(),
          s.seeds(),
          Math.min(s.samples(), train.count()),
          test.count());
      try (DjlTeacher teacher = teacherOptions.load()) {
        CompressionExperiment.Result r =
            CompressionExperiment.run(teacher, train.images(), test, s, System.err);
        System.out.println("wrote " + r.csv() + ", " + r.png() + " and " + r.md());
      }
      return 0;
    }
  }
}
