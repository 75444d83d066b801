package org.convexdistill.experiments;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convexdistill.core.student.ConvStudent;
import org.convexdistill.core.student.OutputBasis;
import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.core.teacher.Hybrid;
import org.convexdistill.core.teacher.TensorShape;
import org.convexdistill.learner.offline.Activations;
import org.convexdistill.learner.offline.DistillOptions;
import org.convexdistill.learner.offline.DistilledBlock;
import org.convexdistill.learner.offline.OfflineDistiller;
import org.convexdistill.teacher.AdamSteps;
import org.convexdistill.teacher.CnnStudent;
import org.convexdistill.teacher.DjlTeacher;

/**
 * One grid point of the experiments: every student kind for block k on the same activations, at one
 * target compression and gate seed, each scored on the test images. One convex fit gives the
 * one-vs-all student and, by the paper's polishing, the shared-output one; the non-convex MLP
 * (Adam) gets as many weights and the pruned block as many non-zero kernel weights as the
 * one-vs-all student has parameters (the paper's matching rule).
 */
final class StudentPoint {
  /** Student kinds, as they appear in the CSV and the legends. */
  static final String CONVEX = "convex one-vs-all";

  static final String SHARED = "convex shared (polished)";
  static final String NUCLEAR = "convex shared (nuclear norm)";
  static final String MLP = "non-convex MLP (Adam)";
  static final String PRUNE = "magnitude pruning";
  static final String CNN = "gated CNN (eq. 8, Adam)";
  static final String RELU_CNN = "non-convex CNN (Adam)";

  /** The gated CNN's Adam step size and mini-batch rows. */
  static final float CNN_LEARNING_RATE = 3e-3f;

  static final int CNN_BATCH = 50;

  /**
   * Where the nuclear-norm student's short λ path ends, as a fraction of λmax (its rank per gate,
   * from the budget, sets the size; 0.002 was the best offline figure on block 4).
   */
  static final double NUCLEAR_RATIO = 0.002;

  /** The λ path's end, λmax·MIN_RATIO: low enough that the budget, not the path, sets the size. */
  static final double MIN_RATIO = 1e-4;

  static final int PATH_POINTS = 12;

  /** How the students are fitted. */
  record Fitting(int gates, double gapTolerance, int adamSteps) {}

  /**
   * The rows of one point, the teacher's accuracy on the same test images, and each kind's
   * replacement (kept for hybrids that replace several blocks).
   */
  record Scored(
      List<Row> rows, double teacherAccuracy, Map<String, Hybrid.Replacement> replacements) {}

  private StudentPoint() {}

  static Scored fit(
      DjlTeacher teacher,
      int k,
      Activations a,
      double ratio,
      int seed,
      Fitting f,
      HybridScorer test,
      boolean prune) {
    long blockParams = teacher.blockParameters(k);
    long rest = teacher.totalParameters() - blockParams;
    int images = a.samples();
    long t0 = System.nanoTime();
    DistillOptions o =
        convexOptions(k, ratio, seed, f)
            .optSharedPolish(true)
            .optMinRatio(MIN_RATIO)
            .optPathPoints(PATH_POINTS)
            .build();
    OutputBasis basis = OfflineDistiller.headBasis(teacher, o, a.outputs().shape()[1]);
    DistilledBlock b = OfflineDistiller.fit(a, blockParams, o, null, 0, basis);
    double fitSeconds = (System.nanoTime() - t0) / 1e9;
    List<Row> rows = new ArrayList<>();
    Map<String, Hybrid.Replacement> kept = new LinkedHashMap<>();
    Hybrid.Replacement oneVsAll = Hybrid.Replacement.of(b.servedOneVsAll());
    kept.put(CONVEX, oneVsAll);
    HybridScorer.Figures one = test.score(k, oneVsAll);
    // The paper's matching rule: the Adam students and pruning get the one-vs-all student's
    // parameters, or the budget itself when that student is empty (no unit fitted the budget).
    long convexParams = b.oneVsAll().parameterCount();
    long matched = convexParams > 0 ? convexParams : (long) Math.floor(blockParams / ratio);
    rows.add(row(k, StudentPoint.CONVEX, ratio, images, seed, convexParams, rest, one, fitSeconds));
    Hybrid.Replacement polished = Hybrid.Replacement.of(b.served());
    kept.put(SHARED, polished);
    HybridScorer.Figures shared = test.score(k, polished);
    rows.add(row(k, SHARED, ratio, images, seed, b.student().parameterCount(), rest, shared, 0));
    // Theorem 3B's convex shared-output student at the same budget (rank per gate from it).
    long tn = System.nanoTime();
    DistillOptions nuclearOptions =
        convexOptions(k, ratio, seed, f).optNuclear(NUCLEAR_RATIO).build();
    StudentBlock nuclear =
        OfflineDistiller.fit(a, blockParams, nuclearOptions, null, 0, basis).student();
    double nuclearSeconds = (System.nanoTime() - tn) / 1e9;
    kept.put(NUCLEAR, Hybrid.Replacement.of(nuclear));
    rows.add(
        row(
            k,
            NUCLEAR,
            ratio,
            images,
            seed,
            nuclear.parameterCount(),
            rest,
            test.score(k, kept.get(NUCLEAR)),
            nuclearSeconds));
    long t1 = System.nanoTime();
    int d = a.inputs().shape()[1];
    int c = a.outputs().shape()[1];
    StudentBlock mlp =
        MlpStudent.train(a, basis, MlpStudent.unitsFor(matched, d, c, basis), f.adamSteps(), seed);
    double mlpSeconds = (System.nanoTime() - t1) / 1e9;
    kept.put(MLP, Hybrid.Replacement.of(mlp));
    HybridScorer.Figures nonConvex = test.score(k, kept.get(MLP));
    rows.add(row(k, MLP, ratio, images, seed, mlp.parameterCount(), rest, nonConvex, mlpSeconds));
    for (ConvStudent.Architecture arch : ConvStudent.Architecture.values()) {
      long tc = System.nanoTime();
      ConvStudent cnn = cnn(arch, teacher, k, a, matched, f, seed);
      double cnnSeconds = (System.nanoTime() - tc) / 1e9;
      String kind = arch == ConvStudent.Architecture.GATED ? CNN : RELU_CNN;
      kept.put(kind, Hybrid.Replacement.of(cnn));
      rows.add(
          row(
              k,
              kind,
              ratio,
              images,
              seed,
              cnn.parameterCount(),
              rest,
              test.score(k, kept.get(kind)),
              cnnSeconds));
    }
    if (prune) {
      long t2 = System.nanoTime();
      DjlTeacher.PrunedBlock pruned =
          teacher.prunedBlock(k, Math.min(matched, teacher.kernelWeights(k)));
      kept.put(PRUNE, pruned);
      HybridScorer.Figures p = test.score(k, pruned);
      rows.add(
          row(
              k,
              PRUNE,
              ratio,
              images,
              seed,
              pruned.parameters(),
              rest,
              p,
              (System.nanoTime() - t2) / 1e9));
    }
    return new Scored(rows, test.teacherAccuracy(), kept);
  }

  /** What both convex fits of a point share: block, budget, gates, seed, gap, the loss. */
  private static DistillOptions.Builder convexOptions(int k, double ratio, int seed, Fitting f) {
    return DistillOptions.builder()
        .setBlock(k)
        .optCompression(ratio)
        .optGates(f.gates())
        .optSeed(seed)
        .optGapTolerance(f.gapTolerance())
        // Block 4's suffix is linear: fit the teacher's own logits (its outputs, not labels).
        .optHeadWeight(k == 4 ? Double.POSITIVE_INFINITY : 0);
  }

  /**
   * A CNN student of the paper (eq. 8 gated, or the non-convex ReLU one) with the most filters
   * whose trained parameters (the gated one's Table 1 count, gate convolution included) fit the
   * convex student's, trained on the block outputs' MSE.
   */
  private static ConvStudent cnn(
      ConvStudent.Architecture architecture,
      DjlTeacher teacher,
      int k,
      Activations a,
      long convexParams,
      Fitting f,
      int seed) {
    TensorShape in = teacher.blockInputShape(k);
    TensorShape out = teacher.blockOutputShape(k);
    boolean gated = architecture == ConvStudent.Architecture.GATED;
    int filters = 1;
    while (CnnStudent.parameters(in.channels(), out.channels(), filters + 1, gated)
        <= convexParams) {
      filters++;
    }
    int stride = in.height() / out.height();
    int n = a.samples();
    int epochs = AdamSteps.epochsFor(f.adamSteps(), n, CNN_BATCH);
    try (CnnStudent s =
        CnnStudent.train(
            a.inputs().data(),
            a.outputs().data(),
            n,
            in,
            out,
            stride,
            new CnnStudent.Options(
                architecture, filters, epochs, CNN_BATCH, CNN_LEARNING_RATE, seed))) {
      // Frozen, BatchNorm folded: what a release of it would serve.
      return s.toStudent();
    }
  }

  private static Row row(
      int k,
      String kind,
      double ratio,
      int images,
      int seed,
      long params,
      long rest,
      HybridScorer.Figures f,
      double seconds) {
    return new Row(
        String.valueOf(k),
        kind,
        ratio,
        images,
        seed,
        params,
        rest + params,
        f.accuracy(),
        f.agreement(),
        seconds);
  }
}
