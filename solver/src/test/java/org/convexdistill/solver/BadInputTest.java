package org.convexdistill.solver;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.convexdistill.core.npy.NpyArray;
import org.junit.jupiter.api.Test;

class BadInputTest {
  private final NpyArray z = NpyArray.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
  private final NpyArray y = NpyArray.of(new float[] {1, 2, 3}, 3, 1);

  @Test
  void shouldRejectGatesWhoseRowsDoNotMatchZ() {
    assertThatThrownBy(
            () ->
                GatedReluProblem.builder()
                    .setInputs(z)
                    .setTargets(y)
                    .setGates(NpyArray.of(new float[6], 3, 2))
                    .build())
        .isInstanceOf(InvalidProblemException.class)
        .hasMessageContaining("G has 3 rows but Z has d = 2");
  }

  @Test
  void shouldRejectRowCountMismatch() {
    assertThatThrownBy(
            () ->
                GatedReluProblem.builder()
                    .setInputs(z)
                    .setTargets(NpyArray.of(new float[2], 2, 1))
                    .optRandomGates(4, 1)
                    .build())
        .isInstanceOf(InvalidProblemException.class)
        .hasMessageContaining("Z has 3 rows but Y has 2");
  }

  @Test
  void shouldRejectNonFiniteValuesNamingTheirPosition() {
    NpyArray bad = NpyArray.of(new float[] {1, 2, 3, Float.NaN, 5, 6}, 3, 2);
    assertThatThrownBy(
            () ->
                GatedReluProblem.builder()
                    .setInputs(bad)
                    .setTargets(y)
                    .optRandomGates(2, 0)
                    .build())
        .isInstanceOf(InvalidProblemException.class)
        .hasMessageContaining("Z contains NaN at [1, 1]");
    NpyArray inf = NpyArray.of(new float[] {1, Float.POSITIVE_INFINITY, 3}, 3, 1);
    assertThatThrownBy(
            () ->
                GatedReluProblem.builder()
                    .setInputs(z)
                    .setTargets(inf)
                    .optRandomGates(2, 0)
                    .build())
        .hasMessageContaining("Y contains Infinity at [1, 0]");
  }

  @Test
  void shouldRejectWrongRankAndMissingGates() {
    assertThatThrownBy(
            () ->
                GatedReluProblem.builder()
                    .setInputs(NpyArray.of(new float[6], 6))
                    .setTargets(y)
                    .optRandomGates(2, 0)
                    .build())
        .hasMessageContaining("Z must be a 2-D array, got shape (6,)");
    assertThatThrownBy(() -> GatedReluProblem.builder().setInputs(z).setTargets(y).build())
        .hasMessageContaining("gates are required");
  }

  @Test
  void shouldRejectNegativeOrMissingLambda() {
    assertThatThrownBy(() -> SolverOptions.builder().setLambda(-0.1).build())
        .isInstanceOf(InvalidProblemException.class)
        .hasMessageContaining("lambda must be a finite number >= 0, got -0.1");
    assertThatThrownBy(() -> SolverOptions.builder().build())
        .hasMessageContaining("lambda is required");
  }

  @Test
  void shouldRejectWarmStartOfTheWrongShape() {
    GatedReluProblem problem =
        GatedReluProblem.builder().setInputs(z).setTargets(y).optRandomGates(2, 0).build();
    try (RFista solver = new RFista(problem, 1)) {
      assertThatThrownBy(
              () ->
                  solver.solve(
                      SolverOptions.builder()
                          .setLambda(0)
                          .optWarmStart(ConvexWeights.zeros(1, 3, 2))
                          .build()))
          .isInstanceOf(InvalidProblemException.class)
          .hasMessageContaining(
              "weights have shape (1, 3, 2) but the problem needs (C, P, d) = (1, 2, 2)");
    }
  }
}
