package org.convexdistill.bench;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.convexdistill.app.Json;
import org.convexdistill.core.npy.NpyArray;
import org.convexdistill.solver.GatedReluProblem;
import org.convexdistill.solver.InvalidProblemException;
import org.convexdistill.solver.RFista;
import org.convexdistill.solver.SolverOptions;
import org.convexdistill.solver.SolverResult;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measures the solver's GEMM throughput against plain sgemm on the same shapes and threads, in one
 * process, so the ratio is meaningful on a noisy shared machine. Used by {@code distill bench
 * solver} and the JMH benchmarks.
 */
public final class SolverThroughput {
  private SolverThroughput() {}

  /** The figures of one run. */
  public record Figures(
      double solverGflops,
      double sgemmGflops,
      int blasThreads,
      int solverThreads,
      int iterations,
      double secondsPerIteration,
      double gemmsPerIteration,
      double objective,
      double relativeGap) {
    /** solver GFLOP/s ÷ sgemm GFLOP/s. */
    public double efficiency() {
      return sgemmGflops > 0 ? solverGflops / sgemmGflops : 0;
    }
  }

  /**
   * A planted problem: Z standard normal (n×d); Y = relu(Z·A)·B + noise with 16 hidden units, so
   * the fit has structure like a teacher block's.
   */
  public static GatedReluProblem syntheticProblem(int n, int d, int outputs, int gates, long seed) {
    if (gates <= 0) {
      throw new InvalidProblemException("gates must be positive, got " + gates);
    }
    NpyArray[] data = syntheticRows(n, d, outputs, seed);
    return GatedReluProblem.builder()
        .setInputs(data[0])
        .setTargets(data[1])
        .optRandomGates(gates, seed + 1)
        .build();
  }

  /**
   * Rows of the planted model of {@link #syntheticProblem}: {Z (n×d), Y (n×C)}; make it longer than
   * one window so windows can slide over it.
   */
  public static NpyArray[] syntheticRows(int n, int d, int outputs, long seed) {
    if (n <= 0 || d <= 0 || outputs <= 0) {
      throw new InvalidProblemException(
          "n, d and C must be positive, got " + n + ", " + d + ", " + outputs);
    }
    Random random = new Random(seed);
    int hidden = 16;
    float[] z = gaussian(random, n * d);
    float[] a = gaussian(random, d * hidden);
    float[] b = gaussian(random, hidden * outputs);
    INDArray zArr = Nd4j.create(z, new long[] {n, d}, 'c');
    INDArray h = zArr.mmul(Nd4j.create(a, new long[] {d, hidden}, 'c'));
    h = org.nd4j.linalg.ops.transforms.Transforms.relu(h, false);
    INDArray yArr = h.mmul(Nd4j.create(b, new long[] {hidden, outputs}, 'c')).dup('c');
    float[] y = yArr.data().asFloat();
    double scale = 1.0 / Math.sqrt(d * hidden);
    for (int i = 0; i < y.length; i++) {
      y[i] = (float) (y[i] * scale + 0.1 * random.nextGaussian());
    }
    return new NpyArray[] {NpyArray.of(z, n, d), NpyArray.of(y, n, outputs)};
  }

  /** Rows [from, from + count) of a row-major matrix. */
  public static NpyArray rows(NpyArray a, int from, int count) {
    int cols = a.dim(1);
    float[] out = new float[count * cols];
    System.arraycopy(a.data(), from * cols, out, 0, out.length);
    return NpyArray.of(out, count, cols);
  }

  private static float[] gaussian(Random random, int count) {
    float[] v = new float[count];
    for (int i = 0; i < count; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }

  /**
   * Median GFLOP/s of {@code reps} plain sgemm calls of the solver's two shapes (n×d·d×G and
   * dᵀ×n·n×G, G = C·P), Fortran order, same library and threads as the solver.
   */
  public static double sgemmGflops(int n, int d, int groups, int reps) {
    INDArray z = Nd4j.rand(DataType.FLOAT, n, d).dup('f');
    INDArray w = Nd4j.rand(DataType.FLOAT, d, groups).dup('f');
    INDArray a = Nd4j.create(DataType.FLOAT, new long[] {n, groups}, 'f');
    double flop = 2.0 * n * d * groups;
    double[] rates = new double[2 * reps];
    Nd4j.gemm(z, w, a, false, false, 1.0, 0.0); // warm-up
    for (int r = 0; r < reps; r++) {
      long t0 = System.nanoTime();
      Nd4j.gemm(z, w, a, false, false, 1.0, 0.0);
      long t1 = System.nanoTime();
      Nd4j.gemm(z, a, w, true, false, 1.0, 0.0);
      long t2 = System.nanoTime();
      rates[2 * r] = flop / (t1 - t0);
      rates[2 * r + 1] = flop / (t2 - t1);
    }
    z.close();
    w.close();
    a.close();
    return median(rates);
  }

  /**
   * Runs the whole comparison: sgemm first, then {@code iterations} solver iterations at λ =
   * 0.1·λ_max (tolerances off so every iteration runs), after a short warm-up solve.
   */
  public static Figures measure(
      int n, int d, int outputs, int gates, int iterations, int threads, int sgemmReps) {
    GatedReluProblem problem = syntheticProblem(n, d, outputs, gates, 7);
    double sgemm = sgemmGflops(n, d, outputs * gates, sgemmReps);
    try (RFista solver = new RFista(problem, threads)) {
      double lambda = 0.1 * solver.lambdaMax();
      solver.lipschitzEstimate();
      SolverOptions.Builder options =
          SolverOptions.builder().setLambda(lambda).optGapTolerance(0).optSubgradientTolerance(0);
      solver.solve(options.optMaxIterations(2).build()); // JIT and page warm-up
      SolverResult r = solver.solve(options.optMaxIterations(iterations).build());
      double gemmFlops = 2.0 * n * d * outputs * gates;
      return new Figures(
          r.gflops(),
          sgemm,
          Nd4j.factory().blas().getMaxThreads(),
          threads,
          r.iterations(),
          r.seconds() / Math.max(1, r.iterations()),
          r.flops() / gemmFlops / Math.max(1, r.iterations()),
          r.objective(),
          r.relativeGap());
    }
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int mid = v.length / 2;
    return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }

  /** Prints the figures as a table, or as one JSON object with {@code json}. */
  public static void report(
      Figures f, int n, int d, int c, int gates, int sgemmReps, boolean json, PrintStream out) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("solver_gflops", f.solverGflops());
    m.put("sgemm_gflops", f.sgemmGflops());
    m.put("efficiency", f.efficiency());
    m.put("threads", f.blasThreads());
    m.put("solver_threads", f.solverThreads());
    m.put("iterations", f.iterations());
    m.put("ms_per_iteration", f.secondsPerIteration() * 1e3);
    m.put("gemms_per_iteration", f.gemmsPerIteration());
    m.put("n", n);
    m.put("d", d);
    m.put("C", c);
    m.put("P", gates);
    if (json) {
      out.println(Json.write(m));
    } else {
      out.printf(
          "shapes         n=%d d=%d C=%d P=%d (GEMM %d x %d by %d x %d)%n",
          n, d, c, gates, n, d, d, c * gates);
      out.printf("sgemm          %.1f GFLOP/s (median of %d x 2)%n", f.sgemmGflops(), sgemmReps);
      out.printf(
          "solver         %.1f GFLOP/s over %d iterations, %.1f ms/iteration, %.2f GEMMs/iteration%n",
          f.solverGflops(), f.iterations(), f.secondsPerIteration() * 1e3, f.gemmsPerIteration());
      out.printf(
          "efficiency     %.3f   (threads: BLAS %d, solver %d)%n",
          f.efficiency(), f.blasThreads(), f.solverThreads());
    }
  }
}
