package org.convexdistill.app;

import java.io.PrintStream;
import org.convexdistill.solver.Certificate;
import org.convexdistill.solver.SolverOptions;

/** A one-line progress display on stderr, redrawn at most a few times per second. */
public final class Progress implements SolverOptions.IterationListener {
  private static final long REDRAW_NANOS = 250_000_000L;
  private final boolean enabled;
  private final PrintStream out;
  private final String label;
  private final double gapTolerance;
  private long lastDraw;
  private boolean drawn;

  /**
   * A progress line, or a silent one when the console is not interactive (so logs and pipes get no
   * carriage-return noise).
   */
  public Progress(PrintStream out, String label, double gapTolerance) {
    this(out, label, gapTolerance, System.console() != null);
  }

  public Progress(PrintStream out, String label, double gapTolerance, boolean enabled) {
    this.enabled = enabled;
    this.out = out;
    this.label = label;
    this.gapTolerance = gapTolerance;
  }

  @Override
  public void onIteration(int iteration, Certificate c, double step) {
    long now = System.nanoTime();
    if (!enabled || (drawn && now - lastDraw < REDRAW_NANOS)) {
      return;
    }
    lastDraw = now;
    drawn = true;
    // Progress towards the gap tolerance on a log scale: from gap 1 down to the tolerance.
    double gap = Math.max(c.relativeGap(), 1e-300);
    double fraction =
        Math.max(
            0, Math.min(1, Math.log10(1 / gap) / Math.log10(1 / Math.max(gapTolerance, 1e-300))));
    int width = 20;
    int filled = (int) Math.round(fraction * width);
    out.printf(
        "\r%s [%s%s] iter %d  objective %.8g  rel. gap %.2e  ",
        label,
        "#".repeat(filled),
        ".".repeat(width - filled),
        iteration,
        c.objective(),
        c.relativeGap());
    out.flush();
  }

  /** Clears the line. */
  public void finish() {
    if (drawn) {
      out.print("\r" + " ".repeat(100) + "\r");
      out.flush();
    }
  }
}
