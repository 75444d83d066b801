package org.convexdistill.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.convexdistill.app.DataLocation;
import org.convexdistill.app.UserException;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.experiments.CompressionExperiment;
import org.convexdistill.experiments.LowSampleExperiment;
import org.convexdistill.experiments.PolishExperiment;
import org.convexdistill.experiments.SolverTimeExperiment;
import org.convexdistill.experiments.Written;
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
    subcommands = {
      ExperimentCommand.Compression.class,
      ExperimentCommand.LowSample.class,
      ExperimentCommand.SolverTime.class,
      ExperimentCommand.Polish.class
    })
final class ExperimentCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The flags every experiment takes. */
  static final class Common {
    @Option(names = "--quick", description = "The reduced grid: minutes on 2 cores.")
    boolean quick;

    @Option(names = "--seeds", paramLabel = "K", description = "Gate (and MLP) seeds 0..K-1.")
    Integer seeds;

    @Option(
        names = "--test-limit",
        paramLabel = "N",
        description = "Score on the first N test images (default: 1,000 with --quick, else all).")
    Integer testLimit;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the files go.")
    Path out;

    @Mixin TeacherOptions teacherOptions;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST folder.")
    Path data;

    Path dir;
    LabeledImages train;
    LabeledImages test;

    /** Validates the flags and loads the data. */
    void load(String name) throws Exception {
      if (seeds != null && seeds < 1) {
        throw new UserException("--seeds must be at least 1");
      }
      if (testLimit != null && testLimit < 1) {
        throw new UserException("--test-limit must be at least 1");
      }
      if (out == null) {
        out = Path.of("experiments-out", name);
      }
      dir = DataLocation.resolve(data, System.err);
      train = FashionMnist.load(dir, FashionMnist.Split.TRAIN);
      LabeledImages all = FashionMnist.load(dir, FashionMnist.Split.TEST);
      int limit = testLimit != null ? testLimit : quick ? 1000 : all.count();
      test = all.head(Math.min(limit, all.count()));
    }

    int seeds(int grid) {
      return seeds != null ? seeds : grid;
    }

    static String command(CommandLine.Model.CommandSpec spec) {
      return "distill " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    }

    static void done(Written w) {
      System.out.println("wrote " + w.csv() + ", " + w.png() + " and " + w.md());
    }
  }

  /** {@code distill experiment compression}. */
  @Command(
      name = "compression",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description =
          "Test accuracy vs whole-model size with blocks 3, 4 and 3+4 replaced: convex"
              + " one-vs-all, polished and nuclear-norm students, the non-convex MLP and CNNs"
              + " (Adam) and magnitude pruning at equal parameters (paper Fig. 3a/4), and one"
              + " joint convex student of 3+4. --quick: 8x and 32x, 1,000 images; full: 4x to"
              + " 128x, 3 seeds, 10,000 images.")
  static final class Compression implements Callable<Integer> {
    @Mixin Common common;

    @Option(
        names = "--samples",
        paramLabel = "N",
        description = "Unlabeled training images the students are fitted to.")
    Integer samples;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (samples != null && samples < 1) {
        throw new UserException("--samples must be at least 1");
      }
      common.load("compression");
      String command = Common.command(spec);
      CompressionExperiment.Settings s =
          common.quick
              ? CompressionExperiment.Settings.quick(common.out, command)
              : CompressionExperiment.Settings.full(common.out, command);
      s = s.with(common.seeds(s.seeds()), samples != null ? samples : s.samples());
      System.err.printf(
          "compression: blocks %s, ratios %s, %d seed(s), %d unlabeled images, %d test images%n",
          s.blocks(),
          s.ratios(),
          s.seeds(),
          Math.min(s.samples(), common.train.count()),
          common.test.count());
      try (DjlTeacher teacher = common.teacherOptions.load()) {
        Common.done(
            CompressionExperiment.run(teacher, common.train.images(), common.test, s, System.err));
      }
      return 0;
    }
  }

  /** {@code distill experiment low-sample}. */
  @Command(
      name = "low-sample",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description =
          "Convex vs non-convex students fitted to 10, 50, 100, 500 unlabeled images per class"
              + " (the first 10*m training images) at 32x (paper Fig. 3b/6). --quick: 10, 50, 100.")
  static final class LowSample implements Callable<Integer> {
    @Mixin Common common;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      common.load("low-sample");
      String command = Common.command(spec);
      LowSampleExperiment.Settings s =
          common.quick
              ? LowSampleExperiment.Settings.quick(common.out, command)
              : LowSampleExperiment.Settings.full(common.out, command);
      s = s.withSeeds(common.seeds(s.seeds()));
      System.err.printf(
          "low-sample: block %d, %s per class, %d seed(s), %d test images%n",
          s.block(), s.perClass(), s.seeds(), common.test.count());
      try (DjlTeacher teacher = common.teacherOptions.load()) {
        Common.done(
            LowSampleExperiment.run(teacher, common.train.images(), common.test, s, System.err));
      }
      return 0;
    }
  }

  /** {@code distill experiment solver-time}. */
  @Command(
      name = "solver-time",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description =
          "Test accuracy vs fit seconds: the convex solver (its path to tighter gaps) vs Adam"
              + " (mini-batch and full batch) on the MLP of the same size, mean +- 2 std over"
              + " seeds (paper Fig. 5). --quick: 1,000 images, 2 seeds.")
  static final class SolverTime implements Callable<Integer> {
    @Mixin Common common;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      common.load("solver-time");
      String command = Common.command(spec);
      SolverTimeExperiment.Settings s =
          common.quick
              ? SolverTimeExperiment.Settings.quick(common.out, command)
              : SolverTimeExperiment.Settings.full(common.out, command);
      s = s.withSeeds(common.seeds(s.seeds()));
      System.err.printf(
          "solver-time: block %d at %.0fx, %d images, %d seed(s), gaps %s, %d test images%n",
          s.block(), s.ratio(), s.samples(), s.seeds(), s.gaps(), common.test.count());
      try (DjlTeacher teacher = common.teacherOptions.load()) {
        SolverTimeExperiment.Result r =
            SolverTimeExperiment.run(teacher, common.train.images(), common.test, s, System.err);
        System.out.println("wrote " + r.csv() + ", " + r.png() + " and " + r.md());
      }
      return 0;
    }
  }

  /** {@code distill experiment polish}. */
  @Command(
      name = "polish",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description =
          "With 100 unlabeled images per class: the convex student before and after the paper's"
              + " polishing vs the non-convex MLP, across compressions (paper Fig. 7). --quick:"
              + " 32x and 128x, 1 seed.")
  static final class Polish implements Callable<Integer> {
    @Mixin Common common;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      common.load("polish");
      String command = Common.command(spec);
      PolishExperiment.Settings s =
          common.quick
              ? PolishExperiment.Settings.quick(common.out, command)
              : PolishExperiment.Settings.full(common.out, command);
      s = s.withSeeds(common.seeds(s.seeds()));
      System.err.printf(
          "polish: block %d, %d per class, ratios %s, %d seed(s), %d test images%n",
          s.block(), s.perClass(), s.ratios(), s.seeds(), common.test.count());
      try (DjlTeacher teacher = common.teacherOptions.load()) {
        Common.done(
            PolishExperiment.run(teacher, common.train.images(), common.test, s, System.err));
      }
      return 0;
    }
  }
}
