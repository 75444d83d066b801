package org.convexdistill.experiments;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.core.student.OutputBasis;
import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.core.teacher.Hybrid;
import org.convexdistill.learner.evaluation.HybridEvaluation;
import org.convexdistill.learner.offline.Activations;
import org.convexdistill.learner.offline.DistillOptions;
import org.convexdistill.learner.offline.DistilledBlock;
import org.convexdistill.learner.offline.OfflineDistiller;
import org.convexdistill.teacher.DjlTeacher;

/**
 * The paper's compression experiment (Fig. 3a/4): test accuracy against whole-model size when one
 * block is replaced, for every student kind and magnitude pruning at equal non-zero weights, the
 * teacher as a dashed line. Per block, ratio and seed: one convex fit gives the one-vs-all student
 * and, by the paper's polishing, the shared-output one; the non-convex MLP (Adam) gets as many
 * weights and the pruned block as many non-zero kernel weights as the one-vs-all student has
 * parameters.
 */
public final class CompressionExperiment {
  /** Student kinds, as they appear in the CSV and the legend. */
  static final String CONVEX = "convex one-vs-all";

  static final String SHARED = "convex shared (polished)";
  static final String PRUNE = "magnitude pruning";
  static final String MLP = "non-convex MLP (Adam)";

  /**
   * The grid and where to write.
   *
   * @param blocks blocks replaced one at a time
   * @param ratios target block compression ratios (block parameters ÷ student budget)
   * @param seeds gate seeds 0..seeds−1
   * @param samples unlabeled training images the students are fitted to
   * @param command the command line, quoted in the report
   */
  public record Settings(
      List<Integer> blocks,
      List<Double> ratios,
      int seeds,
      int samples,
      int gates,
      double gapTolerance,
      int mlpEpochs,
      Path out,
      String command) {
    /** The reduced grid: block 4 at 32× and 128×, one seed, 1,000 images, 32 gates. */
    public static Settings quick(Path out, String command) {
      return new Settings(List.of(4), List.of(32.0, 128.0), 1, 1000, 32, 1e-2, 200, out, command);
    }

    /** The full grid: blocks 3 and 4 at 8× to 128×, three seeds, 10,000 images, 32 gates. */
    public static Settings full(Path out, String command) {
      return new Settings(
          List.of(3, 4),
          List.of(8.0, 16.0, 32.0, 64.0, 128.0),
          3,
          10_000,
          32,
          1e-3,
          100,
          out,
          command);
    }
  }

  /** One measured point. */
  public record Row(
      int block,
      String kind,
      double targetRatio,
      int seed,
      long blockParameters,
      long modelParameters,
      double accuracy,
      double agreement,
      double seconds) {}

  /** What the run produced. */
  public record Result(
      List<Row> rows,
      double teacherAccuracy,
      long teacherParameters,
      Path csv,
      Path png,
      Path md) {}

  /** The λ path's end, λmax·MIN_RATIO: low enough that every ratio of the grid binds. */
  static final double MIN_RATIO = 1e-4;

  static final int PATH_POINTS = 12;

  private CompressionExperiment() {}

  /**
   * Runs the grid on {@code teacher}: students fitted to the first {@code samples} of {@code train}
   * (unlabeled), every hybrid scored on {@code test}.
   */
  public static Result run(
      DjlTeacher teacher, Images train, LabeledImages test, Settings s, PrintStream progress)
      throws IOException {
    Files.createDirectories(s.out());
    Images unlabeled = train.slice(0, Math.min(s.samples(), train.count()));
    List<Row> rows = new ArrayList<>();
    double teacherAccuracy = Double.NaN;
    int total = s.blocks().size() * s.ratios().size() * s.seeds();
    int done = 0;
    long start = System.nanoTime();
    Map<Integer, Activations> activations = new java.util.TreeMap<>();
    for (int k : s.blocks()) {
      activations.put(k, Activations.extract(teacher, unlabeled, k));
    }
    for (int k : s.blocks()) {
      long blockParams = teacher.blockParameters(k);
      long rest = teacher.totalParameters() - blockParams;
      for (double ratio : s.ratios()) {
        for (int seed = 0; seed < s.seeds(); seed++) {
          long t0 = System.nanoTime();
          DistillOptions o =
              DistillOptions.builder()
                  .setBlock(k)
                  .optCompression(ratio)
                  .optGates(s.gates())
                  .optSeed(seed)
                  .optGapTolerance(s.gapTolerance())
                  .optSharedPolish(true)
                  // Far enough down that the budget, not the path's end, sets the size.
                  .optMinRatio(MIN_RATIO)
                  .optPathPoints(PATH_POINTS)
                  // Block 4's suffix is linear: fit the teacher's own logits (label-free).
                  .optHeadWeight(k == 4 ? Double.POSITIVE_INFINITY : 0)
                  .build();
          Activations a = activations.get(k);
          OutputBasis basis = OfflineDistiller.headBasis(teacher, o, a.outputs().shape()[1]);
          DistilledBlock b = OfflineDistiller.fit(a, blockParams, o, null, 0, basis);
          double fitSeconds = (System.nanoTime() - t0) / 1e9;
          HybridEvaluation.Figures one =
              score(teacher, k, Hybrid.Replacement.of(b.oneVsAll()), test);
          teacherAccuracy = one.teacherAccuracy();
          rows.add(
              row(k, CONVEX, ratio, seed, b.oneVsAll().parameterCount(), rest, one, fitSeconds));
          HybridEvaluation.Figures shared =
              score(teacher, k, Hybrid.Replacement.of(b.student()), test);
          rows.add(row(k, SHARED, ratio, seed, b.student().parameterCount(), rest, shared, 0));
          // The paper's rule: the non-convex student gets the convex one's parameter count.
          long t2 = System.nanoTime();
          int d = a.inputs().shape()[1];
          StudentBlock mlp =
              MlpStudent.train(
                  a,
                  basis,
                  MlpStudent.unitsFor(
                      b.oneVsAll().parameterCount(), d, a.outputs().shape()[1], basis),
                  s.mlpEpochs(),
                  seed);
          double mlpSeconds = (System.nanoTime() - t2) / 1e9;
          HybridEvaluation.Figures nonConvex = score(teacher, k, Hybrid.Replacement.of(mlp), test);
          rows.add(row(k, MLP, ratio, seed, mlp.parameterCount(), rest, nonConvex, mlpSeconds));
          if (seed == 0) {
            long t1 = System.nanoTime();
            DjlTeacher.PrunedBlock pruned =
                teacher.prunedBlock(
                    k, Math.min(b.oneVsAll().parameterCount(), teacher.kernelWeights(k)));
            HybridEvaluation.Figures p = score(teacher, k, replacement(pruned), test);
            rows.add(
                row(
                    k,
                    PRUNE,
                    ratio,
                    0,
                    pruned.parameters(),
                    rest,
                    p,
                    (System.nanoTime() - t1) / 1e9));
          }
          done++;
          if (progress != null) {
            double elapsed = (System.nanoTime() - start) / 1e9;
            progress.printf(
                Locale.ROOT,
                "[%d/%d] block %d at %.0fx, seed %d: convex %.2f%%, shared %.2f%%, MLP %.2f%%"
                    + "  (ETA %s)%n",
                done,
                total,
                k,
                ratio,
                seed,
                100 * one.hybridAccuracy(),
                100 * shared.hybridAccuracy(),
                100 * nonConvex.hybridAccuracy(),
                eta(elapsed / done * (total - done)));
          }
        }
      }
    }
    Path csv = s.out().resolve("compression.csv");
    Path png = s.out().resolve("compression.png");
    Path md = s.out().resolve("compression.md");
    Files.writeString(csv, csv(rows));
    plot(rows, teacherAccuracy).writePng(png);
    Files.writeString(md, report(rows, teacherAccuracy, teacher.totalParameters(), s));
    return new Result(rows, teacherAccuracy, teacher.totalParameters(), csv, png, md);
  }

  private static Hybrid.Replacement replacement(DjlTeacher.PrunedBlock pruned) {
    return new Hybrid.Replacement() {
      @Override
      public float[] apply(float[] z, int n) {
        return pruned.apply(z, n);
      }

      @Override
      public long parameters() {
        return pruned.parameters();
      }
    };
  }

  private static HybridEvaluation.Figures score(
      DjlTeacher teacher, int k, Hybrid.Replacement r, LabeledImages test) {
    return HybridEvaluation.evaluate(teacher, new Hybrid(teacher, Map.of(k, r)), test, 500);
  }

  private static Row row(
      int k,
      String kind,
      double ratio,
      int seed,
      long params,
      long rest,
      HybridEvaluation.Figures f,
      double seconds) {
    return new Row(
        k, kind, ratio, seed, params, rest + params, f.hybridAccuracy(), f.agreement(), seconds);
  }

  static String csv(List<Row> rows) {
    StringBuilder b =
        new StringBuilder(
            "block,kind,target_ratio,seed,block_parameters,model_parameters,accuracy,agreement,"
                + "seconds\n");
    for (Row r : rows) {
      b.append(
          String.format(
              Locale.ROOT,
              "%d,%s,%.1f,%d,%d,%d,%.4f,%.4f,%.2f%n",
              r.block(),
              r.kind(),
              r.targetRatio(),
              r.seed(),
              r.blockParameters(),
              r.modelParameters(),
              r.accuracy(),
              r.agreement(),
              r.seconds()));
    }
    return b.toString();
  }

  private static LinePlot plot(List<Row> rows, double teacherAccuracy) {
    LinePlot p =
        new LinePlot(
            "Test accuracy vs model size (one block replaced)",
            "whole-model parameters (millions)",
            "test accuracy (%)",
            false);
    for (Row r : rows) {
      p.point(
          "block " + r.block() + ": " + r.kind(), r.modelParameters() / 1e6, 100 * r.accuracy());
    }
    return p.horizontalLine(
        String.format(Locale.ROOT, "teacher %.2f%%", 100 * teacherAccuracy), 100 * teacherAccuracy);
  }

  private static String report(
      List<Row> rows, double teacherAccuracy, long teacherParams, Settings s) {
    StringBuilder b = new StringBuilder("# Compression (paper Fig. 3a/4)\n\n");
    b.append("Command: `").append(s.command()).append("`\n\n");
    b.append(
        String.format(
            Locale.ROOT,
            "Teacher: %.2f %% test accuracy, %,d parameters. Students fitted to %,d unlabeled"
                + " training images (%d gates, gap %.0e, seeds 0..%d); pruning keeps as many"
                + " non-zero kernel weights as the one-vs-all student has parameters, and the"
                + " non-convex MLP (Adam, %d epochs) as many weights.%n%n",
            100 * teacherAccuracy,
            teacherParams,
            s.samples(),
            s.gates(),
            s.gapTolerance(),
            s.seeds() - 1,
            s.mlpEpochs()));
    b.append(
        "| block | kind | target | seed | block params | model params | accuracy | Δ teacher | agreement |\n");
    b.append("|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %d | %s | %.0f× | %d | %,d | %,d | %.2f %% | %+.2f pp | %.2f %% |%n",
              r.block(),
              r.kind(),
              r.targetRatio(),
              r.seed(),
              r.blockParameters(),
              r.modelParameters(),
              100 * r.accuracy(),
              100 * (r.accuracy() - teacherAccuracy),
              100 * r.agreement()));
    }
    b.append("\nFiles: `compression.csv` (every row), `compression.png` (the plot).\n");
    return b.toString();
  }

  private static String eta(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
        : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
  }
}
