package org.convexdistill.solver;

import org.convexdistill.core.student.OutputBasis;
import org.convexdistill.core.student.StudentBlock;

/**
 * Turns a convex solution into a compact {@link StudentBlock}: zero groups are dropped, and each
 * non-zero group U[k,j,:] becomes one hidden unit with gate g_j, first-layer row {@code
 * U[k,j,:]/√‖U[k,j,:]‖} and second-layer weight {@code √‖U[k,j,:]‖} into output k. Only the gates
 * that some unit uses are stored, together with the problem's column scales.
 */
public final class StudentFactory {
  private StudentFactory() {}

  /**
   * The student for a problem whose targets are coordinates in {@code basis} (null = output
   * coordinates): its outputs are mapped back ({@link StudentBlock#inBasis}).
   */
  public static StudentBlock fromSolution(
      GatedReluProblem problem, ConvexWeights weights, OutputBasis basis) {
    StudentBlock s = fromSolution(problem, weights);
    return basis == null ? s : s.inBasis(basis);
  }

  /** The student equivalent to {@code weights} on {@code problem}'s normalisation and gates. */
  public static StudentBlock fromSolution(GatedReluProblem problem, ConvexWeights weights) {
    int d = problem.inputDim();
    int p = problem.gates();
    int c = problem.outputs();
    if (weights.inputDim() != d || weights.gates() != p || weights.outputs() != c) {
      throw new InvalidProblemException("weights do not match the problem's (C, P, d)");
    }
    int units = weights.nonzeroGroups();
    int[] gateRow = new int[p];
    java.util.Arrays.fill(gateRow, -1);
    int usedGates = 0;
    int[] unitGate = new int[units];
    int[] unitOutput = new int[units];
    float[] first = new float[units * d];
    float[] second = new float[units];
    float[] values = weights.values();
    int u = 0;
    for (int k = 0; k < c; k++) {
      for (int j = 0; j < p; j++) {
        double norm = weights.groupNorm(k, j);
        if (norm == 0) {
          continue;
        }
        if (gateRow[j] < 0) {
          gateRow[j] = usedGates++;
        }
        double root = Math.sqrt(norm);
        int off = (k * p + j) * d;
        for (int i = 0; i < d; i++) {
          first[u * d + i] = (float) (values[off + i] / root);
        }
        second[u] = (float) root;
        unitGate[u] = j;
        unitOutput[u] = k;
        u++;
      }
    }
    float[] g = problem.gateMatrix();
    float[] usedGateRows = new float[usedGates * d];
    for (int j = 0; j < p; j++) {
      if (gateRow[j] >= 0) {
        for (int i = 0; i < d; i++) {
          usedGateRows[gateRow[j] * d + i] = g[i * p + j];
        }
      }
    }
    for (int x = 0; x < units; x++) {
      unitGate[x] = gateRow[unitGate[x]];
    }
    return new StudentBlock(
        d, c, problem.columnScales(), usedGateRows, unitGate, unitOutput, first, second);
  }
}
