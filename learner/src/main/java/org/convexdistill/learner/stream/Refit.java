package org.convexdistill.learner.stream;

import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.solver.SolverResult;

/**
 * The outcome of one refit: the candidate student, the solution it came from, what it cost and how
 * it scores on the window's held-out rows.
 *
 * @param next the warm state for the refit after this one
 * @param published the solution the student was built from (polished when polishing is on)
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
    int iterations,
    int solves,
    double solverSeconds,
    boolean warm,
    double candidateMse,
    double currentMse,
    double candidateAgreement,
    double currentAgreement,
    int heldOutRows) {}
