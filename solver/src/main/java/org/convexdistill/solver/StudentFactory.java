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
    float[] usedGateRows = usedGateRows(problem, gateRow, usedGates);
    for (int x = 0; x < units; x++) {
      unitGate[x] = gateRow[unitGate[x]];
    }
    return new StudentBlock(
        d, c, problem.columnScales(), usedGateRows, unitGate, unitOutput, first, second);
  }

  /**
   * The shared-output student of a nuclear-norm solution (the paper's Theorem 3B): every singular
   * triplet (σ, u, v) of each gate's block V_j = U[:,j,:]ᵀ (d × C) with σ above {@code
   * relativeCutoff}·(the largest σ of all gates) becomes one unit with gate g_j, first-layer row
   * u·√σ and second-layer row v·√σ, so the student computes Σ_j D_j·Zn·V_j up to the dropped
   * triplets.
   */
  public static StudentBlock fromNuclearSolution(
      GatedReluProblem problem, ConvexWeights weights, double relativeCutoff) {
    int d = problem.inputDim();
    int p = problem.gates();
    int c = problem.outputs();
    if (weights.inputDim() != d || weights.gates() != p || weights.outputs() != c) {
      throw new InvalidProblemException("weights do not match the problem's (C, P, d)");
    }
    float[] values = weights.values();
    double[][] sigma = new double[p][];
    double[][] left = new double[p][]; // C × C eigenvectors of M·Mᵀ, M = C × d block
    double top = 0;
    for (int j = 0; j < p; j++) {
      double[] gram = GateBlocks.gram(values, c, p, d, j);
      left[j] = new double[c * c];
      sigma[j] = new double[c];
      SmallEigen.symmetricEigen(gram, c, left[j], sigma[j]);
      for (int e = 0; e < c; e++) {
        sigma[j][e] = Math.sqrt(Math.max(0, sigma[j][e]));
        top = Math.max(top, sigma[j][e]);
      }
    }
    java.util.List<float[]> w1 = new java.util.ArrayList<>();
    java.util.List<float[]> w2 = new java.util.ArrayList<>();
    java.util.List<Integer> unitGate = new java.util.ArrayList<>();
    int[] gateRow = new int[p];
    java.util.Arrays.fill(gateRow, -1);
    int usedGates = 0;
    for (int j = 0; j < p; j++) {
      for (int e = 0; e < c; e++) {
        double s = sigma[j][e];
        if (!(s > 0) || s <= relativeCutoff * top) {
          continue;
        }
        // M = Σ σ q wᵀ with q the left (C) and w = Mᵀq/σ the right (d) singular vector; the
        // block V_j = Mᵀ, so the unit's first layer is w·√σ and its second layer q·√σ.
        double root = Math.sqrt(s);
        float[] first = new float[d];
        float[] second = new float[c];
        for (int k = 0; k < c; k++) {
          double q = left[j][k * c + e];
          second[k] = (float) (q * root);
          int off = (k * p + j) * d;
          for (int i = 0; i < d; i++) {
            first[i] += (float) (q * values[off + i] / root);
          }
        }
        w1.add(first);
        w2.add(second);
        if (gateRow[j] < 0) {
          gateRow[j] = usedGates++;
        }
        unitGate.add(gateRow[j]);
      }
    }
    int units = w1.size();
    float[] first = new float[units * d];
    float[] second = new float[units * c];
    int[] gate = new int[units];
    for (int x = 0; x < units; x++) {
      System.arraycopy(w1.get(x), 0, first, x * d, d);
      System.arraycopy(w2.get(x), 0, second, x * c, c);
      gate[x] = unitGate.get(x);
    }
    float[] usedGateRows = usedGateRows(problem, gateRow, usedGates);
    return StudentBlock.sharedOutput(
        d, c, problem.columnScales(), usedGateRows, gate, first, second);
  }

  /**
   * The gate vectors some unit uses, as rows: gate j (a column of the problem's d × P gate matrix)
   * goes to row {@code gateRow[j]}, skipped where that is negative.
   */
  static float[] usedGateRows(GatedReluProblem problem, int[] gateRow, int usedGates) {
    int d = problem.inputDim();
    int p = problem.gates();
    float[] g = problem.gateMatrix();
    float[] rows = new float[usedGates * d];
    for (int j = 0; j < p; j++) {
      if (gateRow[j] >= 0) {
        for (int i = 0; i < d; i++) {
          rows[gateRow[j] * d + i] = g[i * p + j];
        }
      }
    }
    return rows;
  }
}
