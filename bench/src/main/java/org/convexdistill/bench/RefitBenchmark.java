package org.convexdistill.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import org.convexdistill.app.DataLocation;
import org.convexdistill.app.TeacherProvider;
import org.convexdistill.app.UserException;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.Images;
import org.convexdistill.learner.offline.Activations;
import org.convexdistill.learner.stream.ActivationWindow;
import org.convexdistill.learner.stream.Agreement;
import org.convexdistill.learner.stream.CandidateCheck;
import org.convexdistill.learner.stream.LearnerConfig;
import org.convexdistill.learner.stream.Refit;
import org.convexdistill.learner.stream.Refitter;
import org.convexdistill.learner.stream.TeacherSuffix;
import org.convexdistill.teacher.DjlTeacher;

/**
 * The live learner's cold fit then warm refits on real block activations, the window sliding by
 * refit-every rows. Each fit can be repeated on the same window and start ({@code --repeats}): the
 * solver is deterministic, so only its time varies, and the table shows the median. Without repeats
 * the cold fit, the first, also pays the JIT's warm-up, which flatters warm / cold.
 */
public final class RefitBenchmark {
  /** Test images after the stream's on which each candidate's agreement is measured. */
  static final int UNSEEN_IMAGES = 2000;

  /** The benchmark's settings (the {@code distill bench} flags). */
  public record Settings(
      Path teacherDir, LearnerConfig learner, int block, int slides, int repeats, Path data) {
    public Settings {
      if (repeats < 1) {
        throw new UserException("--repeats must be at least 1, got " + repeats);
      }
    }
  }

  private final Path teacherDir;
  private final LearnerConfig learner;
  private final int block;
  private final int slides;
  private final int repeats;
  private final Path data;

  private RefitBenchmark(Settings s) {
    this.teacherDir = s.teacherDir();
    this.learner = s.learner();
    this.block = s.block();
    this.slides = s.slides();
    this.repeats = s.repeats();
    this.data = s.data();
  }

  /** Runs the benchmark, printing its table on {@code out}. */
  public static void run(Settings s, PrintStream out) throws Exception {
    new RefitBenchmark(s).run(out);
  }

  private void run(PrintStream out) throws Exception {
    LearnerConfig config = learner;
    Path dir = DataLocation.resolve(data, out);
    Images images = FashionMnist.load(dir, FashionMnist.Split.TEST).images();
    int total = config.windowSize() + slides * config.refitEvery();
    // The last test images, which the stream never reaches: every candidate's agreement with the
    // teacher on them, the same images whatever the window (the window's ~N/10 held-out rows give
    // agreement to ±2 pp only).
    int unseen = Math.min(UNSEEN_IMAGES, images.count() / 5);
    if (total > images.count() - unseen) {
      throw new UserException(
          "window + slides × refit-every exceeds the "
              + (images.count() - unseen)
              + " images before the last "
              + unseen
              + " (kept unseen)");
    }
    try (DjlTeacher teacher =
        DjlTeacher.load(teacherDir, FashionMnist.CLASSES.length, TeacherProvider.BATCH)) {
      Activations a = Activations.extract(teacher, images.slice(0, total), block);
      Activations held =
          Activations.extract(teacher, images.slice(images.count() - unseen, unseen), block);
      slide(config, a, held, TeacherSuffix.of(teacher, block), out);
    }
  }

  private void slide(
      LearnerConfig config,
      Activations a,
      Activations held,
      TeacherSuffix suffix,
      PrintStream out) {
    int d = a.inputs().dim(1);
    int c = a.outputs().dim(1);
    int unseen = held.samples();
    float[] zUnseen = held.inputs().data();
    int[] teacherUnseen = Agreement.teacherClasses(suffix, held.outputs().data(), unseen, c);
    ActivationWindow window = new ActivationWindow(config.windowSize(), d, c);
    // As the learner: the gate scores on the most recent held-out rows, in and beyond the window.
    ActivationWindow gate = new ActivationWindow(config.gateRows(), d, c);
    Refitter refitter = new Refitter(config, suffix);
    int next = 0;
    Refit previous = null;
    double coldSeconds = Double.NaN;
    double[] ratios = new double[slides];
    out.printf(
        "%-6s %-5s %6s %6s %7s %9s %6s %8s %10s %10s %10s %7s %7s %7s  %s%n",
        "fit",
        "start",
        "units",
        "solves",
        "iters",
        "solver s",
        "/cold",
        "refit s",
        "rel.gap",
        "MSE",
        "current",
        "agree",
        "window",
        "unseen",
        "verdict");
    for (int fit = 0; fit <= slides; fit++) {
      int until = fit == 0 ? config.windowSize() : next + config.refitEvery();
      for (; next < until; next++) {
        window.add(0, next, a.inputs().data(), next, a.outputs().data());
        if (Refitter.isHeldOut(next, config.holdoutEvery())) {
          gate.add(0, next, a.inputs().data(), next, a.outputs().data());
        }
      }
      ActivationWindow.Snapshot snap = window.snapshot();
      ActivationWindow.Snapshot gateSnap = gate.snapshot();
      Refit r = null;
      double[] seconds = new double[repeats];
      double[] wall = new double[repeats];
      for (int k = 0; k < repeats; k++) {
        long t0 = System.nanoTime();
        Refit again =
            refitter.fit(
                snap,
                gateSnap,
                previous == null ? null : previous.next(),
                previous == null ? null : previous.student(),
                null,
                0);
        wall[k] = (System.nanoTime() - t0) / 1e9;
        seconds[k] = again.solverSeconds();
        if (r == null) {
          r = again;
        } else if (again.iterations() != r.iterations()) {
          // Deterministic by construction; say so if it ever is not, rather than average it away.
          out.printf(
              "note: repeat %d of fit %d took %d iterations, the first %d%n",
              k + 1, fit, again.iterations(), r.iterations());
        }
      }
      double solverSeconds = SolverThroughput.median(seconds);
      if (fit == 0) {
        coldSeconds = solverSeconds;
      } else {
        ratios[fit - 1] = solverSeconds / coldSeconds;
      }
      CandidateCheck.Verdict v = CandidateCheck.check(r, d, c, config);
      out.printf(
          "%-6d %-5s %6d %6d %7d %9.2f %6s %8.2f %10.2e %10.4f %10.4f %6.1f%% %6.2f%% %6.2f%%  %s%n",
          fit,
          r.warm() ? "warm" : "cold",
          r.student().hiddenUnits(),
          r.solves(),
          r.iterations(),
          solverSeconds,
          fit == 0 ? "" : String.format("%.2f", ratios[fit - 1]),
          SolverThroughput.median(wall),
          r.published().relativeGap(),
          r.candidateMse(),
          r.currentMse(),
          100 * r.candidateAgreement(),
          // The window's own rows (mostly trained on) against unseen ones: fit or generalisation.
          100
              * Agreement.of(
                  r.student(),
                  snap.z(),
                  snap.n(),
                  suffix,
                  Agreement.teacherClasses(suffix, snap.y(), snap.n(), c)),
          100 * Agreement.of(r.student(), zUnseen, unseen, suffix, teacherUnseen),
          v.reason());
      previous = r;
    }
    if (slides > 0) {
      out.printf(
          "warm / cold solver time (%s): median %.2f, range %.2f-%.2f%n",
          repeats == 1 ? "one run each" : "median of " + repeats + " runs each",
          SolverThroughput.median(ratios),
          Arrays.stream(ratios).min().orElseThrow(),
          Arrays.stream(ratios).max().orElseThrow());
    }
  }
}
