package org.convexdistill.bench;

import java.util.concurrent.TimeUnit;
import org.convexdistill.solver.GatedReluProblem;
import org.convexdistill.solver.RFista;
import org.convexdistill.solver.SolverOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time of 10 R-FISTA iterations versus the 20 plain sgemm calls of the same shapes (the ideal: two
 * GEMMs per iteration). Their ratio is the solver's overhead beyond its two big products.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
public class SolverIterationBenchmark {
  @Param({"2000"})
  int n;

  @Param({"1024"})
  int d;

  @Param({"64"})
  int outputs;

  @Param({"16"})
  int gates;

  private RFista solver;
  private SolverOptions options;

  @Setup(Level.Trial)
  public void setUp() {
    GatedReluProblem problem = SolverThroughput.syntheticProblem(n, d, outputs, gates, 7);
    solver = new RFista(problem);
    options =
        SolverOptions.builder()
            .setLambda(0.1 * solver.lambdaMax())
            .optGapTolerance(0)
            .optSubgradientTolerance(0)
            .optMaxIterations(10)
            .build();
    solver.lipschitzEstimate();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    solver.close();
  }

  @Benchmark
  public double tenSolverIterations() {
    return solver.solve(options).objective();
  }

  @Benchmark
  public double twentySgemmCalls() {
    return SolverThroughput.sgemmGflops(n, d, outputs * gates, 10);
  }
}
