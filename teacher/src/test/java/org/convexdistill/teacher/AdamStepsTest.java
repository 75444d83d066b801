package org.convexdistill.teacher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A step budget becomes the fewest whole epochs that reach it. */
class AdamStepsTest {
  @Test
  void roundsUpToWholeEpochs() {
    assertThat(AdamSteps.epochsFor(2000, 1000, 50)).isEqualTo(100); // 20 steps an epoch
    assertThat(AdamSteps.epochsFor(2001, 1000, 50)).isEqualTo(101);
    assertThat(AdamSteps.epochsFor(2000, 1001, 50)).isEqualTo(96); // 21 steps, the last one short
    assertThat(AdamSteps.epochsFor(5, 10_000, 50)).isEqualTo(1);
    assertThat(AdamSteps.epochsFor(7, 10, 50)).isEqualTo(7); // full batch: one step an epoch
  }

  @Test
  void refusesAnEmptyBudget() {
    assertThatThrownBy(() -> AdamSteps.epochsFor(0, 10, 5))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
