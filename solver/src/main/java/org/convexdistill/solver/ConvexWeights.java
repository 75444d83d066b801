package org.convexdistill.solver;

import java.util.Arrays;
import org.convexdistill.core.npy.NpyArray;

/**
 * The convex model's weights U with shape C×P×d, row-major: group (k, j) — output k, gate j — is
 * the d contiguous floats at offset {@code (k·P + j)·d}. This is exactly NumPy's C-order layout of
 * an array of shape (C, P, d).
 */
public final class ConvexWeights {
  private final int outputs;
  private final int gates;
  private final int inputDim;
  private final float[] values;

  /** Wraps {@code values} (not copied) as U with shape outputs×gates×inputDim. */
  public ConvexWeights(int outputs, int gates, int inputDim, float[] values) {
    if (outputs <= 0 || gates <= 0 || inputDim <= 0) {
      throw new IllegalArgumentException(
          "shape must be positive, got (" + outputs + ", " + gates + ", " + inputDim + ")");
    }
    if (values.length != (long) outputs * gates * inputDim) {
      throw new IllegalArgumentException(
          "U of shape ("
              + outputs
              + ", "
              + gates
              + ", "
              + inputDim
              + ") needs "
              + (long) outputs * gates * inputDim
              + " values, got "
              + values.length);
    }
    this.outputs = outputs;
    this.gates = gates;
    this.inputDim = inputDim;
    this.values = values;
  }

  /** All-zero weights. */
  public static ConvexWeights zeros(int outputs, int gates, int inputDim) {
    return new ConvexWeights(outputs, gates, inputDim, new float[outputs * gates * inputDim]);
  }

  /** Reads U from a (C, P, d) array. */
  public static ConvexWeights fromNpy(NpyArray array) {
    if (array.rank() != 3) {
      throw new InvalidProblemException("U must have shape (C, P, d), got " + array.shapeString());
    }
    return new ConvexWeights(array.dim(0), array.dim(1), array.dim(2), array.data().clone());
  }

  /** U as a (C, P, d) float32 array (copied). */
  public NpyArray toNpy() {
    return NpyArray.of(values.clone(), outputs, gates, inputDim);
  }

  /**
   * Weights on {@code support} only: each group in it is taken from this solution when non-zero
   * here, else from {@code fallback}; groups outside it are zero. The learner starts a polishing
   * solve this way: from the previous polished solution where it has a unit, from the new lasso
   * solution where a unit is new.
   */
  public ConvexWeights onSupport(boolean[] support, ConvexWeights fallback) {
    if (support.length != totalGroups()
        || fallback.outputs != outputs
        || fallback.gates != gates
        || fallback.inputDim != inputDim) {
      throw new IllegalArgumentException("support or fallback does not match (C, P, d)");
    }
    float[] out = new float[values.length];
    for (int k = 0; k < outputs; k++) {
      for (int j = 0; j < gates; j++) {
        int g = k * gates + j;
        if (!support[g]) {
          continue;
        }
        float[] src = groupNorm(k, j) > 0 ? values : fallback.values;
        System.arraycopy(src, g * inputDim, out, g * inputDim, inputDim);
      }
    }
    return new ConvexWeights(outputs, gates, inputDim, out);
  }

  /**
   * The same function of the raw inputs on new column scales: the solver sees Zn = Z·diag(1/s), so
   * a group's weights become u·s_new/s_old per column (0 where the old scale was 0). A warm start
   * carried to a window whose column scales changed.
   */
  public ConvexWeights rescaled(float[] oldScales, float[] newScales) {
    if (oldScales.length != inputDim || newScales.length != inputDim) {
      throw new IllegalArgumentException("column scales must have length d = " + inputDim);
    }
    float[] factor = new float[inputDim];
    for (int i = 0; i < inputDim; i++) {
      factor[i] = oldScales[i] > 0 ? newScales[i] / oldScales[i] : 0f;
    }
    float[] out = values.clone();
    for (int g = 0; g < outputs * gates; g++) {
      for (int i = 0; i < inputDim; i++) {
        out[g * inputDim + i] *= factor[i];
      }
    }
    return new ConvexWeights(outputs, gates, inputDim, out);
  }

  /** These weights times {@code factor}. */
  public ConvexWeights scaled(float factor) {
    float[] out = values.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] *= factor;
    }
    return new ConvexWeights(outputs, gates, inputDim, out);
  }

  /** C. */
  public int outputs() {
    return outputs;
  }

  /** P. */
  public int gates() {
    return gates;
  }

  /** d. */
  public int inputDim() {
    return inputDim;
  }

  /** The backing array (not a copy): callers must not modify it. */
  float[] values() {
    return values;
  }

  /** U[k, j, i]. */
  public float get(int k, int j, int i) {
    return values[(k * gates + j) * inputDim + i];
  }

  /** ‖U[k, j, :]‖₂. */
  public double groupNorm(int k, int j) {
    int off = (k * gates + j) * inputDim;
    double s = 0;
    for (int i = 0; i < inputDim; i++) {
      s += (double) values[off + i] * values[off + i];
    }
    return Math.sqrt(s);
  }

  /** C·P. */
  public int totalGroups() {
    return outputs * gates;
  }

  /** Number of groups with at least one non-zero entry. */
  public int nonzeroGroups() {
    int count = 0;
    for (int g = 0; g < totalGroups(); g++) {
      int off = g * inputDim;
      for (int i = 0; i < inputDim; i++) {
        if (values[off + i] != 0f) {
          count++;
          break;
        }
      }
    }
    return count;
  }

  /** Which groups (index k·P + j) are non-zero: the support. */
  public boolean[] support() {
    boolean[] s = new boolean[totalGroups()];
    for (int g = 0; g < s.length; g++) {
      int off = g * inputDim;
      for (int i = 0; i < inputDim; i++) {
        if (values[off + i] != 0f) {
          s[g] = true;
          break;
        }
      }
    }
    return s;
  }

  /** Σ_{k,j} ‖U[k,j,:]‖₂, the group-lasso penalty without λ. */
  public double groupNormSum() {
    double s = 0;
    for (int k = 0; k < outputs; k++) {
      for (int j = 0; j < gates; j++) {
        s += groupNorm(k, j);
      }
    }
    return s;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConvexWeights w
        && w.outputs == outputs
        && w.gates == gates
        && w.inputDim == inputDim
        && Arrays.equals(w.values, values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }
}
