package org.convexdistill.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.core.student.OutputBasis;
import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.core.teacher.Hybrid;
import org.convexdistill.core.teacher.TensorShape;
import org.convexdistill.learner.evaluation.HybridEvaluation;
import org.convexdistill.learner.offline.Activations;
import org.convexdistill.learner.offline.DistillOptions;
import org.convexdistill.learner.offline.DistilledBlock;
import org.convexdistill.learner.offline.OfflineDistiller;
import org.convexdistill.teacher.DjlTeacher;
import org.convexdistill.teacher.GatedCnnStudent;

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
  static final String MLP = "non-convex MLP (Adam)";
  static final String PRUNE = "magnitude pruning";
  static final String CNN = "gated CNN (eq. 8, Adam)";

  /** The gated CNN's Adam step size and mini-batch rows. */
  static final float CNN_LEARNING_RATE = 3e-3f;

  static final int CNN_BATCH = 50;

  /** The λ path's end, λmax·MIN_RATIO: low enough that the budget, not the path, sets the size. */
  static final double MIN_RATIO = 1e-4;

  static final int PATH_POINTS = 12;

  /** How the students are fitted. */
  record Fitting(int gates, double gapTolerance, int mlpEpochs) {}

  /** The rows of one point and the teacher's accuracy on the same test images. */
  record Scored(List<Row> rows, double teacherAccuracy) {}

  private StudentPoint() {}

  static Scored fit(
      DjlTeacher teacher,
      int k,
      Activations a,
      double ratio,
      int seed,
      Fitting f,
      LabeledImages test,
      boolean prune) {
    long blockParams = teacher.blockParameters(k);
    long rest = teacher.totalParameters() - blockParams;
    int images = a.samples();
    long t0 = System.nanoTime();
    DistillOptions o =
        DistillOptions.builder()
            .setBlock(k)
            .optCompression(ratio)
            .optGates(f.gates())
            .optSeed(seed)
            .optGapTolerance(f.gapTolerance())
            .optSharedPolish(true)
            .optMinRatio(MIN_RATIO)
            .optPathPoints(PATH_POINTS)
            // Block 4's suffix is linear: fit the teacher's own logits (its outputs, not labels).
            .optHeadWeight(k == 4 ? Double.POSITIVE_INFINITY : 0)
            .build();
    OutputBasis basis = OfflineDistiller.headBasis(teacher, o, a.outputs().shape()[1]);
    DistilledBlock b = OfflineDistiller.fit(a, blockParams, o, null, 0, basis);
    double fitSeconds = (System.nanoTime() - t0) / 1e9;
    List<Row> rows = new ArrayList<>();
    HybridEvaluation.Figures one = score(teacher, k, Hybrid.Replacement.of(b.oneVsAll()), test);
    long convexParams = b.oneVsAll().parameterCount();
    rows.add(row(k, StudentPoint.CONVEX, ratio, images, seed, convexParams, rest, one, fitSeconds));
    HybridEvaluation.Figures shared = score(teacher, k, Hybrid.Replacement.of(b.student()), test);
    rows.add(row(k, SHARED, ratio, images, seed, b.student().parameterCount(), rest, shared, 0));
    long t1 = System.nanoTime();
    int d = a.inputs().shape()[1];
    int c = a.outputs().shape()[1];
    StudentBlock mlp =
        MlpStudent.train(
            a, basis, MlpStudent.unitsFor(convexParams, d, c, basis), f.mlpEpochs(), seed);
    double mlpSeconds = (System.nanoTime() - t1) / 1e9;
    HybridEvaluation.Figures nonConvex = score(teacher, k, Hybrid.Replacement.of(mlp), test);
    rows.add(row(k, MLP, ratio, images, seed, mlp.parameterCount(), rest, nonConvex, mlpSeconds));
    rows.add(cnn(teacher, k, a, convexParams, f, seed, test, ratio, rest));
    if (prune) {
      long t2 = System.nanoTime();
      DjlTeacher.PrunedBlock pruned =
          teacher.prunedBlock(k, Math.min(convexParams, teacher.kernelWeights(k)));
      HybridEvaluation.Figures p = score(teacher, k, pruned, test);
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
    return new Scored(rows, one.teacherAccuracy());
  }

  /**
   * The paper's gated CNN with the most filters whose Table 1 count (gate convolution included)
   * fits the convex student's parameters, trained on the block outputs' MSE.
   */
  private static Row cnn(
      DjlTeacher teacher,
      int k,
      Activations a,
      long convexParams,
      Fitting f,
      int seed,
      LabeledImages test,
      double ratio,
      long rest) {
    TensorShape in = teacher.blockInputShape(k);
    TensorShape out = teacher.blockOutputShape(k);
    int filters = 1;
    while (GatedCnnStudent.parameters(in.channels(), out.channels(), filters + 1, true)
        <= convexParams) {
      filters++;
    }
    int stride = in.height() / out.height();
    int n = a.samples();
    int steps = (n + CNN_BATCH - 1) / CNN_BATCH;
    int epochs = Math.max(f.mlpEpochs(), (MlpStudent.MIN_STEPS + steps - 1) / steps);
    long t0 = System.nanoTime();
    try (GatedCnnStudent s =
        GatedCnnStudent.train(
            a.inputs().data(),
            a.outputs().data(),
            n,
            in,
            out,
            stride,
            new GatedCnnStudent.Options(filters, epochs, CNN_BATCH, CNN_LEARNING_RATE, seed))) {
      double seconds = (System.nanoTime() - t0) / 1e9;
      HybridEvaluation.Figures g = score(teacher, k, s, test);
      return row(k, CNN, ratio, a.samples(), seed, s.parameters(), rest, g, seconds);
    }
  }

  private static HybridEvaluation.Figures score(
      DjlTeacher teacher, int k, Hybrid.Replacement r, LabeledImages test) {
    return HybridEvaluation.evaluate(teacher, new Hybrid(teacher, Map.of(k, r)), test, 500);
  }

  private static Row row(
      int k,
      String kind,
      double ratio,
      int images,
      int seed,
      long params,
      long rest,
      HybridEvaluation.Figures f,
      double seconds) {
    return new Row(
        k,
        kind,
        ratio,
        images,
        seed,
        params,
        rest + params,
        f.hybridAccuracy(),
        f.agreement(),
        seconds);
  }
}
