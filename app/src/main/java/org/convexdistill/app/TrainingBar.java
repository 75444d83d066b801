package org.convexdistill.app;

import java.io.PrintStream;
import org.convexdistill.teacher.TrainingListener;

/**
 * Teacher training progress on stderr: a redrawn bar (epoch, images/s, loss, ETA) on a console, one
 * line per tenth of an epoch elsewhere (logs and pipes get no carriage-return noise); one summary
 * line per epoch.
 */
public final class TrainingBar implements TrainingListener {
  private final PrintStream out = System.err;
  private final boolean interactive = System.console() != null;
  private final int epochs;
  private final int images;
  private final long start = System.nanoTime();
  private double smoothRate;
  private long lastDraw;
  private int lastTenth = -1;

  public TrainingBar(int epochs, int images) {
    this.epochs = epochs;
    this.images = images;
  }

  @Override
  public void onStep(int epoch, int step, int stepsPerEpoch, double imagesPerSecond, double loss) {
    smoothRate = smoothRate == 0 ? imagesPerSecond : 0.95 * smoothRate + 0.05 * imagesPerSecond;
    double done = (epoch - 1 + (double) step / stepsPerEpoch) / epochs;
    double remaining = (1 - done) * (double) epochs * images / Math.max(smoothRate, 1e-9);
    if (interactive) {
      long now = System.nanoTime();
      if (now - lastDraw < 500_000_000L && step != stepsPerEpoch) {
        return;
      }
      lastDraw = now;
      int width = 24;
      int filled = (int) Math.round(done * width);
      out.printf(
          "\rtrain [%s%s] epoch %d/%d  %5.0f img/s  loss %.3f  ETA %s   ",
          "#".repeat(filled),
          ".".repeat(width - filled),
          epoch,
          epochs,
          smoothRate,
          loss,
          eta(remaining));
    } else {
      int tenth = (int) (10.0 * step / stepsPerEpoch);
      if (tenth == lastTenth || tenth == 10) {
        return;
      }
      lastTenth = tenth;
      out.printf(
          "train epoch %d/%d %3d%%  %5.0f img/s  loss %.3f  ETA %s%n",
          epoch, epochs, 10 * tenth, smoothRate, loss, eta(remaining));
    }
    out.flush();
  }

  @Override
  public void onEpoch(int epoch, double meanLoss, double testAccuracy, double seconds) {
    lastTenth = -1;
    out.printf(
        "%sepoch %d/%d: mean loss %.4f, test accuracy %.2f%%, %.0f s (%.0f s elapsed)%s%n",
        interactive ? "\r" : "",
        epoch,
        epochs,
        meanLoss,
        100 * testAccuracy,
        seconds,
        (System.nanoTime() - start) / 1e9,
        interactive ? " ".repeat(20) : "");
    out.flush();
  }

  static String eta(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format("%dh%02dm", s / 3600, (s % 3600) / 60)
        : String.format("%dm%02ds", s / 60, s % 60);
  }
}
