package org.convexdistill.experiments;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** One line per finished grid point, "[i/N] label: kind accuracy, … (ETA …)", or nothing. */
final class GridProgress {
  private final PrintStream out;
  private final int total;
  private final long start = System.nanoTime();
  private int done;

  GridProgress(PrintStream out, int total) {
    this.out = out;
    this.total = total;
  }

  void done(String label, List<Row> rows) {
    done++;
    if (out == null) {
      return;
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    out.printf(
        Locale.ROOT,
        "[%d/%d] %s: %s  (ETA %s)%n",
        done,
        total,
        label,
        summary(rows),
        Row.duration(elapsed / done * (total - done)));
  }

  /** "convex one-vs-all 89.00%, …". */
  static String summary(List<Row> rows) {
    StringBuilder b = new StringBuilder();
    for (Row r : rows) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(String.format(Locale.ROOT, "%s %.2f%%", r.kind(), 100 * r.accuracy()));
    }
    return b.toString();
  }
}
