package org.convexdistill.learner.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The teacher-anchored gate on real refits. The "teacher" is a planted ReLU block followed by a
 * linear head (what block 4's suffix is: a linear layer), so agreement is measured exactly as in
 * the service: argmax of head(student(z)) against argmax of head(y).
 */
class PromotionGateTest {
  private static final int D = 12;
  private static final int C = 6;
  private static final int CLASSES = 4;
  private static final int ROWS = 600;

  private final float[] planted = gaussian(C * D, 3);
  private final float[] head = gaussian(CLASSES * C, 4);
  private final TeacherSuffix suffix = this::logits;

  private static float[] gaussian(int n, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  private float[] logits(float[] y, int rows) {
    float[] out = new float[rows * CLASSES];
    for (int i = 0; i < rows; i++) {
      for (int k = 0; k < CLASSES; k++) {
        double s = 0;
        for (int j = 0; j < C; j++) {
          s += head[k * C + j] * y[i * C + j];
        }
        out[i * CLASSES + k] = (float) s;
      }
    }
    return out;
  }

  private ActivationWindow.Snapshot window() {
    return window(planted);
  }

  /** ROWS rows of block inputs and the outputs of the ReLU block with weights {@code block}. */
  private ActivationWindow.Snapshot window(float[] block) {
    ActivationWindow w = new ActivationWindow(ROWS, D, C);
    float[] z = gaussian(ROWS * D, 5);
    float[] y = new float[ROWS * C];
    for (int i = 0; i < ROWS; i++) {
      for (int k = 0; k < C; k++) {
        double s = 0;
        for (int j = 0; j < D; j++) {
          s += block[k * D + j] * z[i * D + j];
        }
        y[i * C + k] = (float) Math.max(0, s);
      }
    }
    for (int i = 0; i < ROWS; i++) {
      w.add(0, i, z, i, y);
    }
    return w.snapshot();
  }

  private static LearnerConfig config(long maxParams, double minAgreement) {
    return LearnerConfig.builder()
        .setModelId("gate")
        .setWindowSize(ROWS)
        .setRefitEvery(100)
        .setRefitInterval(Duration.ofHours(1))
        .setGates(8)
        .setPathMinRatio(0.05)
        .setHeadWeight(0)
        .setMaxParams(maxParams)
        .setGapTolerance(1e-4)
        .setMaxIterations(3000)
        .setHoldoutEvery(4)
        .setMaxRelativeGap(0.05)
        .setMseTolerance(10)
        .setMinAgreement(minAgreement)
        .setGateRows(ROWS)
        .setMinGateRows(100)
        .setThreads(1)
        .build();
  }

  @Test
  void shouldPublishAGoodCandidateAndRejectABadOneWithTheReason() {
    ActivationWindow.Snapshot snap = window();
    LearnerConfig generous = config(48L * (D + 1), 0.6);
    Refit good = new Refitter(generous, suffix).fit(snap, null, null, null, 0);
    assertThat(good.heldOutRows()).isBetween(100, 200);
    assertThat(good.candidateAgreement()).isGreaterThan(0.6);
    assertThat(CandidateCheck.check(good, D, C, generous).accepted()).isTrue();

    // A deliberately bad candidate: a real fit, but of another block's outputs, scored on this
    // teacher's held-out rows. The gate turns it down and says why.
    ActivationWindow.Snapshot otherBlock = window(gaussian(C * D, 77));
    Refit bad = new Refitter(generous, suffix).fit(otherBlock, snap, null, null, null, 0);
    assertThat(bad.student().hiddenUnits()).isPositive();
    assertThat(bad.candidateAgreement()).isLessThan(0.6);
    CandidateCheck.Verdict v = CandidateCheck.check(bad, D, C, generous);
    assertThat(v.accepted()).isFalse();
    assertThat(v.reason())
        .contains("agreement with the teacher")
        .contains("below the gate's 60.0%");

    // With the gate at zero it still may not replace a better current student.
    LearnerConfig open = config(48L * (D + 1), 0.0);
    Refit worse = new Refitter(open, suffix).fit(otherBlock, snap, null, good.student(), null, 0);
    assertThat(worse.heldOutRows()).isEqualTo(ROWS);
    assertThat(worse.currentAgreement()).isGreaterThan(worse.candidateAgreement());
    CandidateCheck.Verdict w = CandidateCheck.check(worse, D, C, open);
    assertThat(w.accepted()).isFalse();
    assertThat(w.reason()).contains("below the current student's");
  }

  @Test
  void shouldScoreTheGateOnTheWiderHeldOutSetWhenGiven() {
    ActivationWindow.Snapshot snap = window();
    LearnerConfig generous = config(48L * (D + 1), 0.6);
    // Any rows of the teacher's block serve as gate rows; here a second, larger set.
    ActivationWindow.Snapshot gate = window();
    Refit r = new Refitter(generous, suffix).fit(snap, gate, null, null, null, 0);
    assertThat(r.heldOutRows()).isEqualTo(ROWS);
    Refit own = new Refitter(generous, suffix).fit(snap, null, null, null, null, 0);
    assertThat(own.heldOutRows()).isLessThan(ROWS / 2);

    // Too few rows to trust an agreement: rejected whatever it is.
    LearnerConfig strict = config(48L * (D + 1), 0.6).toBuilder().setMinGateRows(ROWS).build();
    CandidateCheck.Verdict v = CandidateCheck.check(own, D, C, strict);
    assertThat(v.accepted()).isFalse();
    assertThat(v.reason()).contains("held-out rows to score agreement on");
    assertThat(CandidateCheck.check(r, D, C, strict).accepted()).isTrue();
  }

  @Test
  void shouldSpendASmallBudgetOnTheTeachersLogitsWithTheHeadWeight() {
    ActivationWindow.Snapshot snap = window();
    ActivationWindow.Snapshot gate = window();
    // Fewer units than outputs: a student fitted to block outputs alone must leave some out.
    LearnerConfig plain = config(4L * (D + 1), 0.0);
    LearnerConfig weighted =
        plain.toBuilder().setHeadWeight(100).setMaxParams(4L * (D + 1) + CLASSES * (C + 1)).build();
    Refit a = new Refitter(plain, suffix).fit(snap, gate, null, null, null, 0);
    Refitter headed = new Refitter(weighted, suffix);
    Refit b = headed.fit(snap, gate, null, null, null, 0);
    assertThat(a.student().outputBasis()).isNull();
    assertThat(b.student().outputBasis()).isEqualTo(headed.outputBasis(C));
    assertThat(b.student().outputBasis().rank()).isEqualTo(CLASSES);
    assertThat(b.student().hiddenUnits()).isLessThanOrEqualTo(4);
    assertThat(logitMse(b.student(), gate)).isLessThan(logitMse(a.student(), gate));
    assertThat(b.candidateAgreement()).isGreaterThan(a.candidateAgreement());
  }

  @Test
  void shouldCompareACurrentStudentOfAnotherKindInTheMetricTheLearnerFits() {
    ActivationWindow.Snapshot snap = window();
    ActivationWindow.Snapshot gate = window();
    LearnerConfig plain = config(4L * (D + 1), 0.0);
    Refit blockOutputs = new Refitter(plain, suffix).fit(snap, gate, null, null, null, 0);
    LearnerConfig logits =
        plain.toBuilder()
            .setHeadWeight(Double.POSITIVE_INFINITY)
            .setMaxParams(4L * (D + 1) + CLASSES * (C + 1))
            .setMseTolerance(0.1)
            .build();
    // After an upgrade the current student fits block outputs; the candidate fits the logits. In
    // block-output MSE the candidate would lose; in the logit coordinates both are scored on, it
    // is the better one.
    Refit r = new Refitter(logits, suffix).fit(snap, gate, null, blockOutputs.student(), null, 0);
    assertThat(r.candidateMse()).isLessThan(r.currentMse());
    assertThat(CandidateCheck.check(r, D, C, logits).reason()).doesNotContain("MSE");
  }

  @Test
  void shouldRebuildTheWarmStartOfALogitsStudentAfterARestart() {
    ActivationWindow.Snapshot snap = window();
    LearnerConfig logits =
        config(48L * (D + 1), 0.0).toBuilder().setHeadWeight(Double.POSITIVE_INFINITY).build();
    Refitter refitter = new Refitter(logits, suffix);
    Refit r = refitter.fit(snap, null, null, null, 0);
    org.convexdistill.core.student.OutputBasis basis = refitter.outputBasis(C);
    assertThat(r.student().outputBasis()).isEqualTo(basis);
    assertThat(basis.rank()).isEqualTo(CLASSES);
    // The problem a restarted learner builds: the basis's leading coordinates, same gates.
    org.convexdistill.solver.GatedReluProblem problem =
        org.convexdistill.solver.GatedReluProblem.builder()
            .setInputs(org.convexdistill.core.npy.NpyArray.of(snap.z(), snap.n(), D))
            .setTargets(Refitter.targets(snap.y(), snap.n(), C, basis, true))
            .optRandomGates(logits.gates(), logits.seed())
            .build();
    WarmState w = WarmState.fromStudent(r.student(), problem, 1.0);
    assertThat(w).isNotNull();
    assertThat(w.weights().nonzeroGroups()).isEqualTo(r.student().hiddenUnits());
  }

  @Test
  void shouldPolishWithASharedSecondLayerAndCertifyTheServedWeightsByThatSolve() {
    ActivationWindow.Snapshot snap = window();
    LearnerConfig oneVsAll = config(48L * (D + 1), 0.6);
    LearnerConfig shared = oneVsAll.toBuilder().setSharedLayerRatio(1e-3).build();
    Refit plain = new Refitter(oneVsAll, suffix).fit(snap, null, null, null, 0);
    Refit polished = new Refitter(shared, suffix).fit(snap, null, null, null, 0);
    assertThat(plain.sharedLayer()).isNull();
    assertThat(plain.student().isSharedOutput()).isFalse();
    assertThat(polished.student().isSharedOutput()).isTrue();
    // Same first-layer solve; the polish keeps its units or drops some, never adds one.
    assertThat(polished.published().nonzeroGroups()).isEqualTo(plain.published().nonzeroGroups());
    assertThat(polished.student().hiddenUnits()).isBetween(1, plain.student().hiddenUnits());
    // The release carries the certificate of the solve that produced the served second layer.
    assertThat(polished.servedLambda()).isEqualTo(polished.sharedLayer().lambda());
    assertThat(polished.servedRelativeGap()).isEqualTo(polished.sharedLayer().relativeGap());
    assertThat(polished.servedRelativeGap()).isLessThanOrEqualTo(shared.gapTolerance());
    assertThat(polished.loosestRelativeGap())
        .isEqualTo(
            Math.max(polished.published().relativeGap(), polished.sharedLayer().relativeGap()));
    // Here the support refit already removed most of the shrinkage: with a shared W2 the student
    // does as well on held-out rows with no more units.
    assertThat(polished.candidateMse()).isLessThan(1.05 * plain.candidateMse());
    assertThat(CandidateCheck.check(polished, D, C, shared).accepted()).isTrue();
  }

  private double logitMse(
      org.convexdistill.core.student.StudentBlock s, ActivationWindow.Snapshot w) {
    float[] out = new float[w.n() * C];
    s.forward(w.z(), w.n(), out, s.newWorkspace(w.n()));
    float[] mine = logits(out, w.n());
    float[] theirs = logits(w.y(), w.n());
    double sum = 0;
    for (int i = 0; i < mine.length; i++) {
      sum += (mine[i] - theirs[i]) * (mine[i] - theirs[i]);
    }
    return sum / mine.length;
  }

  @Test
  void shouldMeasureAgreementAsTheFractionOfMatchingTopClasses() {
    int[] classes = new int[3];
    Agreement.argmaxRows(new float[] {0, 2, 1, 5, -1, 0, 1, 1, 3}, 3, classes, 0);
    assertThat(classes).containsExactly(1, 0, 2);
  }
}
