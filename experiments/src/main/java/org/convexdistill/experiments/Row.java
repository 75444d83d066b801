package org.convexdistill.experiments;

import java.util.List;
import java.util.Locale;

/**
 * One measured point of an experiment: a student kind replacing block k (or blocks "3+4", each by
 * its own student), fitted to {@code images} unlabeled images at a target compression, scored on
 * the test images.
 *
 * @param blockParameters the replacement's parameters (non-zero kernel weights plus BatchNorm for a
 *     pruned block)
 * @param modelParameters the whole hybrid's
 * @param seconds the fit's wall-clock seconds (0 when it shares another row's fit)
 */
public record Row(
    String block,
    String kind,
    double targetRatio,
    int images,
    int seed,
    long blockParameters,
    long modelParameters,
    double accuracy,
    double agreement,
    double seconds) {

  static final String CSV_HEADER =
      "block,kind,target_ratio,images,seed,block_parameters,model_parameters,accuracy,agreement,"
          + "seconds\n";

  /** Every row as CSV, with its header. */
  static String csv(List<Row> rows) {
    StringBuilder b = new StringBuilder(CSV_HEADER);
    for (Row r : rows) {
      b.append(
          String.format(
              Locale.ROOT,
              "%s,%s,%.1f,%d,%d,%d,%d,%.4f,%.4f,%.2f%n",
              r.block,
              csvField(r.kind),
              r.targetRatio,
              r.images,
              r.seed,
              r.blockParameters,
              r.modelParameters,
              r.accuracy,
              r.agreement,
              r.seconds));
    }
    return b.toString();
  }

  /** RFC 4180: a field holding a comma or a quote is quoted, its quotes doubled. */
  static String csvField(String v) {
    return v.contains(",") || v.contains("\"") ? '"' + v.replace("\"", "\"\"") + '"' : v;
  }

  /** Every row as a Markdown table, accuracy also as the difference to the teacher's. */
  static String markdown(List<Row> rows, double teacherAccuracy) {
    StringBuilder b =
        new StringBuilder(
            "| block | kind | target | images | seed | block params | model params | accuracy |"
                + " Δ teacher | agreement | fit s |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %.0f× | %,d | %d | %,d | %,d | %.2f %% | %+.2f pp | %.2f %% | %.1f |%n",
              r.block,
              r.kind,
              r.targetRatio,
              r.images,
              r.seed,
              r.blockParameters,
              r.modelParameters,
              100 * r.accuracy,
              100 * (r.accuracy - teacherAccuracy),
              100 * r.agreement,
              r.seconds));
    }
    return b.toString();
  }

  /** "3m05s" or "1h02m". */
  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
        : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
  }
}
