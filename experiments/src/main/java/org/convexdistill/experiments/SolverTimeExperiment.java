package org.convexdistill.experiments;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.core.student.OutputBasis;
import org.convexdistill.core.teacher.Hybrid;
import org.convexdistill.learner.offline.Activations;
import org.convexdistill.learner.offline.DistillOptions;
import org.convexdistill.learner.offline.DistilledBlock;
import org.convexdistill.learner.offline.OfflineDistiller;
import org.convexdistill.teacher.DjlTeacher;
import org.convexdistill.teacher.MlpTrainer;

/**
 * The paper's solver-time experiment (Fig. 5): test accuracy against wall-clock seconds of the fit,
 * the convex solver (its λ path solved to successively tighter duality gaps) against Adam on the
 * non-convex MLP of the same parameter count, mini-batch and full-batch, over several seeds (mean ±
 * 2 std bands). Adam gets a slightly larger budget: {@link #ADAM_BUDGET} times the convex fit's
 * slowest time. Fit time only: scoring is not counted.
 */
public final class SolverTimeExperiment {
  static final String CONVEX = "convex solver (R-FISTA path)";
  static final String MINI_BATCH = "Adam, mini-batch (100 rows)";
  static final String FULL_BATCH = "Adam, full batch";

  /** Adam's time budget as a multiple of the convex fit's slowest time. */
  static final double ADAM_BUDGET = 1.5;

  /** Adam's epochs at most, whatever the budget. */
  static final int MAX_EPOCHS = 2000;

  /**
   * The grid and where to write.
   *
   * @param gaps the convex fit's gap tolerances, loosest first (one curve point each)
   */
  public record Settings(
      int block,
      double ratio,
      int samples,
      int seeds,
      int gates,
      List<Double> gaps,
      Path out,
      String command) {
    /** These settings with another seed count. */
    public Settings withSeeds(int seeds) {
      return new Settings(block, ratio, samples, seeds, gates, gaps, out, command);
    }

    /** 1,000 images, two seeds, gaps 1e-1 and 3e-2 (a convex fit to 1e-2 alone took 190 s). */
    public static Settings quick(Path out, String command) {
      return new Settings(4, 32, 1000, 2, 32, List.of(1e-1, 3e-2), out, command);
    }

    /** 10,000 images, five seeds, gaps 1e-1 to 1e-3. */
    public static Settings full(Path out, String command) {
      return new Settings(
          4, 32, 10_000, 5, 32, List.of(1e-1, 3e-2, 1e-2, 3e-3, 1e-3), out, command);
    }
  }

  /** One checkpoint of one method and seed. */
  public record Point(String method, int seed, int index, double seconds, double accuracy) {}

  /** What the run measured and wrote. */
  public record Result(
      List<Point> points,
      double teacherAccuracy,
      double target,
      double convexSeconds,
      double adamSeconds,
      Path csv,
      Path png,
      Path md) {}

  private SolverTimeExperiment() {}

  public static Result run(
      DjlTeacher teacher, Images train, LabeledImages test, Settings s, PrintStream progress)
      throws IOException {
    Files.createDirectories(s.out());
    int k = s.block();
    Activations a =
        Activations.extract(teacher, train.slice(0, Math.min(s.samples(), train.count())), k);
    HybridScorer scorer = new HybridScorer(teacher, test);
    double teacherAccuracy = scorer.teacherAccuracy();
    int d = a.inputs().shape()[1];
    int c = a.outputs().shape()[1];
    List<Point> points = new ArrayList<>();
    for (int seed = 0; seed < s.seeds(); seed++) {
      long convexParams = 0;
      double slowest = 0;
      OutputBasis basis = null;
      for (int i = 0; i < s.gaps().size(); i++) {
        DistillOptions o =
            DistillOptions.builder()
                .setBlock(k)
                .optCompression(s.ratio())
                .optGates(s.gates())
                .optSeed(seed)
                .optGapTolerance(s.gaps().get(i))
                .optMinRatio(StudentPoint.MIN_RATIO)
                .optPathPoints(StudentPoint.PATH_POINTS)
                .optHeadWeight(k == 4 ? Double.POSITIVE_INFINITY : 0)
                .build();
        basis = OfflineDistiller.headBasis(teacher, o, c);
        long t0 = System.nanoTime();
        DistilledBlock b = OfflineDistiller.fit(a, teacher.blockParameters(k), o, null, 0, basis);
        double seconds = (System.nanoTime() - t0) / 1e9;
        slowest = Math.max(slowest, seconds);
        convexParams = b.student().parameterCount();
        double acc = scorer.accuracy(k, Hybrid.Replacement.of(b.served()));
        points.add(new Point(CONVEX, seed, i, seconds, acc));
        if (progress != null) {
          progress.printf(
              Locale.ROOT,
              "seed %d, convex at gap %.0e: %.2f%% in %.1f s%n",
              seed,
              s.gaps().get(i),
              100 * acc,
              seconds);
        }
      }
      int hidden = MlpStudent.unitsFor(convexParams, d, c, basis);
      double budget = ADAM_BUDGET * slowest;
      for (String method : List.of(MINI_BATCH, FULL_BATCH)) {
        int batch = method.equals(MINI_BATCH) ? MlpStudent.BATCH : a.samples();
        List<Point> curve =
            adam(a, k, basis, hidden, batch, seed, budget, scorer, method, progress);
        points.addAll(curve);
      }
    }
    return write(points, teacherAccuracy, s);
  }

  /** Adam on the MLP, scored at epochs 1, 2, 4, 8, … until the time budget is spent. */
  private static List<Point> adam(
      Activations a,
      int k,
      OutputBasis basis,
      int hidden,
      int batch,
      int seed,
      double budget,
      HybridScorer scorer,
      String method,
      PrintStream progress) {
    List<Point> out = new ArrayList<>();
    MlpStudent.Prepared p = MlpStudent.prepare(a, basis);
    p.train(
        new MlpTrainer.Options(hidden, MAX_EPOCHS, batch, MlpStudent.LEARNING_RATE, seed),
        (epoch, seconds, sofar) -> {
          boolean last = seconds >= budget || epoch == MAX_EPOCHS;
          if (Integer.bitCount(epoch) == 1 || last) {
            double acc = scorer.accuracy(k, Hybrid.Replacement.of(p.student(sofar, basis)));
            out.add(new Point(method, seed, out.size(), seconds, acc));
            if (progress != null && last) {
              progress.printf(
                  Locale.ROOT,
                  "seed %d, %s: %.2f%% after %d epochs, %.1f s%n",
                  seed,
                  method,
                  100 * acc,
                  epoch,
                  seconds);
            }
          }
          return !last;
        });
    return out;
  }

  private static Result write(List<Point> points, double teacherAccuracy, Settings s)
      throws IOException {
    StringBuilder csv = new StringBuilder("method,seed,checkpoint,seconds,accuracy\n");
    for (Point p : points) {
      csv.append(
          String.format(
              Locale.ROOT,
              "%s,%d,%d,%.3f,%.4f%n",
              p.method(),
              p.seed(),
              p.index(),
              p.seconds(),
              p.accuracy()));
    }
    BandPlot plot =
        new BandPlot(
            String.format(
                Locale.ROOT, "Test accuracy vs fit time (block %d, %.0fx)", s.block(), s.ratio()),
            "seconds (log)",
            "test accuracy (%)");
    StringBuilder table =
        new StringBuilder(
            "| method | checkpoint | mean seconds | mean accuracy | ± 2 std | seeds |\n"
                + "|---|---|---|---|---|---|\n");
    double target = Double.NaN;
    double convexTime = Double.NaN;
    double adamTime = Double.NaN;
    List<double[]> convexCurve = new ArrayList<>();
    List<double[]> adamCurve = new ArrayList<>();
    for (String method : List.of(CONVEX, MINI_BATCH, FULL_BATCH)) {
      for (int index = 0; ; index++) {
        List<Point> at = new ArrayList<>();
        for (Point p : points) {
          if (p.method().equals(method) && p.index() == index) {
            at.add(p);
          }
        }
        // A checkpoint counts once every seed reached it (budgets differ a little per seed).
        if (at.size() < s.seeds()) {
          break;
        }
        double t = at.stream().mapToDouble(Point::seconds).average().orElse(0);
        double m = at.stream().mapToDouble(Point::accuracy).average().orElse(0);
        double var =
            at.stream().mapToDouble(p -> (p.accuracy() - m) * (p.accuracy() - m)).sum()
                / Math.max(1, at.size() - 1);
        double band = 2 * Math.sqrt(var);
        plot.point(method, t, 100 * m, 100 * (m - band), 100 * (m + band));
        table.append(
            String.format(
                Locale.ROOT,
                "| %s | %d | %.2f | %.2f %% | %.2f pp | %d |%n",
                method,
                index,
                t,
                100 * m,
                100 * band,
                at.size()));
        if (method.equals(CONVEX)) {
          convexCurve.add(new double[] {t, m});
        } else if (method.equals(MINI_BATCH)) {
          adamCurve.add(new double[] {t, m});
        }
      }
    }
    if (!adamCurve.isEmpty()) {
      // The non-convex student's accuracy: the best mean checkpoint of mini-batch Adam.
      target = adamCurve.stream().mapToDouble(x -> x[1]).max().orElse(Double.NaN);
      convexTime = firstReaching(convexCurve, target);
      adamTime = firstReaching(adamCurve, target);
    }
    plot.horizontalLine(
        String.format(Locale.ROOT, "teacher %.2f%%", 100 * teacherAccuracy), 100 * teacherAccuracy);
    Path csvFile = s.out().resolve("solver-time.csv");
    Path png = s.out().resolve("solver-time.png");
    Path md = s.out().resolve("solver-time.md");
    Files.writeString(csvFile, csv.toString());
    plot.writePng(png);
    StringBuilder b = new StringBuilder("# Solver time (paper Fig. 5)\n\n");
    b.append("Command: `").append(s.command()).append("`\n\n");
    b.append(
        String.format(
            Locale.ROOT,
            "Teacher: %.2f %% test accuracy. Block %d at %.0f×, %,d unlabeled images, %d gates,"
                + " seeds 0..%d. Convex: the λ path solved to relative gaps %s (one point each, a"
                + " fresh fit). Adam: the MLP with the convex student's parameter count, scored at"
                + " epochs 1, 2, 4, …, until %.1f× the slowest convex fit. Fit time only.%n%n",
            100 * teacherAccuracy,
            s.block(),
            s.ratio(),
            s.samples(),
            s.gates(),
            s.seeds() - 1,
            s.gaps(),
            ADAM_BUDGET));
    b.append(table);
    b.append(
        String.format(
            Locale.ROOT,
            "%nThe non-convex student's best mean accuracy (mini-batch Adam): %.2f %%. Time to"
                + " reach it: convex %s, Adam %s%s.%n",
            100 * target,
            Double.isNaN(convexTime)
                ? "never (within its gaps)"
                : String.format(Locale.ROOT, "%.2f s", convexTime),
            Double.isNaN(adamTime) ? "never" : String.format(Locale.ROOT, "%.2f s", adamTime),
            Double.isNaN(convexTime) || Double.isNaN(adamTime)
                ? ""
                : String.format(Locale.ROOT, " (%.1f× faster)", adamTime / convexTime)));
    b.append("\nFiles: `solver-time.csv` (every checkpoint), `solver-time.png` (the plot).\n");
    Files.writeString(md, b.toString());
    return new Result(points, teacherAccuracy, target, convexTime, adamTime, csvFile, png, md);
  }

  /** The first mean time whose mean accuracy reaches {@code target}, or NaN. */
  private static double firstReaching(List<double[]> curve, double target) {
    for (double[] p : curve) {
      if (p[1] >= target) {
        return p[0];
      }
    }
    return Double.NaN;
  }
}
