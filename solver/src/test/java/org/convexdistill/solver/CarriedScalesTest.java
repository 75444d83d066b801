package org.convexdistill.solver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.convexdistill.core.npy.NpyArray;
import org.junit.jupiter.api.Test;

/**
 * A refit on a slid window keeps the previous window's column scales where they still fit, so the
 * rows both windows share keep their gate patterns and a warm start stays the function it was.
 */
class CarriedScalesTest {
  private static GatedReluProblem window(NpyArray[] data, int from, int rows, float[] carried) {
    return SlowReference.window(data, from, rows, carried);
  }

  @Test
  void aSlidWindowKeepsTheScalesAndTheSharedRowsPatterns() {
    NpyArray[] data = SlowReference.randomData(660, 16, 4, 24, 31);
    GatedReluProblem before = window(data, 0, 600, null);
    GatedReluProblem own = window(data, 60, 600, null);
    GatedReluProblem kept = window(data, 60, 600, before.columnScales());
    assertThat(before.carriedScales()).isZero();
    assertThat(kept.carriedScales()).isEqualTo(16);
    assertThat(kept.columnScales()).containsExactly(before.columnScales());
    assertThat(own.columnScales()).isNotEqualTo(before.columnScales());
    // Rows 60..599 of the data are rows 60.. of `before` and 0.. of `kept`: the same patterns.
    int p = before.gates();
    float[] was = before.patternsColumnMajor();
    float[] now = kept.patternsColumnMajor();
    for (int j = 0; j < p; j++) {
      for (int r = 0; r < 540; r++) {
        assertThat(now[j * 600 + r]).as("gate %d, row %d", j, r).isEqualTo(was[j * 600 + 60 + r]);
      }
    }
    // Carried scales make the carried weights an exact copy.
    float[] ones = new float[4 * p * 16];
    Arrays.fill(ones, 1f);
    ConvexWeights w = new ConvexWeights(4, p, 16, ones);
    assertThat(w.rescaled(before.columnScales(), kept.columnScales()).values())
        .containsExactly(ones);
    assertThat(w.rescaled(before.columnScales(), own.columnScales()).values()).isNotEqualTo(ones);
  }

  @Test
  void scalesThatNoLongerFitTheirColumnAreTheWindowsOwn() {
    NpyArray[] data = SlowReference.randomData(300, 8, 2, 6, 33);
    // Column 3 is dead in this window.
    for (int r = 0; r < 300; r++) {
      data[0].data()[r * 8 + 3] = 0f;
    }
    float[] own = window(data, 0, 300, null).columnScales();
    float[] carried = own.clone();
    carried[0] = own[0] * 1.4f; // still fits: kept
    carried[1] = own[1] * 1.6f; // moved too far: own
    carried[2] = 0f; // was dead, now alive: own
    carried[3] = 1f; // was alive, now dead: own (0)
    carried[4] = own[4] / 1.4f; // kept
    GatedReluProblem pr = window(data, 0, 300, carried);
    assertThat(pr.carriedScales()).isEqualTo(5);
    float[] s = pr.columnScales();
    assertThat(s[0]).isEqualTo(carried[0]);
    assertThat(s[1]).isEqualTo(own[1]);
    assertThat(s[2]).isEqualTo(own[2]);
    assertThat(s[3]).isZero();
    assertThat(s[4]).isEqualTo(carried[4]);
    assertThat(Arrays.copyOfRange(s, 5, 8)).containsExactly(Arrays.copyOfRange(own, 5, 8));
  }

  @Test
  void aWarmStartOnCarriedScalesReachesTheOptimumOfThatProblem() {
    NpyArray[] data = SlowReference.randomData(660, 16, 4, 24, 35);
    GatedReluProblem before = window(data, 0, 600, null);
    GatedReluProblem after = window(data, 60, 600, before.columnScales());
    try (GatedAdmm a = new GatedAdmm(before, GatedAdmm.Penalty.GROUP_LASSO, 1);
        GatedAdmm b = new GatedAdmm(after, GatedAdmm.Penalty.GROUP_LASSO, 1)) {
      double ratio = 0.001;
      GatedAdmm.Result old = a.solve(GatedAdmm.Options.of(ratio * a.lambdaMax(), 1e-5, 20_000));
      GatedAdmm.Options o = GatedAdmm.Options.of(ratio * b.lambdaMax(), 1e-5, 20_000);
      GatedAdmm.Result cold = b.solve(o);
      GatedAdmm.Result warm = b.solve(o.withWarmStart(old.result().weights(), old.dual()));
      assertThat(warm.result().stopReason()).isEqualTo(StopReason.DUALITY_GAP);
      assertThat(warm.result().objective())
          .isCloseTo(
              cold.result().objective(), org.assertj.core.data.Percentage.withPercentage(2e-3));
    }
  }
}
