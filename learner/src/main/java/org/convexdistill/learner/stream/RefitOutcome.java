package org.convexdistill.learner.stream;

import java.util.Locale;

/** What became of one refit; {@link #tag()} is its {@code outcome} metric tag. */
public enum RefitOutcome {
  /** Passed the checks and went out as a new version. */
  PUBLISHED,
  /** Fitted, but a check refused it; the current version stays. */
  REJECTED,
  /** The fit itself failed (bad window, solver error). */
  FAILED;

  /** The lower-case name used in metrics and logs. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
