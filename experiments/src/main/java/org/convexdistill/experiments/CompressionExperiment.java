package org.convexdistill.experiments;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.core.teacher.Hybrid;
import org.convexdistill.learner.offline.Activations;
import org.convexdistill.teacher.DjlTeacher;

/**
 * The paper's compression experiment (Fig. 3a/4): test accuracy against whole-model size when one
 * block is replaced, for every student kind of {@link StudentPoint} and magnitude pruning at equal
 * non-zero weights, the teacher as a dashed line.
 */
public final class CompressionExperiment {
  /**
   * The grid and where to write.
   *
   * @param blocks blocks replaced one at a time
   * @param combined blocks also replaced together, each by its own student of the same kind, ratio
   *     and seed from the single-block grid (empty for none; each must be in {@code blocks})
   * @param ratios target block compression ratios (block parameters ÷ student budget)
   * @param seeds gate seeds 0..seeds−1 (and the MLP's initialisation)
   * @param samples unlabeled training images the students are fitted to (the first ones)
   * @param command the command line, quoted in the report
   */
  public record Settings(
      List<Integer> blocks,
      List<Integer> combined,
      List<Double> ratios,
      int seeds,
      int samples,
      int gates,
      double gapTolerance,
      int adamSteps,
      Path out,
      String command) {
    /** These settings with another seed count and image count. */
    public Settings with(int seeds, int samples) {
      return new Settings(
          blocks, combined, ratios, seeds, samples, gates, gapTolerance, adamSteps, out, command);
    }

    public Settings {
      blocks = List.copyOf(blocks);
      combined = List.copyOf(combined);
      if (combined.size() == 1 || !blocks.containsAll(combined)) {
        throw new IllegalArgumentException(
            "combined blocks " + combined + " must be two or more of the grid's blocks " + blocks);
      }
    }

    /** The reduced grid: blocks 3, 4 and 3+4 at 8× and 32×, one seed, 1,000 images, 32 gates. */
    public static Settings quick(Path out, String command) {
      return new Settings(
          List.of(3, 4), List.of(3, 4), List.of(8.0, 32.0), 1, 1000, 32, 1e-2, 2000, out, command);
    }

    /** The full grid: blocks 3, 4 and 3+4 at 4× to 128×, three seeds, 10,000 images, 32 gates. */
    public static Settings full(Path out, String command) {
      return new Settings(
          List.of(3, 4),
          List.of(3, 4),
          List.of(4.0, 8.0, 16.0, 32.0, 64.0, 128.0),
          3,
          10_000,
          32,
          1e-3,
          10_000,
          out,
          command);
    }
  }

  private CompressionExperiment() {}

  /**
   * Runs the grid on {@code teacher}: students fitted to the first {@code samples} of {@code train}
   * (unlabeled), every hybrid scored on {@code test}; progress lines with an ETA on {@code
   * progress} (or none).
   */
  public static Written run(
      DjlTeacher teacher, Images train, LabeledImages test, Settings s, PrintStream progress)
      throws IOException {
    Files.createDirectories(s.out());
    Images unlabeled = train.slice(0, Math.min(s.samples(), train.count()));
    StudentPoint.Fitting fitting =
        new StudentPoint.Fitting(s.gates(), s.gapTolerance(), s.adamSteps());
    List<Row> rows = new ArrayList<>();
    HybridScorer scorer = new HybridScorer(teacher, test);
    double teacherAccuracy = scorer.teacherAccuracy();
    GridProgress bar =
        new GridProgress(progress, s.blocks().size() * s.ratios().size() * s.seeds());
    // (block, ratio, seed) → kind → replacement, for the combined hybrids.
    Map<String, Map<String, Hybrid.Replacement>> kept = new HashMap<>();
    for (int k : s.blocks()) {
      Activations a = Activations.extract(teacher, unlabeled, k);
      for (double ratio : s.ratios()) {
        for (int seed = 0; seed < s.seeds(); seed++) {
          // Pruning has no seed: once per ratio.
          StudentPoint.Scored p =
              StudentPoint.fit(teacher, k, a, ratio, seed, fitting, scorer, seed == 0);
          rows.addAll(p.rows());
          if (s.combined().contains(k)) {
            kept.put(key(k, ratio, seed), p.replacements());
          }
          bar.done(
              String.format(Locale.ROOT, "block %d at %.0fx, seed %d", k, ratio, seed), p.rows());
        }
      }
    }
    if (!s.combined().isEmpty()) {
      rows.addAll(combined(teacher, s, kept, scorer, unlabeled.count()));
      rows.addAll(JointSpanStudent.rows(teacher, unlabeled, s, scorer, progress));
    }
    Path csv = s.out().resolve("compression.csv");
    Path png = s.out().resolve("compression.png");
    Path md = s.out().resolve("compression.md");
    Files.writeString(csv, Row.csv(rows));
    plot(rows, teacherAccuracy).writePng(png);
    Files.writeString(md, report(rows, teacherAccuracy, teacher.totalParameters(), s));
    return new Written(rows, teacherAccuracy, csv, png, md);
  }

  private static String key(int block, double ratio, int seed) {
    return block + "|" + ratio + "|" + seed;
  }

  /**
   * The hybrids with every combined block replaced at once, each by its own single-block student of
   * the same kind, ratio and seed: nothing is refitted, so each row's fit time is 0.
   */
  private static List<Row> combined(
      DjlTeacher teacher,
      Settings s,
      Map<String, Map<String, Hybrid.Replacement>> kept,
      HybridScorer scorer,
      int images) {
    List<Row> rows = new ArrayList<>();
    String label = s.combined().stream().map(String::valueOf).collect(Collectors.joining("+"));
    for (double ratio : s.ratios()) {
      for (int seed = 0; seed < s.seeds(); seed++) {
        Map<String, Hybrid.Replacement> first = kept.get(key(s.combined().get(0), ratio, seed));
        for (String kind : first.keySet()) {
          Map<Integer, Hybrid.Replacement> together = new TreeMap<>();
          long parameters = 0;
          long replaced = 0;
          for (int k : s.combined()) {
            Hybrid.Replacement r = kept.get(key(k, ratio, seed)).get(kind);
            if (r != null) {
              together.put(k, r);
              parameters += r.parameters();
              replaced += teacher.blockParameters(k);
            }
          }
          if (together.size() < s.combined().size()) {
            continue;
          }
          HybridScorer.Figures f = scorer.score(together);
          rows.add(
              new Row(
                  label,
                  kind,
                  ratio,
                  images,
                  seed,
                  parameters,
                  teacher.totalParameters() - replaced + parameters,
                  f.accuracy(),
                  f.agreement(),
                  0));
        }
      }
    }
    return rows;
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
            "Teacher: %.2f %% test accuracy, %,d parameters. Students fitted to the first %,d"
                + " unlabeled training images (%d gates, gap %.0e, seeds 0..%d); the Adam-trained"
                + " students (at least %,d steps each) get as many weights, and pruning keeps as"
                + " many non-zero kernel weights, as the one-vs-all student has parameters. A 3+4"
                + " row replaces both blocks by the single-block students of its kind, ratio and"
                + " seed (nothing refitted), except the joint rows: ONE convex student for the whole span,"
                + " behind a fixed %d-channel projection of its input (nuclear norm, ADMM, the"
                + " teacher's logits; %d gates, λ floor %.0e·λmax), fitted to the span's own"
                + " activations at the span's budget.%n%n",
            100 * teacherAccuracy,
            teacherParams,
            s.samples(),
            s.gates(),
            s.gapTolerance(),
            s.seeds() - 1,
            s.adamSteps(),
            JointSpanStudent.CHANNELS,
            JointSpanStudent.GATES,
            JointSpanStudent.LAMBDA_RATIO));
    b.append(Row.markdown(rows, teacherAccuracy));
    b.append("\nFiles: `compression.csv` (every row), `compression.png` (the plot).\n");
    return b.toString();
  }
}
