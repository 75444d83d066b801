package org.convexdistill.learner.offline;

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
    int firstBlock) {

  /** "4", or "3-4" for a joint student of blocks 3 and 4. */
  public String label() {
    return firstBlock == block ? String.valueOf(block) : firstBlock + "-" + block;
  }

  /** The student's trainable weights: h·(d + 1) per-output, h·(d + C) shared-output. */
  public long studentParameters() {
    return student.parameterCount();
  }

  /** Block parameters ÷ student parameters. */
  public double compression() {
    return (double) blockParameters / Math.max(1, studentParameters());
  }
}
