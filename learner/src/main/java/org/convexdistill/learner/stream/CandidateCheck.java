package org.convexdistill.learner.stream;

import org.convexdistill.core.numeric.Finite;
import org.convexdistill.core.student.StudentBlock;

/** Decides whether a refit may be published; says why not. */
public final class CandidateCheck {
  private CandidateCheck() {}

  /** Accepted, or rejected with the reason. */
  public record Verdict(boolean accepted, String reason) {
    static Verdict ok() {
      return new Verdict(true, "ok");
    }

    static Verdict no(String reason) {
      return new Verdict(false, reason);
    }
  }

  /**
   * Checks: the expected shapes, the parameter budget, finite weights, a certificate within {@code
   * maxRelativeGap}, the teacher-anchored gate (agreement with the teacher at least {@code
   * minAgreement} and not below the current student's, when the learner has the teacher's suffix),
   * and a held-out MSE no worse than the current student's by more than the tolerance.
   */
  public static Verdict check(Refit r, int zDim, int yDim, LearnerConfig config) {
    StudentBlock s = r.student();
    if (s.inputDim() != zDim || s.outputDim() != yDim) {
      return Verdict.no(
          "shape " + s.inputDim() + "→" + s.outputDim() + ", expected " + zDim + "→" + yDim);
    }
    if (s.hiddenUnits() == 0) {
      return Verdict.no("empty student (no hidden unit)");
    }
    if (s.hiddenUnits() > config.targetGroups(zDim)) {
      return Verdict.no(
          s.hiddenUnits()
              + " hidden units exceed the budget of "
              + config.targetGroups(zDim)
              + " ("
              + config.maxParams()
              + " parameters)");
    }
    if (!Finite.all(s.firstLayer())
        || !Finite.all(s.secondLayer())
        || !Finite.all(s.columnScales())) {
      return Verdict.no("non-finite weights");
    }
    double gap = r.loosestRelativeGap();
    if (!(gap <= config.maxRelativeGap())) {
      return Verdict.no(
          String.format("relative gap %.3g above the limit %.3g", gap, config.maxRelativeGap()));
    }
    if (!Double.isFinite(r.candidateMse())) {
      return Verdict.no("held-out MSE is not finite");
    }
    if (!Double.isNaN(r.candidateAgreement())) {
      if (r.heldOutRows() < config.minGateRows()) {
        return Verdict.no(
            String.format(
                "only %d held-out rows to score agreement on; the gate needs %d (agreement %.1f%%)",
                r.heldOutRows(), config.minGateRows(), 100 * r.candidateAgreement()));
      }
      if (r.candidateAgreement() < config.minAgreement()) {
        return Verdict.no(
            String.format(
                "agreement with the teacher %.1f%% on %d held-out rows is below the gate's %.1f%%",
                100 * r.candidateAgreement(), r.heldOutRows(), 100 * config.minAgreement()));
      }
      if (!Double.isNaN(r.currentAgreement()) && r.candidateAgreement() < r.currentAgreement()) {
        return Verdict.no(
            String.format(
                "agreement with the teacher %.1f%% is below the current student's %.1f%% on the"
                    + " same %d rows",
                100 * r.candidateAgreement(), 100 * r.currentAgreement(), r.heldOutRows()));
      }
    }
    if (!Double.isNaN(r.currentMse())
        && r.candidateMse() > r.currentMse() * (1 + config.mseTolerance())) {
      return Verdict.no(
          String.format(
              "held-out MSE %.4g is worse than the current student's %.4g by more than %.0f%%",
              r.candidateMse(), r.currentMse(), 100 * config.mseTolerance()));
    }
    return Verdict.ok();
  }
}
