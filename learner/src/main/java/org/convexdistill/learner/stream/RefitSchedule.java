package org.convexdistill.learner.stream;

/**
 * When the learner refits: once the window is full, every {@code refitEvery} new rows, or after
 * {@code refitInterval} with at least one new row; the first fit as soon as the window fills. Rows
 * re-read while restoring the last release's window are not new. Pure and clock-injected, so the
 * policy is tested without a broker.
 */
final class RefitSchedule {
  private final LearnerConfig config;
  private int newRows;
  private long lastRefitMillis;
  private long fullSinceMillis;

  RefitSchedule(LearnerConfig config, long nowMillis) {
    this.config = config;
    this.lastRefitMillis = nowMillis;
  }

  /** A row entered the window. */
  void onRow(boolean restoring, boolean windowFull, long nowMillis) {
    if (!restoring) {
      newRows++;
    }
    if (windowFull && fullSinceMillis == 0) {
      fullSinceMillis = nowMillis;
    }
  }

  /** Whether to refit now; {@code published} says whether a version exists yet. */
  boolean due(boolean windowFull, boolean published, long nowMillis) {
    if (!windowFull || newRows == 0) {
      return false;
    }
    if (!published || newRows >= config.refitEvery()) {
      return true;
    }
    return nowMillis - lastRefitMillis >= config.refitInterval().toMillis();
  }

  /**
   * A refit starts now; returns the time it was triggered for freshness figures: the moment the
   * window filled for the first fit, now for later ones.
   */
  long start(boolean published, long nowMillis) {
    newRows = 0;
    lastRefitMillis = nowMillis;
    return published ? nowMillis : fullSinceMillis;
  }

  int newRows() {
    return newRows;
  }
}
