package org.convexdistill.core.student;

import java.util.Arrays;

/**
 * A two-layer gated-ReLU student that replaces one teacher block.
 *
 * <p>For an input row {@code z} (length d, the teacher block's flattened input) the student
 * computes {@code zn = z / s} (s = stored column scales; a zero scale maps to 0), then for every
 * hidden unit u with gate {@code g = gates[gate(u)]}:
 *
 * <pre>
 *   out[output(u)] += w2[u] · 1(zn·g &gt; 0) · (zn·W1[u,:])
 * </pre>
 *
 * This equals the convex model's prediction {@code Σ_j D_j ⊙ Zn·U[k,j,:]ᵀ} when each non-zero group
 * U[k,j,:] becomes one unit with {@code W1 = U/√‖U‖} and {@code w2 = √‖U‖}. The gates must act on
 * the same normalised inputs as in training, which is why the scales are part of the student.
 *
 * <p>Immutable and thread-safe; {@link #forward} takes a caller-owned {@link Workspace}.
 */
public final class StudentBlock {
  private final int inputDim;
  private final int outputDim;
  private final float[] inverseScales;
  private final float[] columnScales;
  private final float[] gates;
  private final int numGates;
  private final int[] unitGate;
  private final int[] unitOutput;
  private final float[] firstLayer;
  private final float[] secondLayer;

  /**
   * Creates a student; arrays are copied.
   *
   * @param inputDim d, the flattened input size
   * @param outputDim C, the flattened output size
   * @param columnScales s (length d): the training column norms the input is divided by
   * @param gates the used gate vectors, row-major numGates × d
   * @param unitGate for each of the h units, its gate row in {@code gates}
   * @param unitOutput for each unit, the output index it feeds
   * @param firstLayer row-major h × d first-layer weights
   * @param secondLayer length-h second-layer weights
   */
  public StudentBlock(
      int inputDim,
      int outputDim,
      float[] columnScales,
      float[] gates,
      int[] unitGate,
      int[] unitOutput,
      float[] firstLayer,
      float[] secondLayer) {
    if (inputDim <= 0 || outputDim <= 0) {
      throw new IllegalArgumentException(
          "dimensions must be positive: inputDim=" + inputDim + ", outputDim=" + outputDim);
    }
    int units = unitGate.length;
    requireLength("columnScales", columnScales.length, inputDim);
    if (gates.length % inputDim != 0) {
      throw new IllegalArgumentException(
          "gates length " + gates.length + " is not a multiple of inputDim " + inputDim);
    }
    requireLength("unitOutput", unitOutput.length, units);
    requireLength("firstLayer", firstLayer.length, (long) units * inputDim);
    requireLength("secondLayer", secondLayer.length, units);
    this.inputDim = inputDim;
    this.outputDim = outputDim;
    this.numGates = gates.length / inputDim;
    for (int u = 0; u < units; u++) {
      if (unitGate[u] < 0 || unitGate[u] >= numGates) {
        throw new IllegalArgumentException("unit " + u + " uses missing gate " + unitGate[u]);
      }
      if (unitOutput[u] < 0 || unitOutput[u] >= outputDim) {
        throw new IllegalArgumentException("unit " + u + " feeds missing output " + unitOutput[u]);
      }
    }
    this.columnScales = columnScales.clone();
    this.inverseScales = new float[inputDim];
    for (int i = 0; i < inputDim; i++) {
      float s = columnScales[i];
      if (!(s >= 0) || Float.isInfinite(s)) {
        throw new IllegalArgumentException("column scale " + i + " is " + s);
      }
      inverseScales[i] = s > 0 ? 1f / s : 0f;
    }
    this.gates = gates.clone();
    this.unitGate = unitGate.clone();
    this.unitOutput = unitOutput.clone();
    this.firstLayer = firstLayer.clone();
    this.secondLayer = secondLayer.clone();
  }

  private static void requireLength(String name, long actual, long expected) {
    if (actual != expected) {
      throw new IllegalArgumentException(name + " has length " + actual + ", expected " + expected);
    }
  }

  /** Buffers for one {@link #forward} call of up to {@code maxBatch} rows. */
  public Workspace newWorkspace(int maxBatch) {
    return new Workspace(maxBatch, inputDim, numGates);
  }

  /**
   * Computes the student's output for a batch.
   *
   * @param z input rows, row-major batch × d (read from offset 0)
   * @param batch number of rows
   * @param out output rows, row-major batch × C; overwritten
   * @param ws a workspace from {@link #newWorkspace} with capacity ≥ batch; overwritten
   */
  public void forward(float[] z, int batch, float[] out, Workspace ws) {
    if (batch < 0 || batch > ws.maxBatch) {
      throw new IllegalArgumentException(
          "batch " + batch + " exceeds workspace capacity " + ws.maxBatch);
    }
    if (z.length < (long) batch * inputDim) {
      throw new IllegalArgumentException(
          "input has " + z.length + " values, batch needs " + (long) batch * inputDim);
    }
    if (out.length < (long) batch * outputDim) {
      throw new IllegalArgumentException(
          "output has room for " + out.length + " values, batch needs " + (long) batch * outputDim);
    }
    float[] zn = ws.normalized;
    boolean[] open = ws.gateOpen;
    Arrays.fill(out, 0, batch * outputDim, 0f);
    for (int b = 0; b < batch; b++) {
      int zOff = b * inputDim;
      for (int i = 0; i < inputDim; i++) {
        zn[i] = z[zOff + i] * inverseScales[i];
      }
      for (int p = 0; p < numGates; p++) {
        open[p] = dot(zn, gates, p * inputDim, inputDim) > 0;
      }
      int outOff = b * outputDim;
      for (int u = 0; u < unitGate.length; u++) {
        if (open[unitGate[u]]) {
          out[outOff + unitOutput[u]] +=
              secondLayer[u] * dot(zn, firstLayer, u * inputDim, inputDim);
        }
      }
    }
  }

  /** Σ a[i]·b[off+i] with four independent accumulators (keeps the FP pipeline busy). */
  private static float dot(float[] a, float[] b, int off, int len) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    for (; i + 3 < len; i += 4) {
      s0 += a[i] * b[off + i];
      s1 += a[i + 1] * b[off + i + 1];
      s2 += a[i + 2] * b[off + i + 2];
      s3 += a[i + 3] * b[off + i + 3];
    }
    for (; i < len; i++) {
      s0 += a[i] * b[off + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** d, the flattened input size. */
  public int inputDim() {
    return inputDim;
  }

  /** C, the flattened output size. */
  public int outputDim() {
    return outputDim;
  }

  /** h, the number of hidden units (= non-zero groups of the convex solution). */
  public int hiddenUnits() {
    return unitGate.length;
  }

  /** Number of distinct gate vectors the units use. */
  public int numGates() {
    return numGates;
  }

  /** Trainable parameters as the paper counts them: h·(d + 1). */
  public long parameterCount() {
    return (long) hiddenUnits() * (inputDim + 1);
  }

  /** Every stored number: units, the gate vectors and the column scales. */
  public long storedParameterCount() {
    return parameterCount() + (long) numGates * inputDim + inputDim;
  }

  /** A copy of the column scales s. */
  public float[] columnScales() {
    return columnScales.clone();
  }

  /** A copy of the gates, row-major numGates × d. */
  public float[] gates() {
    return gates.clone();
  }

  /** A copy of each unit's gate row index. */
  public int[] unitGates() {
    return unitGate.clone();
  }

  /** A copy of each unit's output index. */
  public int[] unitOutputs() {
    return unitOutput.clone();
  }

  /** A copy of the first layer, row-major h × d. */
  public float[] firstLayer() {
    return firstLayer.clone();
  }

  /** A copy of the second-layer weights. */
  public float[] secondLayer() {
    return secondLayer.clone();
  }

  /** Preallocated buffers for {@link StudentBlock#forward}; not thread-safe. */
  public static final class Workspace {
    private final int maxBatch;
    private final float[] normalized;
    private final boolean[] gateOpen;

    private Workspace(int maxBatch, int inputDim, int numGates) {
      if (maxBatch <= 0) {
        throw new IllegalArgumentException("maxBatch must be positive, got " + maxBatch);
      }
      this.maxBatch = maxBatch;
      this.normalized = new float[inputDim];
      this.gateOpen = new boolean[numGates];
    }
  }
}
