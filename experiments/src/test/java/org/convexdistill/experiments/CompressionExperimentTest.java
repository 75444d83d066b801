package org.convexdistill.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.teacher.DjlTeacher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compression experiment end to end on the repository's fixture, with a real teacher. */
class CompressionExperimentTest {
  @TempDir Path out;

  static Path fixture() {
    Path d = Path.of("").toAbsolutePath();
    for (int up = 0; up < 4 && d != null; up++, d = d.getParent()) {
      Path candidate = d.resolve("data/fashion-mnist-mini");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("data/fashion-mnist-mini not found");
  }

  @Test
  void lowSampleFitsEveryCountOfUnlabeledImagesAndPlotsIt() throws Exception {
    LabeledImages train = FashionMnist.load(fixture(), FashionMnist.Split.TRAIN);
    LabeledImages test = FashionMnist.load(fixture(), FashionMnist.Split.TEST).head(100);
    LowSampleExperiment.Settings s =
        new LowSampleExperiment.Settings(
            4, List.of(5, 20), 16, 1, 4, 1e-2, 100, out, "distill experiment low-sample -x");
    Written r;
    try (DjlTeacher teacher = DjlTeacher.create(10, 6, 50)) {
      r = LowSampleExperiment.run(teacher, train.images(), test, s, null);
    }
    // Six kinds (no pruning: it needs no data) at each of two counts.
    assertThat(r.rows()).hasSize(12);
    assertThat(r.rows())
        .extracting(Row::images)
        .containsExactly(50, 50, 50, 50, 50, 50, 200, 200, 200, 200, 200, 200);
    assertThat(Files.readAllLines(r.csv())).hasSize(13);
    BufferedImage png = ImageIO.read(r.png().toFile());
    assertThat(png.getWidth()).isEqualTo(LinePlot.WIDTH);
    assertThat(png.getHeight()).isEqualTo(LinePlot.HEIGHT);
    assertThat(Files.readString(r.md()))
        .contains("`distill experiment low-sample -x`")
        .contains("| 4 | non-convex MLP (Adam) | 16× | 200 |");
  }

  @Test
  void solverTimeScoresEveryGapAndAdamCheckpointForEachSeed() throws Exception {
    LabeledImages train = FashionMnist.load(fixture(), FashionMnist.Split.TRAIN);
    LabeledImages test = FashionMnist.load(fixture(), FashionMnist.Split.TEST).head(100);
    SolverTimeExperiment.Settings s =
        new SolverTimeExperiment.Settings(
            4, 16, 200, 2, 4, List.of(3e-1, 1e-1), out, "distill experiment solver-time -x");
    SolverTimeExperiment.Result r;
    try (DjlTeacher teacher = DjlTeacher.create(10, 7, 50)) {
      r = SolverTimeExperiment.run(teacher, train.images(), test, s, null);
    }
    assertThat(r.points())
        .filteredOn(p -> p.method().equals(SolverTimeExperiment.CONVEX))
        .hasSize(4);
    for (String adam : List.of(SolverTimeExperiment.MINI_BATCH, SolverTimeExperiment.FULL_BATCH)) {
      for (int seed = 0; seed < 2; seed++) {
        int sd = seed;
        List<SolverTimeExperiment.Point> curve =
            r.points().stream().filter(p -> p.method().equals(adam) && p.seed() == sd).toList();
        // Epochs 1, 2, 4, ... then the last: times strictly grow, scoring time not counted.
        assertThat(curve).isNotEmpty();
        for (int i = 1; i < curve.size(); i++) {
          assertThat(curve.get(i).seconds()).isGreaterThan(curve.get(i - 1).seconds());
        }
      }
    }
    assertThat(Files.readAllLines(r.csv())).hasSize(1 + r.points().size());
    BufferedImage png = ImageIO.read(r.png().toFile());
    assertThat(png.getWidth()).isEqualTo(LinePlot.WIDTH);
    assertThat(Files.readString(r.md()))
        .contains("`distill experiment solver-time -x`")
        .contains("Time to reach it");
  }

  @Test
  void polishComparesTheStudentBeforeAndAfterPolishingWithTheMlpAtEachRatio() throws Exception {
    LabeledImages train = FashionMnist.load(fixture(), FashionMnist.Split.TRAIN);
    LabeledImages test = FashionMnist.load(fixture(), FashionMnist.Split.TEST).head(100);
    PolishExperiment.Settings s =
        new PolishExperiment.Settings(
            4, 20, List.of(16.0), 1, 4, 1e-2, 100, out, "distill experiment polish -x");
    Written r;
    try (DjlTeacher teacher = DjlTeacher.create(10, 8, 50)) {
      r = PolishExperiment.run(teacher, train.images(), test, s, null);
    }
    assertThat(r.rows())
        .extracting(Row::kind)
        .containsExactly(
            StudentPoint.CONVEX,
            StudentPoint.SHARED,
            StudentPoint.NUCLEAR,
            StudentPoint.MLP,
            StudentPoint.CNN,
            StudentPoint.RELU_CNN);
    assertThat(r.rows()).extracting(Row::images).containsOnly(200);
    // Polishing never adds a unit: at most the one-vs-all student's units, each d + r weights.
    assertThat(r.rows().get(1).blockParameters())
        .isLessThanOrEqualTo(r.rows().get(0).blockParameters() * (1024 + 10) / (1024 + 1));
    assertThat(ImageIO.read(r.png().toFile()).getHeight()).isEqualTo(LinePlot.HEIGHT);
    assertThat(Files.readString(r.md())).contains("`distill experiment polish -x`");
  }

  @Test
  void writesEveryRowThePlotAndTheReportWithPruningMatchedToTheConvexStudent() throws Exception {
    LabeledImages train = FashionMnist.load(fixture(), FashionMnist.Split.TRAIN);
    LabeledImages test = FashionMnist.load(fixture(), FashionMnist.Split.TEST).head(200);
    CompressionExperiment.Settings s =
        new CompressionExperiment.Settings(
            List.of(3, 4),
            List.of(3, 4),
            List.of(16.0),
            1,
            300,
            4,
            1e-2,
            100,
            out,
            "distill experiment compression -x");
    Written r;
    try (DjlTeacher teacher = DjlTeacher.create(10, 5, 50)) {
      r = CompressionExperiment.run(teacher, train.images(), test, s, null);
      long bn = teacher.blockParameters(4) - teacher.kernelWeights(4);
      // Block 3's seven rows, then block 4's, then the seven 3+4 hybrids.
      assertThat(r.rows())
          .extracting(Row::block)
          .containsExactly(
              "3", "3", "3", "3", "3", "3", "3", "4", "4", "4", "4", "4", "4", "4", "3+4", "3+4",
              "3+4", "3+4", "3+4", "3+4", "3+4", "3+4");
      Row convex = r.rows().get(7);
      Row shared = r.rows().get(8);
      Row nuclear = r.rows().get(9);
      Row mlp = r.rows().get(10);
      Row cnn = r.rows().get(11);
      Row reluCnn = r.rows().get(12);
      Row pruned = r.rows().get(13);
      assertThat(nuclear.kind()).isEqualTo(StudentPoint.NUCLEAR);
      assertThat(nuclear.blockParameters()).isLessThanOrEqualTo(teacher.blockParameters(4) / 16);
      assertThat(cnn.kind()).isEqualTo(StudentPoint.CNN);
      assertThat(reluCnn.kind()).isEqualTo(StudentPoint.RELU_CNN);
      assertThat(reluCnn.blockParameters()).isLessThanOrEqualTo(convex.blockParameters());
      assertThat(reluCnn.blockParameters() + 9 * 256 + 2 + 512)
          .isGreaterThan(convex.blockParameters());
      // The most filters whose Table 1 count fits the convex student's parameters.
      assertThat(cnn.blockParameters()).isLessThanOrEqualTo(convex.blockParameters());
      assertThat(cnn.blockParameters() + 9 * 256 * 2 + 2 * 2 + 512)
          .isGreaterThan(convex.blockParameters());
      assertThat(mlp.kind()).isEqualTo(StudentPoint.MLP);
      // Parameter matching: at most the convex student's, less by under one unit's weights.
      assertThat(mlp.blockParameters())
          .isLessThanOrEqualTo(convex.blockParameters())
          .isGreaterThan(convex.blockParameters() - (256 * 2 * 2 + 10));
      assertThat(convex.kind()).isEqualTo(StudentPoint.CONVEX);
      assertThat(shared.kind()).isEqualTo(StudentPoint.SHARED);
      assertThat(pruned.kind()).isEqualTo(StudentPoint.PRUNE);
      // Equal non-zero weights: the pruned block keeps the convex student's parameter count.
      assertThat(pruned.blockParameters() - bn).isEqualTo(convex.blockParameters());
      assertThat(convex.blockParameters()).isLessThanOrEqualTo(teacher.blockParameters(4) / 16);
      long rest = teacher.totalParameters() - teacher.blockParameters(4);
      assertThat(convex.modelParameters()).isEqualTo(rest + convex.blockParameters());
      // Each 3+4 hybrid holds both blocks' students of its kind, nothing else changed.
      long rest34 =
          teacher.totalParameters() - teacher.blockParameters(3) - teacher.blockParameters(4);
      for (int i = 0; i < 7; i++) {
        Row three = r.rows().get(i);
        Row four = r.rows().get(7 + i);
        Row both = r.rows().get(14 + i);
        assertThat(both.kind()).isEqualTo(three.kind()).isEqualTo(four.kind());
        assertThat(both.blockParameters())
            .isEqualTo(three.blockParameters() + four.blockParameters());
        assertThat(both.modelParameters()).isEqualTo(rest34 + both.blockParameters());
      }
      // Then ONE joint student of the span (not two put together), within the span's budget,
      // behind its channel projection, and better than chance on the fixture teacher's classes.
      Row joint = r.rows().get(21);
      assertThat(joint.kind()).isEqualTo(JointSpanStudent.KIND);
      long span = teacher.blockParameters(3) + teacher.blockParameters(4);
      assertThat(joint.blockParameters())
          .isPositive()
          .isLessThanOrEqualTo(span / 16)
          .isGreaterThan(JointSpanStudent.CHANNELS * (128 + 1));
      assertThat(joint.modelParameters()).isEqualTo(rest34 + joint.blockParameters());
      assertThat(joint.agreement()).isGreaterThan(0.2);
      for (Row row : r.rows()) {
        assertThat(row.accuracy()).isBetween(0.0, 1.0);
        assertThat(row.agreement()).isBetween(0.0, 1.0);
      }
    }
    List<String> csv = Files.readAllLines(r.csv());
    assertThat(csv).hasSize(23);
    assertThat(csv.get(0)).isEqualTo(Row.CSV_HEADER.strip());
    assertThat(csv.get(14)).startsWith("4,magnitude pruning,16.0,300,0,");
    // A kind holding a comma is quoted, so every row keeps the header's ten columns.
    assertThat(csv.get(12)).startsWith("4,\"gated CNN (eq. 8, Adam)\",16.0,300,0,");
    assertThat(csv.get(21)).startsWith("3+4,magnitude pruning,16.0,300,0,");
    BufferedImage png = ImageIO.read(r.png().toFile());
    assertThat(png).isNotNull();
    assertThat(png.getWidth()).isEqualTo(LinePlot.WIDTH);
    assertThat(png.getHeight()).isEqualTo(LinePlot.HEIGHT);
    String md = Files.readString(r.md());
    assertThat(md)
        .contains("`distill experiment compression -x`")
        .contains("| 4 | convex one-vs-all | 16× | 300 |")
        .contains("| 4 | non-convex MLP (Adam) | 16× | 300 |")
        .contains("| 4 | magnitude pruning | 16× | 300 |")
        .contains("| 3+4 | convex one-vs-all | 16× | 300 |")
        .contains("| 3+4 | convex joint span (projected, nuclear norm) | 16× | 300 |");
  }
}
