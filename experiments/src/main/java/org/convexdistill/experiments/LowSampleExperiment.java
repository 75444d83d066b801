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
 * The paper's low-sample experiment (Fig. 3b/6): convex vs non-convex students fitted to few
 * unlabeled images, at one compression. "m per class" is the first 10·m training images: Fashion-
 * MNIST's training set is balanced, and choosing by class would read labels, which only scoring
 * may.
 */
public final class LowSampleExperiment {
  /**
   * The grid and where to write.
   *
   * @param perClass images per class (10 classes: the first 10·m training images)
   * @param ratio the target block compression of every student
   */
  public record Settings(
      int block,
      List<Integer> perClass,
      double ratio,
      int seeds,
      int gates,
      double gapTolerance,
      int adamSteps,
      Path out,
      String command) {
    /** These settings with another seed count. */
    public Settings withSeeds(int seeds) {
      return new Settings(
          block, perClass, ratio, seeds, gates, gapTolerance, adamSteps, out, command);
    }

    /** The reduced grid: block 4 at 32×, 10, 50 and 100 per class, one seed. */
    public static Settings quick(Path out, String command) {
      return new Settings(4, List.of(10, 50, 100), 32, 1, 32, 1e-2, 2000, out, command);
    }

    /** The paper's grid: 10, 50, 100, 500 per class, three seeds. */
    public static Settings full(Path out, String command) {
      return new Settings(4, List.of(10, 50, 100, 500), 32, 3, 32, 1e-3, 10_000, out, command);
    }
  }

  /** Classes of Fashion-MNIST. */
  static final int CLASSES = 10;

  private LowSampleExperiment() {}

  /** Runs the grid (see {@link CompressionExperiment#run} for the arguments). */
  public static Written run(
      DjlTeacher teacher, Images train, LabeledImages test, Settings s, PrintStream progress)
      throws IOException {
    Files.createDirectories(s.out());
    StudentPoint.Fitting fitting =
        new StudentPoint.Fitting(s.gates(), s.gapTolerance(), s.adamSteps());
    List<Row> rows = new ArrayList<>();
    double teacherAccuracy = Double.NaN;
    HybridScorer scorer = new HybridScorer(teacher, test);
    GridProgress bar = new GridProgress(progress, s.perClass().size() * s.seeds());
    for (int m : s.perClass()) {
      Images unlabeled = train.slice(0, Math.min(CLASSES * m, train.count()));
      Activations a = Activations.extract(teacher, unlabeled, s.block());
      for (int seed = 0; seed < s.seeds(); seed++) {
        StudentPoint.Scored p =
            StudentPoint.fit(teacher, s.block(), a, s.ratio(), seed, fitting, scorer, false);
        rows.addAll(p.rows());
        teacherAccuracy = p.teacherAccuracy();
        bar.done(String.format(Locale.ROOT, "%d per class, seed %d", m, seed), p.rows());
      }
    }
    Path csv = s.out().resolve("low-sample.csv");
    Path png = s.out().resolve("low-sample.png");
    Path md = s.out().resolve("low-sample.md");
    Files.writeString(csv, Row.csv(rows));
    LinePlot plot =
        new LinePlot(
            String.format(
                Locale.ROOT,
                "Test accuracy vs unlabeled images (block %d, %.0fx)",
                s.block(),
                s.ratio()),
            "unlabeled images per class",
            "test accuracy (%)",
            true);
    for (Row r : rows) {
      plot.point(r.kind(), (double) r.images() / CLASSES, 100 * r.accuracy());
    }
    plot.horizontalLine(
            String.format(Locale.ROOT, "teacher %.2f%%", 100 * teacherAccuracy),
            100 * teacherAccuracy)
        .writePng(png);
    StringBuilder b = new StringBuilder("# Low-sample regime (paper Fig. 3b/6)\n\n");
    b.append("Command: `").append(s.command()).append("`\n\n");
    b.append(
        String.format(
            Locale.ROOT,
            "Teacher: %.2f %% test accuracy. Block %d, target %.0f× (the Adam-trained students, at"
                + " least %,d steps each, get the convex one-vs-all student's parameter count); m"
                + " per class ="
                + " the first 10·m training images, labels not read; %d gates, gap %.0e, seeds"
                + " 0..%d.%n%n",
            100 * teacherAccuracy,
            s.block(),
            s.ratio(),
            s.adamSteps(),
            s.gates(),
            s.gapTolerance(),
            s.seeds() - 1));
    b.append(Row.markdown(rows, teacherAccuracy));
    b.append("\nFiles: `low-sample.csv` (every row), `low-sample.png` (the plot).\n");
    Files.writeString(md, b.toString());
    return new Written(rows, teacherAccuracy, csv, png, md);
  }
}
