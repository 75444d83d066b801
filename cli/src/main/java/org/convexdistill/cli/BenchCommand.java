package org.convexdistill.cli;

import java.util.concurrent.Callable;
import org.convexdistill.app.UserException;
import org.convexdistill.bench.SolverThroughput;
import org.convexdistill.bench.WarmRefitComparison;
import org.convexdistill.bench.WorkingSetComparison;
import org.convexdistill.core.npy.NpyArray;
import org.convexdistill.solver.BlasThreads;
import org.convexdistill.solver.SolverOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distill bench}: performance figures printed by commands, not by tests. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks that print figures.",
    subcommands = {
      BenchCommand.Solver.class,
      BenchCommand.Warm.class,
      BenchCommand.WorkingSet.class,
      BenchCommand.Admm.class,
      BenchRefitCommand.class,
      BenchIngestCommand.class,
      BenchServingCommand.class
    })
final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code distill bench working-set}. */
  @Command(
      name = "working-set",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Cold solves of one problem to a certified relative gap, iterating on every group (no"
            + " working sets) and on working sets, interleaved in one process; prints median"
            + " seconds and the speedup at each lambda. To compare with an older solver, run the"
            + " same command from its build.",
        "Example: distill activations --block 4 --samples 2000 --out act4 && distill bench"
            + " working-set --z act4/Z.npy --y act4/Y.npy --num-gates 8"
      })
  static final class WorkingSet implements Callable<Integer> {
    @CommandLine.Mixin ProblemOptions problemOptions;

    @Option(
        names = "--ratios",
        split = ",",
        paramLabel = "R",
        description = "lambda / lambda_max values (default: 0.3,0.1).")
    double[] ratios = {0.3, 0.1};

    @Option(
        names = "--gap-tol",
        paramLabel = "E",
        description = "Certified relative gap to reach (default: ${DEFAULT-VALUE}).")
    double gapTol = 1e-4;

    @Option(
        names = "--repeats",
        paramLabel = "K",
        description =
            "Pairs of solves per lambda; medians are reported (default: ${DEFAULT-VALUE}).")
    int repeats = 1;

    @Option(
        names = "--threads",
        paramLabel = "K",
        description = "Solver threads (BLAS and elementwise; default: all cores).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() throws Exception {
      if (repeats < 1 || threads < 1) {
        throw new UserException("--repeats and --threads must be >= 1");
      }
      for (double r : ratios) {
        if (!(r > 0 && r < 1)) {
          throw new UserException("--ratios must lie in (0, 1), got " + r);
        }
      }
      if (!(gapTol > 0)) {
        throw new UserException("--gap-tol must be > 0, got " + gapTol);
      }
      BlasThreads.set(threads);
      WorkingSetComparison.run(problemOptions.load(), ratios, gapTol, repeats, threads, System.out);
      return 0;
    }
  }

  /** {@code distill bench admm}. */
  @Command(
      name = "admm",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Cold solves to a certified relative gap: R-FISTA (working sets) vs ADMM with a cached"
            + " kernel factorisation (group lasso; and the nuclear norm of Theorem 3B when C <="
            + " 64), interleaved in one process; then ADMM cold vs warm-started on the window slid"
            + " by --slide of its rows.",
        "Example: distill activations --block 4 --samples 2200 --out act4 && distill bench admm"
            + " --z act4/Z.npy --y act4/Y.npy --logits act4/H.npy --ratios 0.02,0.002"
      })
  static final class Admm implements Callable<Integer> {
    @Option(names = "--z", required = true, paramLabel = "Z.npy", description = "Inputs Z, (n, d).")
    java.nio.file.Path z;

    @Option(
        names = "--y",
        required = true,
        paramLabel = "Y.npy",
        description = "Targets Y, (n, C): the block's outputs.")
    java.nio.file.Path y;

    @Option(
        names = "--logits",
        paramLabel = "H.npy",
        description =
            "Fit the teacher's logits as the learner does: the targets become Y's coordinates in"
                + " the directions of this affine head (C × classes, from distill activations).")
    java.nio.file.Path head;

    @Option(
        names = "--gates",
        paramLabel = "P",
        description = "Random gates (default: ${DEFAULT-VALUE}).")
    int gates = 32;

    @Option(names = "--seed", description = "Seed of the gates (default: ${DEFAULT-VALUE}).")
    long seed = 7;

    @Option(
        names = "--ratios",
        split = ",",
        paramLabel = "R",
        description = "lambda / lambda_max values (default: 0.02,0.002).")
    double[] ratios = {0.02, 0.002};

    @Option(
        names = "--gap-tol",
        paramLabel = "E",
        description = "Certified relative gap to reach (default: ${DEFAULT-VALUE}).")
    double gapTol = 1e-3;

    @Option(
        names = "--max-iters",
        paramLabel = "N",
        description = "Iteration cap of each solve (default: ${DEFAULT-VALUE}).")
    int maxIters = 5000;

    @Option(
        names = "--repeats",
        paramLabel = "K",
        description = "Solves per lambda and solver; medians (default: ${DEFAULT-VALUE}).")
    int repeats = 1;

    @Option(
        names = "--rho-scale",
        paramLabel = "S",
        description =
            "ADMM's rho = S * (lambda/lambda_max) * tr(K)/n instead of the solver's default"
                + " (for tuning).")
    double rhoScale = Double.NaN;

    @Option(
        names = "--slide",
        paramLabel = "F",
        description =
            "The warm test's slide, a fraction of the rows; 0 = none (default: ${DEFAULT-VALUE}).")
    double slide = 0.1;

    @Option(
        names = "--no-fista",
        description = "Skip R-FISTA (it does not converge at the learner's small lambda).")
    boolean noFista;

    @Option(
        names = "--threads",
        paramLabel = "K",
        description = "Solver threads (BLAS and elementwise; default: all cores).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() throws Exception {
      if (repeats < 1 || threads < 1 || gates < 1 || maxIters < 1) {
        throw new UserException("--repeats, --threads, --gates and --max-iters must be >= 1");
      }
      for (double r : ratios) {
        if (!(r > 0 && r < 1)) {
          throw new UserException("--ratios must lie in (0, 1), got " + r);
        }
      }
      if (!(gapTol > 0) || !(slide >= 0 && slide < 0.5)) {
        throw new UserException("--gap-tol must be > 0 and --slide in [0, 0.5)");
      }
      NpyArray za = org.convexdistill.core.npy.Npy.read(z);
      NpyArray ya = org.convexdistill.core.npy.Npy.read(y);
      int n = za.dim(0);
      if (ya.dim(0) != n) {
        throw new UserException("--z and --y have different row counts");
      }
      float[] targets = ya.data();
      int c = ya.dim(1);
      if (head != null) {
        NpyArray h = org.convexdistill.core.npy.Npy.read(head);
        if (h.dim(0) != c) {
          throw new UserException("--logits has " + h.dim(0) + " rows but Y has " + c + " columns");
        }
        var basis = org.convexdistill.solver.HeadMetric.logitBasis(h.data(), c, h.dim(1));
        NpyArray t = org.convexdistill.learner.stream.Refitter.targets(targets, n, c, basis, true);
        targets = t.data();
        c = t.dim(1);
      }
      BlasThreads.set(threads);
      org.convexdistill.bench.AdmmComparison.run(
          za.data(),
          targets,
          n,
          za.dim(1),
          c,
          new org.convexdistill.bench.AdmmComparison.Settings(
              gates, seed, ratios, gapTol, repeats, threads, slide, maxIters, rhoScale, !noFista),
          System.out);
      return 0;
    }
  }

  /** {@code distill bench solver}. */
  @Command(
      name = "solver",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "In one process: plain sgemm GFLOP/s on the solver's shapes and threads, then the solver's"
            + " GFLOP/s over --iters iterations; efficiency is their ratio."
      })
  static final class Solver implements Callable<Integer> {
    @Option(names = "--n", description = "Samples (default: ${DEFAULT-VALUE}).")
    int n = 6000;

    @Option(names = "--d", description = "Input dimension (default: ${DEFAULT-VALUE}).")
    int d = 1024;

    @Option(names = "--c", description = "Outputs (default: ${DEFAULT-VALUE}).")
    int c = 64;

    @Option(names = "--gates", description = "Gates (default: ${DEFAULT-VALUE}).")
    int gates = 32;

    @Option(names = "--iters", description = "Solver iterations (default: ${DEFAULT-VALUE}).")
    int iters = 20;

    @Option(names = "--sgemm-reps", description = "sgemm repetitions (default: ${DEFAULT-VALUE}).")
    int sgemmReps = 10;

    @Option(
        names = "--threads",
        description = "Threads for the solver's elementwise passes (default: all cores).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() {
      if (n <= 0 || d <= 0 || c <= 0 || gates <= 0 || iters <= 0 || sgemmReps <= 0) {
        throw new UserException("--n, --d, --c, --gates, --iters and --sgemm-reps must be > 0");
      }
      if (threads < 1) {
        throw new UserException("--threads must be >= 1, got " + threads);
      }
      if ((long) n * c * gates > Integer.MAX_VALUE || (long) n * d > Integer.MAX_VALUE) {
        throw new UserException("shapes too large: n*C*P and n*d must stay below 2^31");
      }
      var f = SolverThroughput.measure(n, d, c, gates, iters, threads, sgemmReps);
      SolverThroughput.report(f, n, d, c, gates, sgemmReps, json, System.out);
      return 0;
    }
  }

  /** {@code distill bench warm}. */
  @Command(
      name = "warm",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Warm versus cold refits after a window slide on a planted synthetic stream: iterations of"
            + " one solve at a fixed lambda, and of a refit for a group budget (new path versus"
            + " warm refit from the previous lambda and solution)."
      })
  static final class Warm implements Callable<Integer> {
    @Option(names = "--n", description = "Window rows (default: ${DEFAULT-VALUE}).")
    int n = 2000;

    @Option(names = "--d", description = "Input dimension (default: ${DEFAULT-VALUE}).")
    int d = 256;

    @Option(names = "--c", description = "Outputs (default: ${DEFAULT-VALUE}).")
    int c = 32;

    @Option(names = "--gates", description = "Gates (default: ${DEFAULT-VALUE}).")
    int gates = 16;

    @Option(
        names = "--rho-scale",
        paramLabel = "S",
        description =
            "ADMM's rho = S * (lambda/lambda_max) * tr(K)/n instead of the solver's default"
                + " (for tuning).")
    double rhoScale = Double.NaN;

    @Option(
        names = "--slide",
        description = "Fraction of the window replaced (default: ${DEFAULT-VALUE}).")
    double slide = 0.1;

    @Option(
        names = "--lambda-ratio",
        description = "Fixed lambda / lambda_max (default: ${DEFAULT-VALUE}).")
    double lambdaRatio = 0.1;

    @Option(names = "--target-groups", description = "Group budget for the refit (default: C*P/4).")
    int targetGroups;

    @Option(
        names = "--gap-tol",
        description = "Relative gap tolerance (default: ${DEFAULT-VALUE}).")
    double gapTol = SolverOptions.DEFAULT_GAP_TOLERANCE;

    @Option(names = "--seed", description = "Stream seed (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() {
      if (n <= 0 || d <= 0 || c <= 0 || gates <= 0) {
        throw new UserException("--n, --d, --c and --gates must be > 0");
      }
      if (!(slide > 0 && slide < 1)) {
        throw new UserException("--slide must be in (0, 1), got " + slide);
      }
      if (!(lambdaRatio > 0 && lambdaRatio < 1)) {
        throw new UserException("--lambda-ratio must be in (0, 1), got " + lambdaRatio);
      }
      int budget = targetGroups > 0 ? targetGroups : Math.max(1, c * gates / 4);
      int shift = Math.max(1, (int) Math.round(slide * n));
      NpyArray[] stream = SolverThroughput.syntheticRows(n + shift, d, c, seed);
      SolverOptions base = SolverOptions.builder().setLambda(1).optGapTolerance(gapTol).build();
      var f =
          WarmRefitComparison.run(
              stream, n, shift, gates, seed + 1, lambdaRatio, budget, base, 12, 0.01);
      WarmRefitComparison.report(
          f, n, d, c, gates, shift, gapTol, lambdaRatio, budget, json, System.out);
      return 0;
    }
  }
}
