package org.convexdistill.core.student;

import java.util.Arrays;
import org.convexdistill.core.numeric.Finite;
import org.convexdistill.core.numeric.RowKernels;

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
 * <p>Two layouts of the second layer. <b>Per-output</b> (one-vs-all group lasso): each unit feeds
 * one output with one weight, as above. <b>Shared-output</b> ({@link #sharedOutput}): each unit has
 * a second-layer row of length C shared across outputs, {@code out[:] += 1(zn·g > 0)·(zn·W1[u,:])·
 * W2[u,:]}, as the paper's polishing (appendix A.2) and the nuclear-norm form (Theorem 3B) produce.
 *
 * <p>Parameters are counted once, here: {@link #parameterCount} is the trainable weights, h·d for
 * the first layer plus h (per-output) or h·C (shared-output) for the second; the gate vectors and
 * the column scales are reported apart ({@link #gateParameters}, {@link #scaleParameters}). The
 * paper's Table 1 counts its gate convolution as parameters; {@link #storedParameterCount} is that
 * figure.
 *
 * <p>Immutable and thread-safe; {@link #forward} takes a caller-owned {@link Workspace}.
 */
public final class StudentBlock implements Student {
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
  private final boolean sharedOutput;
  private final OutputBasis outputBasis;
  // W1ᵀ (d rows of h, flat: see RowKernels), only for the scalar forward of a JVM without the
  // Vector API; null otherwise. Built with the student, never on a first forward (that delayed the
  // first batch after every hot swap). The vector forward reads W1 itself: no transpose to build
  // when a release arrives (it was most of a swap's CPU) and half the memory per kept version.
  private final float[] firstLayerT;

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
    this.firstLayerT = RowKernels.vectorised() ? null : transpose(this.firstLayer, units, inputDim);
    this.secondLayer = secondLayer.clone();
    this.sharedOutput = false;
    this.outputBasis = null;
  }

  /**
   * A student with {@code from}'s (validated, immutable) scales, gates and first layer and the
   * given second layer and output layout; arrays are shared, not copied.
   */
  private StudentBlock(
      StudentBlock from,
      int outputDim,
      int[] unitOutput,
      float[] secondLayer,
      boolean sharedOutput,
      OutputBasis outputBasis) {
    this(from, outputDim, unitOutput, secondLayer, sharedOutput, outputBasis, from.firstLayerT);
  }

  private StudentBlock(
      StudentBlock from,
      int outputDim,
      int[] unitOutput,
      float[] secondLayer,
      boolean sharedOutput,
      OutputBasis outputBasis,
      float[] firstLayerT) {
    this.inputDim = from.inputDim;
    this.outputDim = outputDim;
    this.inverseScales = from.inverseScales;
    this.columnScales = from.columnScales;
    this.gates = from.gates;
    this.numGates = from.numGates;
    this.unitGate = from.unitGate;
    this.unitOutput = unitOutput;
    this.firstLayer = from.firstLayer;
    this.firstLayerT = firstLayerT;
    this.secondLayer = secondLayer;
    this.sharedOutput = sharedOutput;
    this.outputBasis = outputBasis;
  }

  /**
   * This student with the scalar forward over W1ᵀ, which a JVM without the Vector API runs: for
   * tests, whose JVM has the API.
   */
  StudentBlock withScalarForward() {
    return new StudentBlock(
        this,
        outputDim,
        unitOutput,
        secondLayer,
        sharedOutput,
        outputBasis,
        transpose(firstLayer, unitGate.length, inputDim));
  }

  /**
   * The student whose outputs are this one's read as coordinates in {@code basis} and mapped back
   * to output coordinates (what a fit in the basis's weighted coordinates produces). A student with
   * only the basis's first r outputs ({@link OutputBasis#rank()}) is read with the other
   * coordinates zero (a fit of the weighted directions alone). A per-output student keeps its units
   * and stores the basis (r·(C + 1) numbers, applied after the units). A shared-output student of
   * all C coordinates folds the basis into its second layer (still h × C); one of the r leading
   * coordinates keeps its h × r second layer and stores the basis (h·r + r·(C + 1) numbers instead
   * of h·C).
   *
   * @throws IllegalArgumentException when this student already has a basis, or its outputs are
   *     neither C nor r
   */
  public StudentBlock inBasis(OutputBasis basis) {
    if (outputBasis != null) {
      throw new IllegalArgumentException("the student already has an output basis");
    }
    int c = basis.dim();
    if (outputDim != c && outputDim != basis.rank()) {
      throw new IllegalArgumentException(
          "output basis of dimension "
              + c
              + " and rank "
              + basis.rank()
              + " for "
              + outputDim
              + " outputs");
    }
    int h = unitGate.length;
    if (!sharedOutput) {
      StudentBlock wide =
          outputDim == c
              ? this
              : new StudentBlock(
                  inputDim, c, columnScales, gates, unitGate, unitOutput, firstLayer, secondLayer);
      return new StudentBlock(wide, c, wide.unitOutput, wide.secondLayer, false, basis);
    }
    if (outputDim < c) {
      // The basis's r leading coordinates: W2 stays h × r (compact).
      return new StudentBlock(this, c, null, secondLayer, true, basis);
    }
    float[] w2 = secondLayer.clone();
    basis.fromBasis(w2, h);
    return sharedOutput(inputDim, c, columnScales, gates, unitGate, firstLayer, w2);
  }

  /** The length of a unit's second-layer row: 1 per-output, C or r (compact) shared-output. */
  private int secondWidth() {
    if (!sharedOutput) {
      return 1;
    }
    return outputBasis != null ? outputBasis.rank() : outputDim;
  }

  /**
   * A shared-output student; arrays are copied.
   *
   * @param secondLayer row-major h × C: unit u's outgoing weights to every output
   */
  public static StudentBlock sharedOutput(
      int inputDim,
      int outputDim,
      float[] columnScales,
      float[] gates,
      int[] unitGate,
      float[] firstLayer,
      float[] secondLayer) {
    StudentBlock shell =
        new StudentBlock(
            inputDim,
            outputDim,
            columnScales,
            gates,
            unitGate,
            new int[unitGate.length],
            firstLayer,
            new float[unitGate.length]);
    requireLength("secondLayer", secondLayer.length, (long) unitGate.length * outputDim);
    return new StudentBlock(shell, outputDim, null, secondLayer.clone(), true, null);
  }

  private static void requireLength(String name, long actual, long expected) {
    if (actual != expected) {
      throw new IllegalArgumentException(name + " has length " + actual + ", expected " + expected);
    }
  }

  /** Buffers for one {@link #forward} call of up to {@code maxBatch} rows. */
  public Workspace newWorkspace(int maxBatch) {
    return new Workspace(maxBatch, inputDim, numGates, unitGate.length);
  }

  /**
   * Computes the student's output for a batch.
   *
   * @param z input rows, row-major batch × d (read from offset 0)
   * @param batch number of rows
   * @param out output rows, row-major batch × C; overwritten
   * @param ws a workspace from {@link #newWorkspace} with capacity ≥ batch; overwritten
   */
  @Override
  public float[] apply(float[] z, int n) {
    float[] out = new float[n * outputDim()];
    forward(z, n, out, newWorkspace(Math.max(1, n)));
    return out;
  }

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
    Arrays.fill(out, 0, batch * outputDim, 0f);
    int h = unitGate.length;
    float[][] act = ws.activations;
    for (int from = 0; from < batch; from += Workspace.TILE) {
      int rows = Math.min(Workspace.TILE, batch - from);
      activations(z, from, rows, ws);
      for (int b = 0; b < rows; b++) {
        int outOff = (from + b) * outputDim;
        float[] a = act[b];
        if (sharedOutput) {
          // Hidden activations combined through the shared rows of W2.
          int width = secondWidth();
          for (int u = 0; u < h; u++) {
            float v = a[u];
            if (v == 0f) {
              continue;
            }
            int w = u * width;
            for (int c = 0; c < width; c++) {
              out[outOff + c] += v * secondLayer[w + c];
            }
          }
        } else {
          for (int u = 0; u < h; u++) {
            out[outOff + unitOutput[u]] += secondLayer[u] * a[u];
          }
        }
      }
    }
    if (outputBasis != null) {
      outputBasis.fromBasis(out, batch);
    }
  }

  /**
   * The hidden activations of a batch, {@code 1(zn·g_u > 0)·(zn·W1[u,:])} for every unit u: the
   * features the paper's polishing refits a shared second layer on (appendix A.2).
   *
   * @param out row-major batch × h; overwritten
   */
  public void hidden(float[] z, int batch, float[] out, Workspace ws) {
    if (batch < 0 || batch > ws.maxBatch) {
      throw new IllegalArgumentException(
          "batch " + batch + " exceeds workspace capacity " + ws.maxBatch);
    }
    int h = unitGate.length;
    if (z.length < (long) batch * inputDim || out.length < (long) batch * h) {
      throw new IllegalArgumentException("input or output too short for a batch of " + batch);
    }
    for (int from = 0; from < batch; from += Workspace.TILE) {
      int rows = Math.min(Workspace.TILE, batch - from);
      activations(z, from, rows, ws);
      for (int b = 0; b < rows; b++) {
        System.arraycopy(ws.activations[b], 0, out, (from + b) * h, h);
      }
    }
  }

  /**
   * The hidden activations of rows [from, from + rows) of z (rows ≤ {@link Workspace#TILE}) into
   * {@code ws.activations[0..rows)}. With the Vector API: dot products of W1's rows with the
   * normalised rows, four at a time ({@link #unitsByDotProducts}). Without it, a float reduction
   * does not vectorise, so the first layer runs as rank-1 updates over its transpose, {@code
   * a[b][:] += zn[b, i] · W1ᵀ[i][:]}: one pass over W1 per tile, the zeros of a post-ReLU block
   * input skipped, at the cost of computing units behind a closed gate too. Both read flat arrays
   * through {@link RowKernels} (why: see there).
   */
  private void activations(float[] z, int from, int rows, Workspace ws) {
    int d = inputDim;
    int h = unitGate.length;
    float[] zn = ws.normalized;
    boolean[] open = ws.gateOpen;
    float[][] act = ws.activations;
    for (int b = 0; b < rows; b++) {
      int zOff = (from + b) * d;
      for (int i = 0; i < d; i++) {
        zn[b * d + i] = z[zOff + i] * inverseScales[i];
      }
      for (int p = 0; p < numGates; p++) {
        open[b * numGates + p] = dot(zn, b * d, gates, p * d, d) > 0;
      }
    }
    if (firstLayerT == null) {
      unitsByDotProducts(rows, ws);
      return;
    }
    for (int b = 0; b < rows; b++) {
      Arrays.fill(act[b], 0f);
    }
    float[] wt = firstLayerT;
    for (int i = 0; i < d; i++) {
      int w = i * h;
      for (int b = 0; b < rows; b++) {
        float v = zn[b * d + i];
        if (v != 0f) {
          RowKernels.axpy(v, wt, w, act[b], h);
        }
      }
    }
    for (int b = 0; b < rows; b++) {
      int g = b * numGates;
      float[] a = act[b];
      for (int u = 0; u < h; u++) {
        if (!open[g + unitGate[u]]) {
          a[u] = 0f;
        }
      }
    }
  }

  /**
   * The vector forward of {@link #activations}: per unit, its W1 row against four normalised rows
   * at a time ({@link RowKernels#dot4}), skipped where the unit's gate is closed for all four.
   */
  private void unitsByDotProducts(int rows, Workspace ws) {
    int d = inputDim;
    int h = unitGate.length;
    float[] zn = ws.normalized;
    boolean[] open = ws.gateOpen;
    float[][] act = ws.activations;
    float[] dots = ws.dots;
    for (int b0 = 0; b0 < rows; b0 += 4) {
      int n = Math.min(4, rows - b0);
      // Fewer than four rows left: the last one repeats, its extra sums are dropped.
      int x0 = b0 * d;
      int x1 = (b0 + Math.min(1, n - 1)) * d;
      int x2 = (b0 + Math.min(2, n - 1)) * d;
      int x3 = (b0 + Math.min(3, n - 1)) * d;
      for (int u = 0; u < h; u++) {
        int g = unitGate[u];
        boolean any = false;
        for (int b = 0; b < n; b++) {
          any |= open[(b0 + b) * numGates + g];
        }
        if (any) {
          RowKernels.dot4(firstLayer, u * d, zn, x0, x1, x2, x3, d, dots);
        }
        for (int b = 0; b < n; b++) {
          act[b0 + b][u] = any && open[(b0 + b) * numGates + g] ? dots[b] : 0f;
        }
      }
    }
  }

  /** W1ᵀ of a row-major h × d W1: d rows of h, row-major. */
  private static float[] transpose(float[] w, int h, int d) {
    float[] t = new float[d * h];
    for (int u = 0; u < h; u++) {
      for (int i = 0; i < d; i++) {
        t[i * h + u] = w[u * d + i];
      }
    }
    return t;
  }

  /**
   * This student's units with a new second layer shared across outputs ({@code secondLayer} row-
   * major h × C, into output coordinates: any output basis of this student is not carried over),
   * keeping only the units whose row is non-zero: what polishing produces.
   */
  public StudentBlock withSharedSecondLayer(float[] secondLayer) {
    if (sharedOutput && outputBasis != null) {
      throw new IllegalStateException("a compact shared-output student has no h × C second layer");
    }
    int h = unitGate.length;
    requireLength("secondLayer", secondLayer.length, (long) h * outputDim);
    int kept = 0;
    boolean[] keep = new boolean[h];
    for (int u = 0; u < h; u++) {
      for (int c = 0; c < outputDim && !keep[u]; c++) {
        keep[u] = secondLayer[u * outputDim + c] != 0f;
      }
      kept += keep[u] ? 1 : 0;
    }
    int[] gateRow = new int[numGates];
    Arrays.fill(gateRow, -1);
    int usedGates = 0;
    int[] ug = new int[kept];
    float[] w1 = new float[kept * inputDim];
    float[] w2 = new float[kept * outputDim];
    for (int u = 0, k = 0; u < h; u++) {
      if (!keep[u]) {
        continue;
      }
      if (gateRow[unitGate[u]] < 0) {
        gateRow[unitGate[u]] = usedGates++;
      }
      ug[k] = gateRow[unitGate[u]];
      System.arraycopy(firstLayer, u * inputDim, w1, k * inputDim, inputDim);
      System.arraycopy(secondLayer, u * outputDim, w2, k * outputDim, outputDim);
      k++;
    }
    float[] g = new float[usedGates * inputDim];
    for (int p = 0; p < numGates; p++) {
      if (gateRow[p] >= 0) {
        System.arraycopy(gates, p * inputDim, g, gateRow[p] * inputDim, inputDim);
      }
    }
    return sharedOutput(inputDim, outputDim, columnScales, g, ug, w1, w2);
  }

  /** Σ a[i]·b[off+i] with four independent accumulators (keeps the FP pipeline busy). */
  private static float dot(float[] a, int aOff, float[] b, int off, int len) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    for (; i + 3 < len; i += 4) {
      s0 += a[aOff + i] * b[off + i];
      s1 += a[aOff + i + 1] * b[off + i + 1];
      s2 += a[aOff + i + 2] * b[off + i + 2];
      s3 += a[aOff + i + 3] * b[off + i + 3];
    }
    for (; i < len; i++) {
      s0 += a[aOff + i] * b[off + i];
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

  /**
   * Weights: h·(d + 1) per-output (the paper's count for its MLP students), h·(d + C) shared-output
   * (h·(d + r) when compact in an output basis of rank r), plus the output basis's r·(C + 1) when
   * there is one (fixed, not trained, but needed to compute the output). Gates and scales are not
   * in it.
   */
  public long parameterCount() {
    long units = (long) hiddenUnits() * (inputDim + secondWidth());
    return units + (outputBasis == null ? 0 : outputBasis.parameterCount());
  }

  /** The stored gate vectors: G·d numbers (the paper's Table 1 counts its gate conv). */
  public long gateParameters() {
    return (long) numGates * inputDim;
  }

  /** The column scales: d numbers. */
  public long scaleParameters() {
    return inputDim;
  }

  /** Every stored number: the weights, the gate vectors and the column scales. */
  public long storedParameterCount() {
    return parameterCount() + gateParameters() + scaleParameters();
  }

  /** Whether the second layer is shared across outputs (h × C) rather than one weight a unit. */
  public boolean isSharedOutput() {
    return sharedOutput;
  }

  /** The weighted output basis the units' outputs are coordinates in, or null (output space). */
  public OutputBasis outputBasis() {
    return outputBasis;
  }

  /**
   * The first stored array holding a NaN or an infinity, or null when every number is finite. A
   * probe input cannot show this: a non-finite weight behind a gate that the probe leaves closed
   * answers finite values until a real request opens it.
   */
  @Override
  public String firstNonFinite() {
    String[] names = {"inverse scales", "column scales", "gates", "first layer", "second layer"};
    float[][] arrays = {inverseScales, columnScales, gates, firstLayer, secondLayer};
    for (int a = 0; a < arrays.length; a++) {
      if (!Finite.all(arrays[a])) {
        return names[a];
      }
    }
    if (outputBasis != null && !Finite.all(outputBasis.reflectors(), outputBasis.scales())) {
      return "output basis";
    }
    return null;
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

  /**
   * A copy of each unit's output index (per-output layout only).
   *
   * @throws IllegalStateException for a shared-output student
   */
  public int[] unitOutputs() {
    if (sharedOutput) {
      throw new IllegalStateException("a shared-output student has no per-unit output index");
    }
    return unitOutput.clone();
  }

  /** A copy of the first layer, row-major h × d. */
  public float[] firstLayer() {
    return firstLayer.clone();
  }

  /**
   * A copy of the second layer: h weights (per-output) or row-major h × C (shared-output; h × r
   * when compact in an output basis of rank r).
   */
  public float[] secondLayer() {
    return secondLayer.clone();
  }

  /**
   * Preallocated buffers for {@link StudentBlock#forward}; not thread-safe. Rows are processed in
   * tiles of {@link #TILE}, so the buffers do not grow with the batch.
   */
  public static final class Workspace {
    /** Rows per pass over the first layer: enough to reuse each W1ᵀ row from L1 several times. */
    static final int TILE = 16;

    private final int maxBatch;
    private final float[] normalized;
    private final boolean[] gateOpen;
    private final float[][] activations;
    private final float[] dots = new float[4];

    private Workspace(int maxBatch, int inputDim, int numGates, int units) {
      if (maxBatch <= 0) {
        throw new IllegalArgumentException("maxBatch must be positive, got " + maxBatch);
      }
      this.maxBatch = maxBatch;
      int rows = Math.min(maxBatch, TILE);
      this.normalized = new float[rows * inputDim];
      this.gateOpen = new boolean[rows * numGates];
      this.activations = new float[rows][units];
    }
  }
}
