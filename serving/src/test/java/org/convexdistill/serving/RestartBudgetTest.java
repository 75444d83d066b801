package org.convexdistill.serving;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RestartBudgetTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void theSixthFailureWithinAMinuteStopsTheWorker() {
    RestartBudget b = new RestartBudget();
    for (int i = 0; i < RestartBudget.MAX_RESTARTS; i++) {
      assertThat(b.failed(i * SECOND)).as("failure %d", i + 1).isTrue();
    }
    assertThat(b.failed(59 * SECOND)).isFalse();
  }

  @Test
  void failuresFurtherApartThanTheWindowKeepRestarting() {
    RestartBudget b = new RestartBudget();
    for (int i = 0; i < 20; i++) {
      assertThat(b.failed(i * 13 * SECOND)).as("failure %d, 13 s apart", i + 1).isTrue();
    }
    assertThat(b.failures()).isEqualTo(20);
  }
}
