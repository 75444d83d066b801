package org.convexdistill.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.convexdistill.bench.IngestBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code distill bench ingest}: the inference stage's throughput over the raw teacher's at the same
 * batch size, in one process. The images are published first (PNG), so the stage runs flat out; its
 * time counts from its first activation committed to its last, and separately over the second half
 * of the run, when the JIT no longer competes with the teacher for the cores.
 */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description = "Inference-stage images/s ÷ raw batched teacher images/s (same batch size).")
final class BenchIngestCommand implements Callable<Integer> {
  @Mixin TeacherOptions teacherOptions;

  @Option(
      names = "--images",
      defaultValue = "30000",
      description =
          "Images, cycled through the test set; the second half, after the JIT has compiled the"
              + " Kafka path, is the figure that compares (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(
      names = "--batch-size",
      defaultValue = "32",
      description = "Batch (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--block", defaultValue = "4", description = "Block (default: ${DEFAULT-VALUE}).")
  int block;

  @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST folder.")
  Path data;

  @Option(
      names = "--partitions",
      defaultValue = "1",
      description = "Partitions of images/activations (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--stream-threads",
      defaultValue = "1",
      description =
          "Stream threads: with 2 partitions and 2 threads one thread decodes and produces while"
              + " the other runs the teacher (default: ${DEFAULT-VALUE}).")
  int streamThreads;

  @Option(
      names = "--torch-threads",
      defaultValue = "1",
      description =
          "PyTorch intra-op threads for the raw teacher and the stage alike; 0 = PyTorch's default"
              + " (every core). With 1 the teacher has one core and decoding, producing and the"
              + " broker the other, as 'distill up' runs it (default: ${DEFAULT-VALUE}).")
  int torchThreads;

  @Override
  public Integer call() throws Exception {
    IngestBenchmark.run(
        new IngestBenchmark.Settings(
            teacherOptions.model,
            count,
            batch,
            block,
            data,
            partitions,
            streamThreads,
            torchThreads),
        System.out);
    return 0;
  }
}
