package org.convexdistill.learner.stream;

import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.solver.ConvexWeights;
import org.convexdistill.solver.GatedReluProblem;

/**
 * Where the next refit starts: the last lasso solution (before polishing), its λ, and the last
 * polished solution (null when none) from which the next polish starts.
 *
 * @param columnScales the column scales of the problem the weights were solved on (the solver sees
 *     Z·diag(1/s)), so that a refit on a window with other scales starts from the same function of
 *     the raw inputs ({@link ConvexWeights#rescaled}); null when unknown
 * @param lambdaRatio λ/λmax of that solve (NaN when unknown)
 * @param dual ADMM's unscaled dual ρ·U of that solve (null when unknown or R-FISTA): with the
 *     weights, ADMM's warm start ({@link org.convexdistill.solver.AdmmFit.Start})
 */
public record WarmState(
    ConvexWeights weights,
    double lambda,
    ConvexWeights polished,
    float[] columnScales,
    double lambdaRatio,
    ConvexWeights dual) {

  /** A warm state without column scales or λ/λmax (weights taken as they are). */
  public WarmState(ConvexWeights weights, double lambda, ConvexWeights polished) {
    this(weights, lambda, polished, null, Double.NaN, null);
  }

  /** ADMM's dual carried onto a problem with column scales {@code scales} (null when none). */
  public ConvexWeights dualFor(float[] scales) {
    return carried(dual, scales);
  }

  /** The weights carried onto a problem with column scales {@code scales}. */
  public ConvexWeights weightsFor(float[] scales) {
    return carried(weights, scales);
  }

  /** The polished weights carried onto column scales {@code scales} (null when none). */
  public ConvexWeights polishedFor(float[] scales) {
    return carried(polished, scales);
  }

  private ConvexWeights carried(ConvexWeights w, float[] scales) {
    return w == null || columnScales == null ? w : w.rescaled(columnScales, scales);
  }

  /**
   * Rebuilds a warm start from a published student (after a restart, when only the student
   * survived): each hidden unit u gives back group (output, gate) = first_u · second_u. The gates
   * are matched to the problem's by value, which holds because they come from the same seed.
   *
   * @return the warm state, or null when the student's gates are not the problem's
   */
  public static WarmState fromStudent(StudentBlock s, GatedReluProblem problem, double lambda) {
    int d = problem.inputDim();
    int p = problem.gates();
    int c = problem.outputs();
    // A student of the leading basis coordinates has C outputs but feeds only the first r.
    boolean leading =
        s.outputBasis() != null
            && s.outputBasis().rank() == c
            && s.outputDim() == s.outputBasis().dim();
    if (s.inputDim() != d || (s.outputDim() != c && !leading)) {
      return null;
    }
    if (s.isSharedOutput()) {
      return null;
    }
    float[] g = problem.gateMatrix();
    float[] rows = s.gates();
    int used = s.numGates();
    int[] column = new int[used];
    for (int r = 0; r < used; r++) {
      column[r] = -1;
      for (int j = 0; j < p && column[r] < 0; j++) {
        boolean same = true;
        for (int i = 0; i < d && same; i++) {
          same = rows[r * d + i] == g[i * p + j];
        }
        if (same) {
          column[r] = j;
        }
      }
      if (column[r] < 0) {
        return null;
      }
    }
    float[] u = new float[c * p * d];
    float[] first = s.firstLayer();
    float[] second = s.secondLayer();
    int[] unitGate = s.unitGates();
    int[] unitOutput = s.unitOutputs();
    for (int x = 0; x < s.hiddenUnits(); x++) {
      if (unitOutput[x] >= c) {
        return null;
      }
      int off = (unitOutput[x] * p + column[unitGate[x]]) * d;
      for (int i = 0; i < d; i++) {
        u[off + i] += first[x * d + i] * second[x];
      }
    }
    ConvexWeights w = new ConvexWeights(c, p, d, u);
    return new WarmState(w, lambda, w);
  }
}
