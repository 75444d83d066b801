package org.convexdistill.solver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.convexdistill.core.npy.NpyArray;
import org.convexdistill.core.student.StudentBlock;
import org.junit.jupiter.api.Test;

/**
 * ADMM reaches the optimum other solvers reach, for both penalties, restricted or not, and
 * certifies it with a gap that closes.
 */
class GatedAdmmTest {
  private static GatedReluProblem problem(int n, int d, int c, int p, long seed) {
    return SlowReference.problem(SlowReference.randomData(n, d, c, p, seed));
  }

  @Test
  void groupLassoMatchesRFistaAtLargeAndSmallLambda() {
    GatedReluProblem pr = problem(200, 8, 3, 6, 21);
    try (RFista fista = new RFista(pr, 1);
        GatedAdmm admm = new GatedAdmm(pr, GatedAdmm.Penalty.GROUP_LASSO, 1)) {
      assertThat(admm.lambdaMax()).isCloseTo(fista.lambdaMax(), withinRelative(1e-5));
      for (double ratio : new double[] {0.3, 0.03, 0.003}) {
        double lambda = ratio * fista.lambdaMax();
        SolverResult reference =
            fista.solve(
                SolverOptions.builder()
                    .setLambda(lambda)
                    .optGapTolerance(1e-7)
                    .optMaxIterations(50_000)
                    .build());
        GatedAdmm.Result r = admm.solve(GatedAdmm.Options.of(lambda, 1e-5, 5_000));
        assertThat(r.result().stopReason()).as("ratio %s", ratio).isEqualTo(StopReason.DUALITY_GAP);
        assertThat(r.result().relativeGap()).isLessThanOrEqualTo(1e-5);
        assertThat(r.result().objective())
            .as("ratio %s: ADMM vs R-FISTA", ratio)
            .isCloseTo(reference.objective(), withinRelative(2e-5));
        // The certificate is a true lower bound on the optimum.
        assertThat(r.result().certificate().dualValue())
            .isLessThanOrEqualTo(reference.objective() * (1 + 1e-6));
      }
    }
  }

  @Test
  void restrictedToAllowedGroupsItMatchesRFistasRestrictedSolve() {
    GatedReluProblem pr = problem(160, 6, 2, 5, 22);
    boolean[] allowed = new boolean[2 * 5];
    allowed[0] = true;
    allowed[3] = true;
    allowed[7] = true;
    try (RFista fista = new RFista(pr, 1);
        GatedAdmm admm = new GatedAdmm(pr, GatedAdmm.Penalty.GROUP_LASSO, 1)) {
      double lambda = 0.01 * fista.lambdaMax();
      SolverResult reference =
          fista.solve(
              SolverOptions.builder()
                  .setLambda(lambda)
                  .optGapTolerance(1e-7)
                  .optMaxIterations(50_000)
                  .optAllowedGroups(allowed)
                  .build());
      GatedAdmm.Result r =
          admm.solve(GatedAdmm.Options.of(lambda, 1e-5, 5_000).withAllowedGroups(allowed));
      assertThat(r.result().relativeGap()).isLessThanOrEqualTo(1e-5);
      assertThat(r.result().objective()).isCloseTo(reference.objective(), withinRelative(2e-5));
      for (int g = 0; g < allowed.length; g++) {
        if (!allowed[g]) {
          assertThat(r.result().weights().groupNorm(g / 5, g % 5)).isZero();
        }
      }
    }
  }

  @Test
  void nuclearNormReachesTheSvtReferenceOptimum() {
    GatedReluProblem pr = problem(120, 6, 4, 3, 11);
    try (GatedAdmm admm = new GatedAdmm(pr, GatedAdmm.Penalty.NUCLEAR_NORM, 1)) {
      NuclearNormFit bm = new NuclearNormFit(pr, 4, org.nd4j.linalg.api.buffer.DataType.DOUBLE);
      assertThat(admm.lambdaMax()).isCloseTo(bm.lambdaMax(), withinRelative(1e-4));
      double lambda = 0.1 * admm.lambdaMax();
      double reference = NuclearNormFitTest.referenceObjective(pr, lambda, 4000);
      GatedAdmm.Result r = admm.solve(GatedAdmm.Options.of(lambda, 1e-6, 5_000));
      assertThat(r.result().relativeGap()).isLessThanOrEqualTo(1e-6);
      assertThat(r.result().objective()).isCloseTo(reference, withinRelative(1e-5));
      assertThat(r.result().certificate().dualValue()).isLessThanOrEqualTo(reference * (1 + 1e-6));
    }
  }

  @Test
  void theNuclearStudentPredictsWhatTheSolutionPredictsAndSharesItsSecondLayer() {
    NpyArray[] data = SlowReference.randomData(150, 7, 4, 5, 12);
    GatedReluProblem pr = SlowReference.problem(data);
    try (GatedAdmm admm = new GatedAdmm(pr, GatedAdmm.Penalty.NUCLEAR_NORM, 1);
        RFista fista = new RFista(pr, 1)) {
      GatedAdmm.Result r = admm.solve(GatedAdmm.Options.of(0.05 * admm.lambdaMax(), 1e-6, 5_000));
      StudentBlock s = StudentFactory.fromNuclearSolution(pr, r.result().weights(), 0);
      assertThat(s.isSharedOutput()).isTrue();
      assertThat(s.hiddenUnits()).isBetween(1, 5 * 4);
      float[] expected = fista.predict(r.result().weights());
      float[] out = new float[150 * 4];
      s.forward(data[0].data(), 150, out, s.newWorkspace(150));
      for (int i = 0; i < out.length; i++) {
        assertThat((double) out[i])
            .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4));
      }
    }
  }

  @Test
  void aWarmStartAtTheOptimumIsCertifiedAtOnceAndLargeLambdaGivesZero() {
    GatedReluProblem pr = problem(200, 8, 3, 6, 23);
    try (GatedAdmm admm = new GatedAdmm(pr, GatedAdmm.Penalty.GROUP_LASSO, 1)) {
      double lambda = 0.05 * admm.lambdaMax();
      GatedAdmm.Result cold = admm.solve(GatedAdmm.Options.of(lambda, 1e-6, 5_000));
      GatedAdmm.Result warm =
          admm.solve(
              GatedAdmm.Options.of(lambda, 1e-5, 5_000)
                  .withWarmStart(cold.result().weights())
                  .withRho(cold.rho()));
      assertThat(warm.result().iterations()).isLessThanOrEqualTo(5);
      assertThat(warm.result().relativeGap()).isLessThanOrEqualTo(1e-5);
      GatedAdmm.Result zero = admm.solve(GatedAdmm.Options.of(1.01 * admm.lambdaMax(), 1e-6, 10));
      assertThat(zero.result().stopReason()).isEqualTo(StopReason.ZERO_SOLUTION);
      assertThat(zero.result().nonzeroGroups()).isZero();
    }
  }

  /** Rows [from, from + rows) of {@code data}, the same gates. */
  private static GatedReluProblem window(NpyArray[] data, int from, int rows) {
    return SlowReference.window(data, from, rows, null);
  }

  @Test
  void aWarmStartWithThePreviousDualPaysAfterTheWindowSlides() {
    // A window of 600 rows slid by 10 %: the previous solution and its dual ρ·U, carried to the
    // new column scales, reach the same certified optimum, in fewer iterations than the same
    // weights with a dual rebuilt from their gradient on the new rows. (Against a cold solve the
    // gain depends on the data: on real stage-4 windows, which a student nearly interpolates,
    // 31–36 iterations instead of 62–65, `distill bench admm`; on this small well-conditioned
    // problem a cold solve needs only ~11.)
    NpyArray[] data = SlowReference.randomData(660, 16, 4, 24, 27);
    GatedReluProblem before = window(data, 0, 600);
    GatedReluProblem after = window(data, 60, 600);
    try (GatedAdmm a = new GatedAdmm(before, GatedAdmm.Penalty.GROUP_LASSO, 1);
        GatedAdmm b = new GatedAdmm(after, GatedAdmm.Penalty.GROUP_LASSO, 1)) {
      double ratio = 0.001;
      GatedAdmm.Result old = a.solve(GatedAdmm.Options.of(ratio * a.lambdaMax(), 1e-5, 20_000));
      assertThat(old.dual()).isNotNull();
      ConvexWeights w0 =
          old.result().weights().rescaled(before.columnScales(), after.columnScales());
      ConvexWeights dual = old.dual().rescaled(before.columnScales(), after.columnScales());
      GatedAdmm.Options o = GatedAdmm.Options.of(ratio * b.lambdaMax(), 1e-5, 20_000);
      GatedAdmm.Result cold = b.solve(o);
      GatedAdmm.Result fromGradient = b.solve(o.withWarmStart(w0));
      GatedAdmm.Result warm = b.solve(o.withWarmStart(w0, dual));
      for (GatedAdmm.Result r : new GatedAdmm.Result[] {cold, fromGradient, warm}) {
        assertThat(r.result().stopReason()).isEqualTo(StopReason.DUALITY_GAP);
        assertThat(r.result().objective())
            .isCloseTo(cold.result().objective(), withinRelative(2e-5));
      }
      assertThat(warm.result().iterations()).isLessThan(fromGradient.result().iterations());
      // The fit carries the dual of its selected solve, and a Start with it is warm.
      AdmmFit.Settings free = new AdmmFit.Settings(1_000, ratio, 1e-5, 20_000, 1.1, 6, 0);
      AdmmFit.Outcome first = AdmmFit.fit(a, free, null);
      assertThat(first.fit().warm()).isFalse();
      AdmmFit.Outcome next =
          AdmmFit.fit(
              b,
              free,
              new AdmmFit.Start(
                  ratio,
                  first.fit().selected().lambda(),
                  first
                      .fit()
                      .selected()
                      .weights()
                      .rescaled(before.columnScales(), after.columnScales()),
                  first.dual().rescaled(before.columnScales(), after.columnScales())));
      assertThat(next.fit().warm()).isTrue();
      assertThat(next.fit().iterations()).isEqualTo(warm.result().iterations());
      assertThat(next.fit().used().relativeGap()).isLessThanOrEqualTo(1e-5);
      assertThat(AdmmFit.fit(b, free, AdmmFit.Start.lambdaOnly(ratio)).fit().warm()).isFalse();
    }
  }

  @Test
  void aBindingBudgetRaisesLambdaUntilTheCertifiedStudentFitsIt() {
    GatedReluProblem pr = problem(200, 8, 3, 6, 25);
    try (GatedAdmm admm = new GatedAdmm(pr, GatedAdmm.Penalty.GROUP_LASSO, 1)) {
      AdmmFit.Settings free = new AdmmFit.Settings(1_000, 0.001, 1e-4, 5_000, 1.1, 6, 0);
      BudgetedFit.Result unbounded = AdmmFit.fit(admm, free, null).fit();
      int all = admm.hiddenUnits(unbounded.used().weights());
      assertThat(all).as("the floor's student").isGreaterThan(8);
      int target = all / 2;
      AdmmFit.Settings tight = new AdmmFit.Settings(target, 0.001, 1e-4, 5_000, 1.1, 6, 0);
      BudgetedFit.Result fit = AdmmFit.fit(admm, tight, null).fit();
      assertThat(admm.hiddenUnits(fit.used().weights())).isBetween(1, target);
      // The served solution is certified to the caller's tolerance, not the search's.
      assertThat(fit.used().relativeGap()).isLessThanOrEqualTo(1e-4);
      assertThat(fit.used().lambda()).isGreaterThan(0.001 * admm.lambdaMax());
      assertThat(fit.solves()).isGreaterThan(2);
    }
  }

  @Test
  void aKernelTooLargeForNativeMemoryIsRefusedWithWhatToDo() {
    // 20,000 rows: 6.4 GB at the peak, more than 3 GB free.
    assertThatThrownBy(() -> GatedAdmm.requireKernelFits(20_000, 3_000_000_000L))
        .isInstanceOf(InvalidProblemException.class)
        .hasMessageContaining("20,000 rows need 6.4 GB")
        .hasMessageContaining("use at most 13,693 rows")
        .hasMessageContaining("DISTILL_OFFHEAP");
    GatedAdmm.requireKernelFits(10_000, 3_000_000_000L); // 1.6 GB: fits
  }

  @Test
  void theNuclearNormRefusesManyOutputs() {
    GatedReluProblem pr = problem(80, 4, GatedAdmm.MAX_NUCLEAR_OUTPUTS + 1, 2, 24);
    assertThatThrownBy(() -> new GatedAdmm(pr, GatedAdmm.Penalty.NUCLEAR_NORM, 1))
        .isInstanceOf(InvalidProblemException.class)
        .hasMessageContaining("--head-weight logits");
  }

  private static org.assertj.core.data.Percentage withinRelative(double r) {
    return org.assertj.core.data.Percentage.withPercentage(100 * r);
  }
}
