package org.convexdistill.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.convexdistill.bench.ServingBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code distill bench serving}: HTTP latency of the full teacher vs the hybrid (prefix + student +
 * suffix) at batch 1, with dynamic batching, and during a burst of student swaps; all in one
 * process on an embedded broker, closed-loop clients on loopback.
 */
@Command(
    name = "serving",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Serving p50/p99: teacher vs hybrid, batching on/off, steady vs swap burst.")
final class BenchServingCommand implements Callable<Integer> {
  @Mixin TeacherOptions teacherOptions;

  @Option(
      names = "--student",
      paramLabel = "FILE",
      description =
          "A .cdst student of block 4 (default: fit one with the learner's defaults on test"
              + " images).")
  Path studentFile;

  @Option(
      names = "--requests",
      defaultValue = "400",
      description = "Requests per client per phase (default: ${DEFAULT-VALUE}).")
  int requests;

  @Option(
      names = "--clients",
      defaultValue = "8",
      description = "Concurrent clients of the loaded phases (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST folder.")
  Path data;

  @Option(
      names = "--swap-interval-ms",
      defaultValue = "250",
      description =
          "A new student version every this many ms in the burst phase (default: ${DEFAULT-VALUE}).")
  long swapIntervalMs;

  @Option(
      names = "--wrk-seconds",
      defaultValue = "0",
      paramLabel = "S",
      description =
          "Drive the load with wrk (apt-get install wrk) for S seconds per phase, PNG bodies,"
              + " --clients connections; 0 = in-process Java clients (default).")
  int wrkSeconds;

  @Option(
      names = "--batch-workers",
      paramLabel = "N",
      description =
          "With --wrk-seconds: batches side by side, the cores shared out as PyTorch threads"
              + " (default: the number of cores, ${DEFAULT-VALUE} here).")
  int batchWorkers = Runtime.getRuntime().availableProcessors();

  @Option(
      names = "--broker-nice",
      paramLabel = "N",
      defaultValue = "10",
      description =
          "Niceness of the child JVM that runs the broker and publishes the releases: it stands"
              + " in for a broker and a learner on other nodes; 0 = they compete with serving for"
              + " the cores as equals (default: ${DEFAULT-VALUE}).")
  int brokerNice;

  @Option(
      names = "--rounds",
      paramLabel = "N",
      defaultValue = "3",
      description =
          "With --wrk-seconds: rounds of (a swap a second, a swap every --swap-interval-ms,"
              + " steady); the swap ratios are the medians over rounds (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (rounds < 1) {
      throw new ParameterException(
          spec.commandLine(), "--rounds must be at least 1, got " + rounds);
    }
    if (brokerNice < 0 || brokerNice > 19) {
      throw new ParameterException(
          spec.commandLine(),
          "--broker-nice must be 0 to 19 (a nice increment), got " + brokerNice);
    }
    ServingBenchmark.run(
        new ServingBenchmark.Settings(
            teacherOptions.model,
            studentFile,
            requests,
            clients,
            data,
            swapIntervalMs,
            wrkSeconds,
            batchWorkers,
            brokerNice,
            rounds),
        System.out);
    return 0;
  }
}
