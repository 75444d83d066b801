package org.convexdistill.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.convexdistill.bench.RefitBenchmark;
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

  @Option(
      names = "--repeats",
      defaultValue = "1",
      description =
          "Solves of each fit on the same window; the table shows the median time"
              + " (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST folder.")
  Path data;

  @Override
  public Integer call() throws Exception {
    RefitBenchmark.run(
        new RefitBenchmark.Settings(
            teacherOptions.model, learner.config("bench"), block, slides, repeats, data),
        System.out);
    return 0;
  }
}
