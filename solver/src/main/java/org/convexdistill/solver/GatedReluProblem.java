package org.convexdistill.solver;

import java.nio.FloatBuffer;
import java.util.Random;
import org.convexdistill.core.npy.NpyArray;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The data of one convex gated-ReLU fit (see {@code solver-spec.md}).
 *
 * <ul>
 *   <li>Z (n×d) inputs, normalised by column: {@code Zn = Z·diag(1/s)}, {@code s_i = ‖Z[:,i]‖₂} (a
 *       zero column stays zero; with {@code unitize=false}, s = 1), or an earlier window's s_i
 *       where it still fits ({@link Builder#optCarriedScales});
 *   <li>Y (n×C) targets;
 *   <li>G (d×P) gate vectors and the activation patterns {@code D = 1(Zn·G > 0)} (n×P).
 * </ul>
 *
 * The objective is {@code F(U) = ‖Ŷ − Y‖²/(2nC) + λ·Σ‖U[k,j,:]‖} with {@code Ŷ[:,k] = Σ_j D[:,j] ⊙
 * Zn·U[k,j,:]ᵀ}. Immutable once built; build with {@link #builder()}.
 */
public final class GatedReluProblem {
  private final int n;
  private final int d;
  private final int outputs;
  private final int gates;
  private final INDArray zn;
  private final float[] targets;
  private final float[] patterns;
  private final float[] columnScales;
  private final float[] gateMatrix;
  private final double targetSquaredNorm;
  private final int carriedScales;

  /**
   * How far a window's own column norm may be from a carried scale (either way) for the carried one
   * to be kept: a 10 % slide of a stage-4 window moves 99 % of them by less than 33 %.
   */
  public static final double CARRY_SCALES_WITHIN = 1.5;

  private GatedReluProblem(
      int n,
      int d,
      int outputs,
      int gates,
      float[] z,
      float[] y,
      float[] g,
      boolean unitize,
      float[] carried) {
    this.n = n;
    this.d = d;
    this.outputs = outputs;
    this.gates = gates;
    this.gateMatrix = g;

    // Column norms in double: float accumulation over thousands of rows loses digits we need
    // to match a float64 reference to 1e-4.
    double[] norms = new double[d];
    for (int r = 0; r < n; r++) {
      int off = r * d;
      for (int i = 0; i < d; i++) {
        norms[i] += (double) z[off + i] * z[off + i];
      }
    }
    columnScales = new float[d];
    for (int i = 0; i < d; i++) {
      columnScales[i] = unitize ? (float) Math.sqrt(norms[i]) : 1f;
    }
    carriedScales = unitize && carried != null ? keepCarried(carried, columnScales) : 0;
    float[] inverse = new float[d];
    for (int i = 0; i < d; i++) {
      inverse[i] = columnScales[i] > 0 ? 1f / columnScales[i] : 0f;
    }

    // Zn in Fortran order (column-major), the layout BLAS wants: no copies inside gemm.
    zn = Nd4j.create(DataType.FLOAT, new long[] {n, d}, 'f');
    FloatBuffer znBuf = zn.data().asNioFloat();
    float[] column = new float[n];
    for (int i = 0; i < d; i++) {
      for (int r = 0; r < n; r++) {
        column[r] = z[r * d + i] * inverse[i];
      }
      znBuf.put(i * n, column, 0, n);
    }

    // Targets column-major (k·n + r) so per-output passes are contiguous.
    targets = new float[n * outputs];
    double ySq = 0;
    for (int r = 0; r < n; r++) {
      for (int k = 0; k < outputs; k++) {
        float v = y[r * outputs + k];
        targets[k * n + r] = v;
        ySq += (double) v * v;
      }
    }
    targetSquaredNorm = ySq;

    // D = 1(Zn·G > 0), column-major n×P.
    INDArray gArr = Nd4j.create(DataType.FLOAT, new long[] {d, gates}, 'f');
    FloatBuffer gBuf = gArr.data().asNioFloat();
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < gates; j++) {
        gBuf.put(j * d + i, g[i * gates + j]);
      }
    }
    INDArray pre = Nd4j.create(DataType.FLOAT, new long[] {n, gates}, 'f');
    Nd4j.gemm(zn, gArr, pre, false, false, 1.0, 0.0);
    float[] preValues = new float[n * gates];
    pre.data().asNioFloat().get(0, preValues, 0, preValues.length);
    patterns = new float[n * gates];
    for (int i = 0; i < preValues.length; i++) {
      patterns[i] = preValues[i] > 0f ? 1f : 0f;
    }
    gArr.close();
    pre.close();
  }

  /**
   * Keeps each carried scale that still fits its column — non-zero in both windows and within
   * {@link #CARRY_SCALES_WITHIN} of this window's own norm — and this window's norm for the rest
   * (columns that died or woke up, and nearly dead ones whose few non-zero rows changed); returns
   * how many were kept. Scales of another input dimension are not this problem's: none is kept.
   */
  private static int keepCarried(float[] carried, float[] own) {
    if (carried.length != own.length) {
      return 0;
    }
    int kept = 0;
    for (int i = 0; i < own.length; i++) {
      if (carried[i] > 0
          && own[i] > 0
          && carried[i] <= CARRY_SCALES_WITHIN * own[i]
          && own[i] <= CARRY_SCALES_WITHIN * carried[i]) {
        own[i] = carried[i];
        kept++;
      }
    }
    return kept;
  }

  /** How many column scales are carried ones ({@link Builder#optCarriedScales}). */
  public int carriedScales() {
    return carriedScales;
  }

  /** A builder; Z, Y and the gates are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** n, the number of samples. */
  public int samples() {
    return n;
  }

  /** d, the input dimension. */
  public int inputDim() {
    return d;
  }

  /** C, the output dimension. */
  public int outputs() {
    return outputs;
  }

  /** P, the number of gates. */
  public int gates() {
    return gates;
  }

  /** C·P, the number of groups. */
  public int totalGroups() {
    return outputs * gates;
  }

  /** m = n·C, the loss normaliser. */
  public double lossScale() {
    return (double) n * outputs;
  }

  /** Zn, n×d, Fortran order. Shared, do not modify. */
  INDArray normalizedInputs() {
    return zn;
  }

  /** Y column-major (index k·n + r). Shared, do not modify. */
  float[] targetsColumnMajor() {
    return targets;
  }

  /** D column-major (index j·n + r), entries 0 or 1. Shared, do not modify. */
  float[] patternsColumnMajor() {
    return patterns;
  }

  /** ‖Y‖²_F. */
  double targetSquaredNorm() {
    return targetSquaredNorm;
  }

  /** A copy of the column scales s (length d). */
  public float[] columnScales() {
    return columnScales.clone();
  }

  /** A copy of G, row-major d×P. */
  public float[] gateMatrix() {
    return gateMatrix.clone();
  }

  /** Fraction of (sample, gate) pairs whose pattern is active. */
  public double patternDensity() {
    double s = 0;
    for (float v : patterns) {
      s += v;
    }
    return s / patterns.length;
  }

  /** Builds a {@link GatedReluProblem}; every input is validated in {@link #build()}. */
  public static final class Builder {
    private NpyArray z;
    private NpyArray y;
    private NpyArray g;
    private int randomGates = -1;
    private long seed = 0;
    private boolean unitize = true;
    private float[] carried;

    private Builder() {}

    /** Required: the inputs Z, shape (n, d). */
    public Builder setInputs(NpyArray z) {
      this.z = z;
      return this;
    }

    /** Required: the targets Y, shape (n, C). */
    public Builder setTargets(NpyArray y) {
      this.y = y;
      return this;
    }

    /** The gate matrix G, shape (d, P); required unless {@link #optRandomGates} is used. */
    public Builder setGates(NpyArray g) {
      this.g = g;
      this.randomGates = -1;
      return this;
    }

    /** Draws P gates i.i.d. standard normal from {@code java.util.Random(seed)}, row-major d×P. */
    public Builder optRandomGates(int count, long seed) {
      this.randomGates = count;
      this.seed = seed;
      this.g = null;
      return this;
    }

    /**
     * Scales of an earlier window, each kept where it still fits this window's column (see {@link
     * #CARRY_SCALES_WITHIN}). Kept scales leave a warm start the same function of the raw inputs
     * with the same gate patterns on the rows the windows share: with the window's own scales any
     * pattern D = 1(Zn·G > 0) near a gate's boundary may flip, on every row.
     */
    public Builder optCarriedScales(float[] scales) {
      this.carried = scales == null ? null : scales.clone();
      return this;
    }

    /** Whether to scale Z's columns to unit norm (default true, as the reference does). */
    public Builder optUnitize(boolean unitize) {
      this.unitize = unitize;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws InvalidProblemException naming the first problem found
     */
    public GatedReluProblem build() {
      if (z == null) {
        throw new InvalidProblemException("inputs Z are required");
      }
      if (y == null) {
        throw new InvalidProblemException("targets Y are required");
      }
      requireMatrix("Z", z);
      requireMatrix("Y", y);
      int n = z.dim(0);
      int d = z.dim(1);
      if (y.dim(0) != n) {
        throw new InvalidProblemException(
            "Z has " + n + " rows but Y has " + y.dim(0) + "; they must have one row per sample");
      }
      float[] gates;
      int p;
      if (g != null) {
        requireMatrix("G", g);
        if (g.dim(0) != d) {
          throw new InvalidProblemException(
              "G has "
                  + g.dim(0)
                  + " rows but Z has d = "
                  + d
                  + " columns; G must have shape (d, P)");
        }
        p = g.dim(1);
        gates = g.data();
      } else if (randomGates > 0) {
        p = randomGates;
        gates = new float[d * p];
        Random random = new Random(seed);
        for (int i = 0; i < gates.length; i++) {
          gates[i] = (float) random.nextGaussian();
        }
      } else if (randomGates == 0 || randomGates < -1) {
        throw new InvalidProblemException("number of gates must be positive, got " + randomGates);
      } else {
        throw new InvalidProblemException("gates are required: give G or a number of gates");
      }
      if ((long) n * d > Integer.MAX_VALUE
          || (long) d * p * y.dim(1) > Integer.MAX_VALUE
          || (long) n * p * y.dim(1) > Integer.MAX_VALUE) {
        throw new InvalidProblemException("problem too large for 32-bit indexing");
      }
      return new GatedReluProblem(n, d, y.dim(1), p, z.data(), y.data(), gates, unitize, carried);
    }

    private static void requireMatrix(String name, NpyArray a) {
      if (a.rank() != 2) {
        throw new InvalidProblemException(
            name + " must be a 2-D array, got shape " + a.shapeString());
      }
      if (a.dim(0) == 0 || a.dim(1) == 0) {
        throw new InvalidProblemException(name + " is empty: shape " + a.shapeString());
      }
      int bad = a.firstNonFinite();
      if (bad >= 0) {
        int cols = a.dim(1);
        throw new InvalidProblemException(
            name
                + " contains "
                + a.data()[bad]
                + " at ["
                + bad / cols
                + ", "
                + bad % cols
                + "]; all values must be finite");
      }
    }
  }
}
