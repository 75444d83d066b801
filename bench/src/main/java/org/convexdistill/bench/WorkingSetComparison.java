package org.convexdistill.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.convexdistill.solver.GatedReluProblem;
import org.convexdistill.solver.RFista;
import org.convexdistill.solver.SolverOptions;
import org.convexdistill.solver.SolverResult;

/**
 * Cold solves to a certified relative gap, with and without working sets, in one process and
 * interleaved (so both see the same machine load); the ratio of the medians is the figure. Used by
 * {@code distill bench working-set}.
 */
public final class WorkingSetComparison {
  private WorkingSetComparison() {}

  /** The medians at one λ. */
  public record Row(
      double ratio,
      double everyGroupSeconds,
      double workingSetSeconds,
      int everyGroupIterations,
      int workingSetIterations,
      int outerIterations,
      int workingSetPeak,
      int totalGroups,
      int units,
      double everyGroupGap,
      double workingSetGap,
      double objectiveDifference) {
    /** every-group seconds ÷ working-set seconds. */
    public double speedup() {
      return everyGroupSeconds / workingSetSeconds;
    }
  }

  /** Runs {@code repeats} interleaved pairs at each λ = ratio·λmax and prints one line each. */
  public static List<Row> run(
      GatedReluProblem problem,
      double[] ratios,
      double gapTolerance,
      int repeats,
      int threads,
      PrintStream out) {
    List<Row> rows = new ArrayList<>();
    try (RFista solver = new RFista(problem, threads)) {
      double lmax = solver.lambdaMax();
      out.printf(
          "n=%d d=%d C=%d P=%d, lambda_max %.6g, cold solves to relative gap %.0e, %d pair(s)"
              + " each, interleaved%n",
          problem.samples(),
          problem.inputDim(),
          problem.outputs(),
          problem.gates(),
          lmax,
          gapTolerance,
          repeats);
      out.printf(
          "%-7s %12s %12s %8s %10s %10s %7s %6s %10s %10s%n",
          "ratio",
          "all groups s",
          "work. set s",
          "speedup",
          "iters all",
          "iters ws",
          "outer",
          "peak",
          "gap all",
          "gap ws");
      for (double ratio : ratios) {
        SolverOptions.Builder b =
            SolverOptions.builder().setLambda(ratio * lmax).optGapTolerance(gapTolerance);
        double[] every = new double[repeats];
        double[] ws = new double[repeats];
        SolverResult lastEvery = null;
        SolverResult lastWs = null;
        for (int i = 0; i < repeats; i++) {
          // Alternate the order so neither always runs first (JIT, caches, load).
          boolean everyFirst = i % 2 == 0;
          for (int k = 0; k < 2; k++) {
            boolean useWs = (k == 0) != everyFirst;
            SolverResult r = solver.solve(b.optWorkingSet(useWs).build());
            if (useWs) {
              ws[i] = r.seconds();
              lastWs = r;
            } else {
              every[i] = r.seconds();
              lastEvery = r;
            }
          }
        }
        Row row =
            new Row(
                ratio,
                median(every),
                median(ws),
                lastEvery.iterations(),
                lastWs.iterations(),
                lastWs.outerIterations(),
                lastWs.workingSetPeak(),
                lastWs.totalGroups(),
                lastWs.nonzeroGroups(),
                lastEvery.relativeGap(),
                lastWs.relativeGap(),
                Math.abs(lastWs.objective() - lastEvery.objective()) / lastEvery.objective());
        rows.add(row);
        out.printf(
            "%-7.3g %12.2f %12.2f %7.2fx %10d %10d %7d %6d %10.2e %10.2e%n",
            row.ratio(),
            row.everyGroupSeconds(),
            row.workingSetSeconds(),
            row.speedup(),
            row.everyGroupIterations(),
            row.workingSetIterations(),
            row.outerIterations(),
            row.workingSetPeak(),
            row.everyGroupGap(),
            row.workingSetGap());
      }
    }
    return rows;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
}
