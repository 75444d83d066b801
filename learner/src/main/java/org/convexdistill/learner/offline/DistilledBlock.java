package org.convexdistill.learner.offline;

import org.convexdistill.core.student.ChannelProjection;
import org.convexdistill.core.student.ProjectedStudent;
import org.convexdistill.core.student.Student;
import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.solver.NuclearNormFit;
import org.convexdistill.solver.SharedLayerFit;
import org.convexdistill.solver.SolverResult;

/**
 * One block's convex student and how it was found.
 *
 * @param solution the selected path point (λ, certificate, iterations of that solve)
 * @param polished the refit on the selected support the student comes from, or null
 * @param pathSolves solves along the path, refinements included
 * @param pathIterations R-FISTA iterations over the whole path
 * @param solverSeconds seconds over the whole path
 * @param extractSeconds seconds spent running the teacher for activations
 * @param targetGroups the hidden-unit budget of the one-vs-all solve
 * @param oneVsAll the one-vs-all (per-output) student before the shared polish, or null without one
 * @param sharedPolish the shared-layer solve the student comes from, or null without one
 * @param nuclear the nuclear-norm solve the student comes from (then {@code solution} is null)
 * @param firstBlock the first block the student replaces (= block, or the start of a joint span)
 * @param projection the fixed 1×1 input projection the student reads through, or null (raw inputs).
 *     With one, {@code student} and {@code oneVsAll} read the projected inputs and {@link #served}
 *     the raw ones
 * @param explainedVariance the share of the input channels' variance the projection keeps (NaN
 *     without one)
 */
public record DistilledBlock(
    int block,
    StudentBlock student,
    SolverResult solution,
    SolverResult polished,
    long blockParameters,
    int samples,
    int pathSolves,
    int pathIterations,
    double solverSeconds,
    double extractSeconds,
    int targetGroups,
    StudentBlock oneVsAll,
    SharedLayerFit.Result sharedPolish,
    NuclearNormFit.Result nuclear,
    int firstBlock,
    ChannelProjection projection,
    double explainedVariance) {

  /** This fit behind a projection (its students were fitted on the projected inputs). */
  public DistilledBlock behind(ChannelProjection p, double explained) {
    return new DistilledBlock(
        block,
        student,
        solution,
        polished,
        blockParameters,
        samples,
        pathSolves,
        pathIterations,
        solverSeconds,
        extractSeconds,
        targetGroups,
        oneVsAll,
        sharedPolish,
        nuclear,
        firstBlock,
        p,
        explained);
  }

  /** What replaces the block: the student, behind the projection when there is one. */
  public Student served() {
    return reading(student);
  }

  /** The one-vs-all student before the shared polish, as {@link #served}; null without one. */
  public Student servedOneVsAll() {
    return oneVsAll == null ? null : reading(oneVsAll);
  }

  /** {@code s} reading the block's raw input: behind the projection when there is one. */
  private Student reading(StudentBlock s) {
    return projection == null ? s : new ProjectedStudent(projection, s);
  }

  /** "4", or "3-4" for a joint student of blocks 3 and 4. */
  public String label() {
    return firstBlock == block ? String.valueOf(block) : firstBlock + "-" + block;
  }

  /**
   * The student's trainable weights: h·(d + 1) per-output, h·(d + C) shared-output, plus the
   * projection's k·(C_in + 1) when there is one.
   */
  public long studentParameters() {
    return served().parameterCount();
  }

  /** Block parameters ÷ student parameters. */
  public double compression() {
    return (double) blockParameters / Math.max(1, studentParameters());
  }
}
