package org.convexdistill.solver;

/**
 * The budgeted fit by {@link GatedAdmm}: solve at the floor λ = floorRatio·λmax (or, warm, at the
 * previous λ/λmax when the budget had raised it); when the student has more units than the budget
 * allows, double λ until it fits and bisect back (log space); when a raised λ leaves it well under,
 * try one step down. Then an optional support refit at polishRatio·λ restricted to the selected
 * support (a relaxed-lasso refit, not the paper's polishing).
 *
 * <p>Why no λ path, unlike {@link BudgetedFit}: a proximal-gradient solver needs the path's warm
 * starts to reach a small λ in reasonable time, ADMM does not (its V-step is exact whatever the
 * conditioning), and when the budget does not bind — the learner's default, which fits the
 * teacher's logits — the floor is the answer. Each λ costs one Cholesky factorisation (ρ follows
 * λ).
 *
 * <p>When the budget binds, the λ search only needs each trial's unit count, not its optimum to the
 * last digit: trials are solved to a gap of {@link #SEARCH_GAP} and only the chosen λ to the
 * caller's tolerance (its student is the certified one). If that tighter solve has more units than
 * the budget, λ rises by {@code lambdaStep} until it fits.
 */
public final class AdmmFit {
  /** Lower λ after a warm refit when the student uses fewer than this fraction of the budget. */
  static final double LOWER_BELOW = 0.95;

  /**
   * Relative gap of the λ search's trial solves (never tighter than the caller's tolerance). On the
   * joint blocks 3+4 student (n = 10,000, d = 2,048, 64 gates, a budget of 119 units) the search's
   * 14 solves to 1e-3 took 2,258 iterations and 990 s; with trials to 1e-2, 1,197 and 602 s.
   */
  static final double SEARCH_GAP = 1e-2;

  private AdmmFit() {}

  /**
   * How to fit.
   *
   * @param targetUnits the budget in hidden units (groups for the group lasso, singular triplets
   *     for the nuclear norm)
   * @param floorRatio the smallest λ/λmax, where fits stop when the budget does not bind
   * @param lambdaStep a warm refit whose previous λ the budget had raised tries λ/lambdaStep
   * @param bisectionSteps log-space bisection steps between the last λ over the budget and the
   *     first within it (after doubling λ from the floor)
   * @param polishRatio the support refit's λ as a fraction of the selected λ; 0 = none
   */
  public record Settings(
      int targetUnits,
      double floorRatio,
      double gapTolerance,
      int maxIterations,
      double lambdaStep,
      int bisectionSteps,
      double polishRatio) {
    public Settings {
      if (targetUnits < 1 || !(floorRatio > 0 && floorRatio < 1) || !(lambdaStep > 1)) {
        throw new IllegalArgumentException(
            "ADMM fit needs a budget >= 1, a floor in (0, 1) and a λ step > 1");
      }
    }
  }

  /**
   * Where a refit starts: the λ/λmax of the previous solve and, for a warm start, its weights and
   * its dual ρ·U ({@link GatedAdmm.Result#dual}), carried to this problem's column scales.
   *
   * @param lambda the previous solve's λ (its dual scales with λ)
   * @param weights the previous solution, or null to start the first solve from zero
   * @param dual the previous solve's unscaled dual (with {@code weights})
   */
  public record Start(
      double lambdaRatio, double lambda, ConvexWeights weights, ConvexWeights dual) {
    /** Only the λ/λmax: the first solve starts from zero. */
    public static Start lambdaOnly(double lambdaRatio) {
      return new Start(lambdaRatio, Double.NaN, null, null);
    }

    boolean warm() {
      return weights != null && dual != null && lambda > 0;
    }
  }

  /**
   * A fit and, for the next refit's warm start, the dual ρ·U of its selected solve (the certified
   * one at the chosen λ, before any support refit); null for a zero solution.
   */
  public record Outcome(BudgetedFit.Result fit, ConvexWeights dual) {}

  /** Fits on {@code solver}'s problem from {@code start} (null = cold, from zero). */
  public static Outcome fit(GatedAdmm solver, Settings s, Start start) {
    double lmax = solver.lambdaMax();
    double ratio = start == null ? s.floorRatio() : Math.max(s.floorRatio(), start.lambdaRatio());
    // A warm first solve needs the previous dual as well as the previous weights: ρU is a
    // subgradient of the penalty at the old optimum and barely moves when 10 % of the rows change,
    // while a dual rebuilt from the new window's gradient at W₀ is far off (the new rows are not
    // fitted yet). On real stage-4 windows slid by 10 % (logits, gap 1e-3) the warm start with the
    // carried dual took 31–36 iterations against 62–65 cold; with the rebuilt one, 115–309.
    // ρ follows the default schedule (adapted after 10 and 40 iterations) rather than the previous
    // solve's final ρ: with the 2-epoch teacher's windows a fixed carried ρ left a slow tail
    // (84 / 37 / 93 iterations over three slides against 69 / 41 / 74); the 20-epoch one's did not
    // care.
    // Later solves of this fit (λ raised for the budget, the support refit) start from the
    // previous solve.
    SolveTally t = new SolveTally();
    boolean warm = start != null && start.warm();
    // The dual is λ·(a subgradient): it scales with λ, which follows λmax from window to window.
    GatedAdmm.Result first =
        warm
            ? solve(
                solver,
                s,
                ratio * lmax,
                s.gapTolerance(),
                start.weights(),
                start.dual().scaled((float) (ratio * lmax / start.lambda())),
                null)
            : solve(solver, s, ratio * lmax, s.gapTolerance(), null, null, null);
    SolverResult selected = t.add(first.result());
    GatedAdmm.Result selectedSolve = first;
    int units = solver.hiddenUnits(selected.weights());
    if (units > s.targetUnits()) {
      // Over the budget: double λ until within it (λmax gives zero units), then bisect in log
      // space between the last λ over and the first within, keeping the solution within.
      double searchGap = Math.max(SEARCH_GAP, s.gapTolerance());
      double over = ratio;
      double under = Double.NaN;
      SolverResult at = selected;
      while (Double.isNaN(under)) {
        ratio = Math.min(1.0, ratio * 2);
        at = t.add(solve(solver, s, ratio * lmax, searchGap, at.weights(), null, null).result());
        if (solver.hiddenUnits(at.weights()) <= s.targetUnits()) {
          under = ratio;
          selected = at;
        } else {
          over = ratio;
        }
      }
      for (int step = 0; step < s.bisectionSteps(); step++) {
        double mid = Math.sqrt(over * under);
        SolverResult r =
            t.add(solve(solver, s, mid * lmax, searchGap, selected.weights(), null, null).result());
        if (solver.hiddenUnits(r.weights()) <= s.targetUnits()) {
          under = mid;
          selected = r;
        } else {
          over = mid;
        }
      }
      // The chosen λ to the caller's tolerance; a tighter solve may open a unit or two more.
      while (true) {
        GatedAdmm.Result exactSolve =
            solve(solver, s, under * lmax, s.gapTolerance(), selected.weights(), null, null);
        SolverResult exact = t.add(exactSolve.result());
        if (solver.hiddenUnits(exact.weights()) <= s.targetUnits() || under >= 1.0) {
          selected = exact;
          selectedSolve = exactSolve;
          break;
        }
        under = Math.min(1.0, under * s.lambdaStep());
      }
    } else if (start != null
        && ratio / s.lambdaStep() >= s.floorRatio()
        && units < LOWER_BELOW * s.targetUnits()) {
      // The budget raised λ before: the window moved so that the student fell well under it, so
      // try one step down (kept only when still within the budget).
      GatedAdmm.Result lower =
          solve(
              solver,
              s,
              ratio / s.lambdaStep() * lmax,
              s.gapTolerance(),
              selected.weights(),
              null,
              null);
      SolverResult r = t.add(lower.result());
      if (solver.hiddenUnits(r.weights()) <= s.targetUnits()) {
        selected = r;
        selectedSolve = lower;
      }
    }
    SolverResult polished = null;
    if (s.polishRatio() > 0 && selected.nonzeroGroups() > 0) {
      polished =
          t.add(
              solve(
                      solver,
                      s,
                      s.polishRatio() * selected.lambda(),
                      s.gapTolerance(),
                      selected.weights(),
                      null,
                      selected.weights().support())
                  .result());
    }
    return new Outcome(
        new BudgetedFit.Result(selected, polished, t.iterations, t.solves, t.seconds, 0, warm),
        selectedSolve.dual());
  }

  private static GatedAdmm.Result solve(
      GatedAdmm solver,
      Settings s,
      double lambda,
      double gapTolerance,
      ConvexWeights from,
      ConvexWeights fromDual,
      boolean[] allowed) {
    GatedAdmm.Options o = GatedAdmm.Options.of(lambda, gapTolerance, s.maxIterations());
    if (from != null) {
      o = fromDual == null ? o.withWarmStart(from) : o.withWarmStart(from, fromDual);
    }
    if (allowed != null) {
      o = o.withAllowedGroups(allowed);
    }
    return solver.solve(o);
  }
}
