package org.convexdistill.learner.stream;

import java.util.List;
import org.convexdistill.core.stream.OffsetRange;
import org.convexdistill.core.stream.StudentRelease;

/** Builds the release of an accepted refit: the next version, its lineage and certificate. */
final class ReleaseAssembly {
  private ReleaseAssembly() {}

  /**
   * The release following {@code current} (null before the first version).
   *
   * @param window the window's offset ranges per partition (the lineage)
   */
  static StudentRelease next(
      LearnerConfig config,
      String teacherId,
      int block,
      StudentRelease current,
      Refit r,
      List<OffsetRange> window,
      long nowMillis) {
    long version = current == null ? 1 : current.version() + 1;
    return new StudentRelease(
        config.modelId(),
        teacherId,
        block,
        version,
        current == null ? 0 : current.version(),
        // λ, objective and gap all of the solve that produced the served weights (the support
        // refit's or the shared-layer refit's when they ran, not the budget's λ with another
        // solve's certificate).
        r.servedLambda(),
        r.servedObjective(),
        r.servedRelativeGap(),
        r.candidateMse(),
        r.candidateAgreement(),
        r.next().lambda(),
        r.iterations(),
        r.solverSeconds(),
        r.student().hiddenUnits(),
        r.student().parameterCount(),
        nowMillis,
        r.warm(),
        window,
        r.student());
  }
}
