package org.convexdistill.learner.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RefitScheduleTest {
  private static final LearnerConfig CONFIG =
      LearnerConfig.builder()
          .setWindowSize(20)
          .setRefitEvery(5)
          .setRefitInterval(Duration.ofSeconds(60))
          .build();

  @Test
  void shouldFitFirstWhenTheWindowFillsThenEveryRefitEveryRows() {
    RefitSchedule s = new RefitSchedule(CONFIG, 0);
    for (int i = 0; i < 19; i++) {
      s.onRow(false, false, 100 + i);
    }
    assertThat(s.due(false, false, 200)).as("window not full").isFalse();
    s.onRow(false, true, 500);
    assertThat(s.due(true, false, 501)).as("first fit as soon as it is full").isTrue();
    assertThat(s.start(false, 600)).as("first fit triggered when the window filled").isEqualTo(500);
    for (int i = 0; i < 4; i++) {
      s.onRow(false, true, 700 + i);
    }
    assertThat(s.due(true, true, 800)).as("4 of 5 new rows").isFalse();
    s.onRow(false, true, 900);
    assertThat(s.due(true, true, 901)).isTrue();
    assertThat(s.start(true, 1000)).as("later fits trigger now").isEqualTo(1000);
  }

  @Test
  void shouldRefitAfterTheIntervalWithAnyNewRowButNotWithoutOne() {
    RefitSchedule s = new RefitSchedule(CONFIG, 0);
    s.onRow(false, true, 1);
    s.start(true, 10);
    assertThat(s.due(true, true, 10 + 61_000)).as("no new row").isFalse();
    s.onRow(false, true, 20);
    assertThat(s.due(true, true, 10 + 59_000)).isFalse();
    assertThat(s.due(true, true, 10 + 60_000)).isTrue();
  }

  @Test
  void rowsRestoredFromTheLastReleaseAreNotNew() {
    RefitSchedule s = new RefitSchedule(CONFIG, 0);
    for (int i = 0; i < 20; i++) {
      s.onRow(true, i == 19, i);
    }
    assertThat(s.newRows()).isZero();
    assertThat(s.due(true, true, 120_000)).isFalse();
  }
}
