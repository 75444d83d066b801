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
    double currentMse) {}
