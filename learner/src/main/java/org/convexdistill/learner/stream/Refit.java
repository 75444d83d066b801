package org.convexdistill.learner.stream;

import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.solver.SharedLayerFit;
import org.convexdistill.solver.SolverResult;

/**
 * The outcome of one refit: the candidate student, the solution it came from, what it cost and how
 * it scores on the window's held-out rows.
 *
 * @param next the warm state for the refit after this one
 * @param published the one-vs-all solution the student was built from (the support refit's when it
 *     ran)
 * @param sharedLayer the paper's polishing of that student (a second layer shared across outputs),
 *     or null when it did not run
 * @param warm whether the solve started from a previous solution
 * @param candidateMse held-out MSE of the candidate
 * @param currentMse held-out MSE of the current student on the same rows (NaN when none)
 * @param candidateAgreement top-1 agreement of the candidate with the teacher on the held-out rows,
 *     through the teacher's suffix (NaN when the learner has no teacher suffix)
 * @param currentAgreement the same for the current student (NaN when none or not measured)
 * @param heldOutRows rows the agreement figures were measured on (held out, never trained on)
 */
public record Refit(
    StudentBlock student,
    WarmState next,
    SolverResult published,
    SharedLayerFit.Result sharedLayer,
    int iterations,
    int solves,
    double solverSeconds,
    boolean warm,
    double candidateMse,
    double currentMse,
    double candidateAgreement,
    double currentAgreement,
    int heldOutRows) {

  /** λ of the last solve behind the served weights: the shared-layer refit's when it ran. */
  public double servedLambda() {
    return sharedLayer != null ? sharedLayer.lambda() : published.lambda();
  }

  /** The objective of that solve. */
  public double servedObjective() {
    return sharedLayer != null ? sharedLayer.objective() : published.objective();
  }

  /** The relative duality gap of that solve. */
  public double servedRelativeGap() {
    return sharedLayer != null ? sharedLayer.relativeGap() : published.relativeGap();
  }

  /**
   * The loosest certificate behind the served weights: the first layer's solve and, with a shared
   * layer, its refit.
   */
  public double loosestRelativeGap() {
    double gap = published.relativeGap();
    return sharedLayer == null ? gap : Math.max(gap, sharedLayer.relativeGap());
  }
}
