package org.convexdistill.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.convexdistill.core.npy.NpyArray;
import org.convexdistill.solver.SolverOptions;
import org.junit.jupiter.api.Test;

class WarmRefitComparisonTest {

  @Test
  void shouldRefitForABudgetFromThePreviousWindowInAFractionOfANewPath() {
    NpyArray[] stream = SolverThroughput.syntheticRows(1100, 64, 8, 3);
    int target = 16;
    SolverOptions base = SolverOptions.builder().setLambda(1).build();
    WarmRefitComparison.Figures f =
        WarmRefitComparison.run(stream, 1000, 100, 8, 4, 0.2, target, base, 10, 0.01);
    assertThat(f.warmBudgetGroups()).isBetween(1, target);
    assertThat(f.coldBudgetGroups()).isBetween(1, target);
    assertThat(f.warmBudgetIterations())
        .as(
            "warm refit %d vs new path %d iterations",
            f.warmBudgetIterations(), f.coldBudgetIterations())
        .isLessThanOrEqualTo(f.coldBudgetIterations() / 2);
  }
}
