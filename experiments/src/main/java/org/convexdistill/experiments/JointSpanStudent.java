package org.convexdistill.experiments;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.student.OutputBasis;
import org.convexdistill.core.teacher.Hybrid;
import org.convexdistill.learner.offline.Activations;
import org.convexdistill.learner.offline.DistillOptions;
import org.convexdistill.learner.offline.DistilledBlock;
import org.convexdistill.learner.offline.OfflineDistiller;
import org.convexdistill.solver.InvalidProblemException;
import org.convexdistill.teacher.DjlTeacher;

/**
 * The compression grid's joint rows: ONE convex student for a span of consecutive blocks (e.g.
 * 3+4), fitted to the span's own input/output activations, not two single-block students put
 * together. The span's input is wide (block 3: 128 channels × 16 positions), so a dense unit costs
 * thousands of numbers and the budget buys few; the student reads it through a fixed channel
 * projection (PCA of the unlabeled inputs, shared by every position), and its units are fitted by
 * the convex nuclear-norm model of Theorem 3B on the teacher's logits (ADMM). These are the
 * settings of the best offline span figure (README, issue 11).
 */
final class JointSpanStudent {
  static final String KIND = "convex joint span (projected, nuclear norm)";

  /** Channels of the projection (16 was best offline; 8 and 24 lost more). */
  static final int CHANNELS = 16;

  /** Gates of the joint student (96 was best offline at 12×). */
  static final int GATES = 96;

  /** λ floor of the nuclear-norm fit, as a fraction of λmax; raised only to meet the budget. */
  static final double LAMBDA_RATIO = 1e-4;

  private JointSpanStudent() {}

  /**
   * Whether {@code blocks} are two or more consecutive blocks whose last one has a linear suffix
   * (so the teacher's logits can enter the convex loss).
   */
  static boolean applies(DjlTeacher teacher, List<Integer> blocks) {
    if (blocks.size() < 2) {
      return false;
    }
    for (int i = 1; i < blocks.size(); i++) {
      if (blocks.get(i) != blocks.get(i - 1) + 1) {
        return false;
      }
    }
    int last = blocks.get(blocks.size() - 1);
    try {
      OfflineDistiller.headBasis(
          teacher, options(last, 1, 0, 1e-2), teacher.blockOutputShape(last).size());
      return true;
    } catch (InvalidProblemException notLinear) {
      return false;
    }
  }

  /** One row per ratio and seed of {@code s}, each a fresh joint fit scored on the test images. */
  static List<Row> rows(
      DjlTeacher teacher,
      Images unlabeled,
      CompressionExperiment.Settings s,
      HybridScorer scorer,
      PrintStream progress) {
    int first = s.combined().get(0);
    int last = s.combined().get(s.combined().size() - 1);
    String label = first + "+" + last;
    Activations a = Activations.extractSpan(teacher, unlabeled, first, last);
    long spanParams = 0;
    for (int k = first; k <= last; k++) {
      spanParams += teacher.blockParameters(k);
    }
    long rest = teacher.totalParameters() - spanParams;
    List<Row> rows = new ArrayList<>();
    for (double ratio : s.ratios()) {
      for (int seed = 0; seed < s.seeds(); seed++) {
        long t0 = System.nanoTime();
        DistillOptions o = options(last, ratio, seed, s.gapTolerance());
        OutputBasis basis = OfflineDistiller.headBasis(teacher, o, a.outputs().shape()[1]);
        DistilledBlock b = OfflineDistiller.fit(a, spanParams, o, null, 0, basis);
        double seconds = (System.nanoTime() - t0) / 1e9;
        HybridScorer.Figures f = scorer.scoreSpan(first, last, Hybrid.Replacement.of(b.served()));
        long params = b.served().parameterCount();
        rows.add(
            new Row(
                label,
                KIND,
                ratio,
                a.samples(),
                seed,
                params,
                rest + params,
                f.accuracy(),
                f.agreement(),
                seconds));
        if (progress != null) {
          progress.printf(
              Locale.ROOT,
              "joint %s at %.0fx, seed %d: %,d parameters, %.2f %% (%.1f s)%n",
              label,
              ratio,
              seed,
              params,
              100 * f.accuracy(),
              seconds);
        }
      }
    }
    return rows;
  }

  private static DistillOptions options(int last, double ratio, int seed, double gap) {
    return DistillOptions.builder()
        .setBlock(last)
        .optCompression(ratio)
        .optGates(GATES)
        .optSeed(seed)
        .optGapTolerance(gap)
        .optHeadWeight(Double.POSITIVE_INFINITY)
        .optAdmm(true)
        .optMinRatio(LAMBDA_RATIO)
        .optNuclear(LAMBDA_RATIO)
        .optPolishRatio(0)
        .optProjectChannels(CHANNELS)
        .build();
  }
}
