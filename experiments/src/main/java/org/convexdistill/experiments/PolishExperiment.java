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
import org.convexdistill.learner.offline.Activations;
import org.convexdistill.teacher.DjlTeacher;

/**
 * The paper's polishing experiment (Fig. 7): with 100 unlabeled images per class, the convex
 * one-vs-all student before and after the paper's polishing (a second layer shared across outputs,
 * refitted by group elastic net) against the non-convex MLP of the same size, across compressions.
 */
public final class PolishExperiment {
  /**
   * The grid and where to write.
   *
   * @param perClass images per class (the first 10·m training images; labels not read)
   */
  public record Settings(
      int block,
      int perClass,
      List<Double> ratios,
      int seeds,
      int gates,
      double gapTolerance,
      int adamSteps,
      Path out,
      String command) {
    /** These settings with another seed count. */
    public Settings withSeeds(int seeds) {
      return new Settings(
          block, perClass, ratios, seeds, gates, gapTolerance, adamSteps, out, command);
    }

    /** Block 4, 100 per class, 32× and 128×, one seed. */
    public static Settings quick(Path out, String command) {
      return new Settings(4, 100, List.of(32.0, 128.0), 1, 32, 1e-2, 2000, out, command);
    }

    /** Block 4, 100 per class, 16× to 128×, three seeds. */
    public static Settings full(Path out, String command) {
      return new Settings(
          4, 100, List.of(16.0, 32.0, 64.0, 128.0), 3, 32, 1e-3, 10_000, out, command);
    }
  }

  private PolishExperiment() {}

  /** Runs the grid (see {@link CompressionExperiment#run} for the arguments). */
  public static Written run(
      DjlTeacher teacher, Images train, LabeledImages test, Settings s, PrintStream progress)
      throws IOException {
    Files.createDirectories(s.out());
    StudentPoint.Fitting fitting =
        new StudentPoint.Fitting(s.gates(), s.gapTolerance(), s.adamSteps());
    Images unlabeled =
        train.slice(0, Math.min(LowSampleExperiment.CLASSES * s.perClass(), train.count()));
    Activations a = Activations.extract(teacher, unlabeled, s.block());
    List<Row> rows = new ArrayList<>();
    double teacherAccuracy = Double.NaN;
    HybridScorer scorer = new HybridScorer(teacher, test);
    GridProgress bar = new GridProgress(progress, s.ratios().size() * s.seeds());
    for (double ratio : s.ratios()) {
      for (int seed = 0; seed < s.seeds(); seed++) {
        StudentPoint.Scored p =
            StudentPoint.fit(teacher, s.block(), a, ratio, seed, fitting, scorer, false);
        rows.addAll(p.rows());
        teacherAccuracy = p.teacherAccuracy();
        bar.done(String.format(Locale.ROOT, "%.0fx, seed %d", ratio, seed), p.rows());
      }
    }
    Path csv = s.out().resolve("polish.csv");
    Path png = s.out().resolve("polish.png");
    Path md = s.out().resolve("polish.md");
    Files.writeString(csv, Row.csv(rows));
    LinePlot plot =
        new LinePlot(
            String.format(
                Locale.ROOT,
                "Polishing with %d images per class (block %d)",
                s.perClass(),
                s.block()),
            "student parameters",
            "test accuracy (%)",
            true);
    for (Row r : rows) {
      String name =
          switch (r.kind()) {
            case StudentPoint.CONVEX -> "convex, before polishing";
            case StudentPoint.SHARED -> "convex, after polishing (shared second layer)";
            default -> r.kind();
          };
      plot.point(name, r.blockParameters(), 100 * r.accuracy());
    }
    plot.horizontalLine(
            String.format(Locale.ROOT, "teacher %.2f%%", 100 * teacherAccuracy),
            100 * teacherAccuracy)
        .writePng(png);
    StringBuilder b = new StringBuilder("# Polishing (paper Fig. 7)\n\n");
    b.append("Command: `").append(s.command()).append("`\n\n");
    b.append(
        String.format(
            Locale.ROOT,
            "Teacher: %.2f %% test accuracy. Block %d, %d unlabeled images per class (the first"
                + " %,d training images, labels not read); \"before\" is the one-vs-all student"
                + " (with its support refit), \"after\" the paper's polishing of it; the Adam-trained"
                + " students (at least %,d steps each) get the one-vs-all student's parameter count;"
                + " %d gates, gap %.0e, seeds 0..%d.%n%n",
            100 * teacherAccuracy,
            s.block(),
            s.perClass(),
            a.samples(),
            s.adamSteps(),
            s.gates(),
            s.gapTolerance(),
            s.seeds() - 1));
    b.append(Row.markdown(rows, teacherAccuracy));
    b.append("\nFiles: `polish.csv` (every row), `polish.png` (the plot).\n");
    Files.writeString(md, b.toString());
    return new Written(rows, teacherAccuracy, csv, png, md);
  }
}
