package org.convexdistill.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import org.convexdistill.app.DataLocation;
import org.convexdistill.app.TeacherProvider;
import org.convexdistill.app.UserException;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.Images;
import org.convexdistill.learner.offline.Activations;
import org.convexdistill.learner.stream.ActivationWindow;
import org.convexdistill.learner.stream.CandidateCheck;
import org.convexdistill.learner.stream.LearnerConfig;
import org.convexdistill.learner.stream.Refit;
import org.convexdistill.learner.stream.Refitter;
import org.convexdistill.learner.stream.TeacherSuffix;
import org.convexdistill.teacher.DjlTeacher;

/**
 * The live learner's cold fit then warm refits on real block activations, the window sliding by
 * refit-every rows.
 */
public final class RefitBenchmark {
  /** The benchmark's settings (the {@code distill bench} flags). */
  public record Settings(
      Path teacherDir, LearnerConfig learner, int block, int slides, Path data) {}

  private final Path teacherDir;
  private final LearnerConfig learner;
  private final int block;
  private final int slides;
  private final Path data;

  private RefitBenchmark(Settings s) {
    this.teacherDir = s.teacherDir();
    this.learner = s.learner();
    this.block = s.block();
    this.slides = s.slides();
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
    if (total > images.count()) {
      throw new UserException(
          "window + slides × refit-every exceeds the " + images.count() + " images");
    }
    try (DjlTeacher teacher =
        DjlTeacher.load(teacherDir, FashionMnist.CLASSES.length, TeacherProvider.BATCH)) {
      Activations a = Activations.extract(teacher, images.slice(0, total), block);
      slide(config, a, TeacherSuffix.of(teacher, block), out);
    }
  }

  private void slide(LearnerConfig config, Activations a, TeacherSuffix suffix, PrintStream out) {
    int d = a.inputs().dim(1);
    int c = a.outputs().dim(1);
    ActivationWindow window = new ActivationWindow(config.windowSize(), d, c);
    // As the learner: the gate scores on the most recent held-out rows, in and beyond the window.
    ActivationWindow gate = new ActivationWindow(config.gateRows(), d, c);
    Refitter refitter = new Refitter(config, suffix);
    int next = 0;
    Refit previous = null;
    out.printf(
        "%-6s %-5s %6s %6s %7s %9s %10s %10s %10s %7s  %s%n",
        "fit",
        "start",
        "units",
        "solves",
        "iters",
        "solver s",
        "rel.gap",
        "MSE",
        "current",
        "agree",
        "verdict");
    for (int fit = 0; fit <= slides; fit++) {
      int until = fit == 0 ? config.windowSize() : next + config.refitEvery();
      for (; next < until; next++) {
        window.add(0, next, a.inputs().data(), next, a.outputs().data());
        if (Refitter.isHeldOut(next, config.holdoutEvery())) {
          gate.add(0, next, a.inputs().data(), next, a.outputs().data());
        }
      }
      Refit r =
          refitter.fit(
              window.snapshot(),
              gate.snapshot(),
              previous == null ? null : previous.next(),
              previous == null ? null : previous.student(),
              null,
              0);
      CandidateCheck.Verdict v = CandidateCheck.check(r, d, c, config);
      out.printf(
          "%-6d %-5s %6d %6d %7d %9.1f %10.2e %10.4f %10.4f %6.1f%%  %s%n",
          fit,
          r.warm() ? "warm" : "cold",
          r.student().hiddenUnits(),
          r.solves(),
          r.iterations(),
          r.solverSeconds(),
          r.published().relativeGap(),
          r.candidateMse(),
          r.currentMse(),
          100 * r.candidateAgreement(),
          v.reason());
      previous = r;
    }
  }
}
