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
   * One row per ratio and seed of {@code s}, each a fresh joint fit of its combined blocks scored
   * on the test images; none when those blocks are not consecutive or the last one's suffix is not
   * linear (the teacher's logits, the fit's targets, need a linear suffix).
   */
  static List<Row> rows(
      DjlTeacher teacher,
      Images unlabeled,
      CompressionExperiment.Settings s,
      HybridScorer scorer,
      PrintStream progress) {
    List<Integer> blocks = s.combined();
    int first = blocks.get(0);
    int last = blocks.get(blocks.size() - 1);
    if (blocks.size() < 2 || last - first + 1 != blocks.size()) {
      return List.of();
    }
    OutputBasis basis;
    try {
      // The logit basis depends on the suffix only, not on the ratio or seed: probed once.
      basis =
          OfflineDistiller.headBasis(
              teacher,
              options(last, 1, 0, s.gapTolerance()),
              teacher.blockOutputShape(last).size());
    } catch (InvalidProblemException notLinear) {
      return List.of();
    }
    String label = first + "+" + last;
    Activations a = Activations.extractSpan(teacher, unlabeled, first, last);
    long spanParams = OfflineDistiller.spanParameters(teacher, first, last);
    long rest = teacher.totalParameters() - spanParams;
    List<Row> rows = new ArrayList<>();
    for (double ratio : s.ratios()) {
      for (int seed = 0; seed < s.seeds(); seed++) {
        long t0 = System.nanoTime();
        DistillOptions o = options(last, ratio, seed, s.gapTolerance());
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
