package org.convexdistill.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.convexdistill.core.npy.NpyArray;
import org.convexdistill.solver.ConvexWeights;
import org.convexdistill.solver.GatedAdmm;
import org.convexdistill.solver.GatedReluProblem;
import org.convexdistill.solver.RFista;
import org.convexdistill.solver.SolverOptions;
import org.convexdistill.solver.SolverResult;

/**
 * Cold solves of one problem to a certified relative gap by R-FISTA (working sets) and by ADMM
 * (group lasso, and the nuclear norm when C is small), interleaved in one process; then, on a
 * window slid by a fraction of its rows, ADMM cold vs warm-started from the first window's
 * solution. Used by {@code distill bench admm}.
 */
public final class AdmmComparison {
  private AdmmComparison() {}

  /** What to run. */
  public record Settings(
      int gates,
      long seed,
      double[] ratios,
      double gapTolerance,
      int repeats,
      int threads,
      double slide,
      int maxIterations,
      double rhoScale,
      boolean fista) {}

  /** ρ from --rho-scale (NaN: the solver's default). */
  private static double rho(Settings s, GatedAdmm solver, double ratio) {
    return Double.isNaN(s.rhoScale()) ? Double.NaN : s.rhoScale() * ratio * solver.kernelScale();
  }

  /** Medians at one λ. */
  public record Row(
      double ratio,
      double fistaSeconds,
      int fistaIterations,
      double fistaGap,
      int fistaUnits,
      double admmSeconds,
      int admmIterations,
      double admmGap,
      int admmUnits,
      double objectiveDifference,
      double nuclearSeconds,
      int nuclearIterations,
      double nuclearGap) {}

  /** Runs the comparison on rows [0, n·(1 − slide)) and the warm test on the slid window. */
  public static List<Row> run(
      float[] z, float[] y, int n, int d, int c, Settings s, PrintStream out) {
    int shift = (int) Math.round(n * s.slide());
    int rows = n - shift;
    GatedReluProblem first = problem(z, y, 0, rows, d, c, s);
    double setup;
    List<Row> table = new ArrayList<>();
    long t0 = System.nanoTime();
    try (RFista fista = new RFista(first, s.threads());
        GatedAdmm admm = new GatedAdmm(first, GatedAdmm.Penalty.GROUP_LASSO, s.threads());
        GatedAdmm nuclear =
            c <= GatedAdmm.MAX_NUCLEAR_OUTPUTS
                ? new GatedAdmm(first, GatedAdmm.Penalty.NUCLEAR_NORM, s.threads())
                : null) {
      setup = (System.nanoTime() - t0) / 1e9;
      double lmax = fista.lambdaMax();
      out.printf(
          "n=%d d=%d C=%d P=%d, lambda_max %.6g (nuclear %.6g), cold solves to relative gap"
              + " %.0e, %d repeat(s), interleaved; ADMM kernel + setup %.2f s (both penalties)%n",
          rows,
          d,
          c,
          s.gates(),
          lmax,
          nuclear == null ? Double.NaN : nuclear.lambdaMax(),
          s.gapTolerance(),
          s.repeats(),
          setup);
      out.printf(
          "%-7s | %8s %6s %9s %5s | %8s %6s %9s %5s %9s | %8s %6s %9s%n",
          "ratio",
          "FISTA s",
          "iters",
          "gap",
          "units",
          "ADMM s",
          "iters",
          "gap",
          "units",
          "obj diff",
          "nuc s",
          "iters",
          "gap");
      for (double ratio : s.ratios()) {
        double[] fs = new double[s.repeats()];
        double[] as = new double[s.repeats()];
        double[] ns = new double[s.repeats()];
        SolverResult lf = null;
        SolverResult la = null;
        SolverResult ln = null;
        for (int i = 0; i < s.repeats(); i++) {
          boolean fistaFirst = i % 2 == 0;
          for (int k = 0; k < 2; k++) {
            if ((k == 0) == fistaFirst) {
              if (!s.fista()) {
                continue;
              }
              lf =
                  fista.solve(
                      SolverOptions.builder()
                          .setLambda(ratio * lmax)
                          .optGapTolerance(s.gapTolerance())
                          .optMaxIterations(s.maxIterations())
                          .build());
              fs[i] = lf.seconds();
            } else {
              la =
                  admm.solve(
                          GatedAdmm.Options.of(ratio * lmax, s.gapTolerance(), s.maxIterations())
                              .withRho(rho(s, admm, ratio)))
                      .result();
              as[i] = la.seconds();
            }
          }
          if (nuclear != null) {
            ln =
                nuclear
                    .solve(
                        GatedAdmm.Options.of(
                                ratio * nuclear.lambdaMax(), s.gapTolerance(), s.maxIterations())
                            .withRho(rho(s, nuclear, ratio)))
                    .result();
            ns[i] = ln.seconds();
          }
        }
        if (lf == null) {
          lf = la;
        }
        Row row =
            new Row(
                ratio,
                s.fista() ? median(fs) : Double.NaN,
                s.fista() ? lf.iterations() : 0,
                s.fista() ? lf.relativeGap() : Double.NaN,
                s.fista() ? lf.nonzeroGroups() : 0,
                median(as),
                la.iterations(),
                la.relativeGap(),
                la.nonzeroGroups(),
                (la.objective() - lf.objective()) / lf.objective(),
                ln == null ? Double.NaN : median(ns),
                ln == null ? 0 : ln.iterations(),
                ln == null ? Double.NaN : ln.relativeGap());
        table.add(row);
        out.printf(
            "%-7.3g | %8.2f %6d %9.2e %5d | %8.2f %6d %9.2e %5d %9.1e | %8.2f %6d %9.2e%n",
            row.ratio(),
            row.fistaSeconds(),
            row.fistaIterations(),
            row.fistaGap(),
            row.fistaUnits(),
            row.admmSeconds(),
            row.admmIterations(),
            row.admmGap(),
            row.admmUnits(),
            row.objectiveDifference(),
            row.nuclearSeconds(),
            row.nuclearIterations(),
            row.nuclearGap());
      }
      if (shift > 0) {
        warm(z, y, shift, rows, d, c, s, first, admm, out);
      }
    }
    return table;
  }

  /** The slid window [shift, shift + rows): ADMM cold vs warm from the first window's solution. */
  private static void warm(
      float[] z,
      float[] y,
      int shift,
      int rows,
      int d,
      int c,
      Settings s,
      GatedReluProblem first,
      GatedAdmm firstAdmm,
      PrintStream out) {
    // As the learner does: the slid window keeps the first window's column scales where they fit.
    GatedReluProblem second = problem(z, y, shift, rows, d, c, s, first.columnScales());
    out.printf(
        "window slid by %d rows (%.0f %%): cold vs warm-started ADMM (group lasso), same λ/λmax%n",
        shift, 100 * s.slide());
    for (double ratio : s.ratios()) {
      GatedAdmm.Result before =
          firstAdmm.solve(
              GatedAdmm.Options.of(
                  ratio * firstAdmm.lambdaMax(), s.gapTolerance(), s.maxIterations()));
      long t0 = System.nanoTime();
      try (GatedAdmm admm = new GatedAdmm(second, GatedAdmm.Penalty.GROUP_LASSO, s.threads())) {
        double setup = (System.nanoTime() - t0) / 1e9;
        double lambda = ratio * admm.lambdaMax();
        GatedAdmm.Options cold = GatedAdmm.Options.of(lambda, s.gapTolerance(), s.maxIterations());
        ConvexWeights start =
            before.result().weights().rescaled(first.columnScales(), second.columnScales());
        ConvexWeights dual = before.dual().rescaled(first.columnScales(), second.columnScales());
        SolverResult fromZero = admm.solve(cold).result();
        SolverResult fromGradient =
            admm.solve(cold.withWarmStart(start).withRho(before.rho())).result();
        SolverResult fromDual =
            admm.solve(cold.withWarmStart(start, dual).withRho(before.rho())).result();
        SolverResult fromDualDefaultRho = admm.solve(cold.withWarmStart(start, dual)).result();
        out.printf(
            "%-7.3g kernel setup %.2f s; cold %s; warm from W0 with its dual from W0's gradient"
                + " %s, with the previous solve's dual and one fixed rho (its final median) %s,"
                + " with that dual and the adaptive per-gate metric (the learner's) %s: warm/cold"
                + " %.2f (time), %.2f (iterations)%n",
            ratio,
            setup,
            brief(fromZero),
            brief(fromGradient),
            brief(fromDual),
            brief(fromDualDefaultRho),
            fromDualDefaultRho.seconds() / fromZero.seconds(),
            (double) fromDualDefaultRho.iterations() / fromZero.iterations());
      }
    }
  }

  private static String brief(SolverResult r) {
    return String.format(
        java.util.Locale.ROOT,
        "%.2f s (%d it, gap %.1e)",
        r.seconds(),
        r.iterations(),
        r.relativeGap());
  }

  private static GatedReluProblem problem(
      float[] z, float[] y, int from, int rows, int d, int c, Settings s) {
    return problem(z, y, from, rows, d, c, s, null);
  }

  /** Rows [from, from + rows), keeping {@code carried} column scales where they fit (or none). */
  private static GatedReluProblem problem(
      float[] z, float[] y, int from, int rows, int d, int c, Settings s, float[] carried) {
    return GatedReluProblem.builder()
        .setInputs(NpyArray.of(Arrays.copyOfRange(z, from * d, (from + rows) * d), rows, d))
        .setTargets(NpyArray.of(Arrays.copyOfRange(y, from * c, (from + rows) * c), rows, c))
        .optRandomGates(s.gates(), s.seed())
        .optCarriedScales(carried)
        .build();
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
}
