package org.convexdistill.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.Images;
import org.convexdistill.learner.offline.Activations;
import org.convexdistill.learner.stream.ActivationWindow;
import org.convexdistill.learner.stream.CandidateCheck;
import org.convexdistill.learner.stream.LearnerConfig;
import org.convexdistill.learner.stream.Refit;
import org.convexdistill.learner.stream.Refitter;
import org.convexdistill.teacher.DjlTeacher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code distill bench refit}: the learner's refits on real teacher activations, without Kafka: the
 * cold first fit, then warm refits after each slide of the window, with their cost and the
 * candidate check's verdict. The learner's settings are the same flags as {@code demo}'s.
 */
@Command(
    name = "refit",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Cold fit then warm refits of the live learner on real block activations.",
    footer = StreamCommands.ENV_FOOTER)
final class BenchRefitCommand implements Callable<Integer> {
  @Mixin StreamOptions.Learner learner;
  @Mixin TeacherOptions teacherOptions;

  @Option(names = "--block", defaultValue = "4", description = "Block (default: ${DEFAULT-VALUE}).")
  int block;

  @Option(
      names = "--slides",
      defaultValue = "3",
      description = "Warm refits after the cold fit (default: ${DEFAULT-VALUE}).")
  int slides;

  @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST folder.")
  Path data;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    LearnerConfig config = learner.config("bench");
    Path dir = OfflineDemoCommand.dataDir(out, data);
    Images images = FashionMnist.load(dir, FashionMnist.Split.TEST).images();
    int total = config.windowSize() + slides * config.refitEvery();
    if (total > images.count()) {
      throw new UserException(
          "window + slides × refit-every exceeds the " + images.count() + " images");
    }
    Activations a;
    try (DjlTeacher teacher = teacherOptions.load()) {
      a = Activations.extract(teacher, images.slice(0, total), block);
    }
    int d = a.inputs().dim(1);
    int c = a.outputs().dim(1);
    ActivationWindow window = new ActivationWindow(config.windowSize(), d, c);
    Refitter refitter = new Refitter(config);
    int next = 0;
    Refit previous = null;
    out.printf(
        "%-6s %-5s %6s %6s %7s %9s %10s %10s %10s  %s%n",
        "fit",
        "start",
        "units",
        "solves",
        "iters",
        "solver s",
        "rel.gap",
        "MSE",
        "current",
        "verdict");
    for (int fit = 0; fit <= slides; fit++) {
      int until = fit == 0 ? config.windowSize() : next + config.refitEvery();
      for (; next < until; next++) {
        window.add(0, next, a.inputs().data(), next, a.outputs().data());
      }
      Refit r =
          refitter.fit(
              window.snapshot(),
              previous == null ? null : previous.next(),
              previous == null ? null : previous.student(),
              null,
              0);
      CandidateCheck.Verdict v = CandidateCheck.check(r, d, c, config);
      out.printf(
          "%-6d %-5s %6d %6d %7d %9.1f %10.2e %10.4f %10.4f  %s%n",
          fit,
          r.warm() ? "warm" : "cold",
          r.student().hiddenUnits(),
          r.solves(),
          r.iterations(),
          r.solverSeconds(),
          r.published().relativeGap(),
          r.candidateMse(),
          r.currentMse(),
          v.reason());
      previous = r;
    }
    return 0;
  }
}
