package org.convexdistill.cli;

import java.nio.file.Path;
import org.convexdistill.app.LocalStack;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The flags of {@code demo} and {@code up}: every role's settings plus the simulated devices. */
abstract class StackOptions {
  @Mixin StreamOptions.Kafka kafka;
  @Mixin StreamOptions.Ingest ingest;
  @Mixin StreamOptions.Learner learner;
  @Mixin StreamOptions.Serving serving;
  @Mixin TeacherOptions teacherOptions;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Fashion-MNIST folder (default: Debian's dataset-fashion-mnist, installed when missing"
              + " and root or passwordless sudo allows).")
  Path data;

  @Option(
      names = "--rate",
      defaultValue = "50",
      description = "Images per second the simulated devices send (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--devices",
      defaultValue = "4",
      description = "Simulated devices (default: ${DEFAULT-VALUE}).")
  int devices;

  @Option(
      names = "--teacher-epochs",
      defaultValue = "2",
      description = "Epochs if a teacher must be trained first (default: ${DEFAULT-VALUE}).")
  int teacherEpochs;

  @Option(
      names = "--retrain",
      description = "Train a new teacher even when a cached one fits this data.")
  boolean retrain;

  @Option(
      names = "--probe-clients",
      defaultValue = "2",
      description = "HTTP clients measuring serving latency meanwhile (default: ${DEFAULT-VALUE}).")
  int probeClients;

  @Option(
      names = "--torch-threads",
      defaultValue = "1",
      description =
          "PyTorch intra-op threads per teacher; with every role in one JVM on 2 cores, 1 keeps"
              + " PyTorch and the solver's BLAS from fighting (default: ${DEFAULT-VALUE}).")
  int torchThreads;

  /** The HTTP port option of the concrete command. */
  abstract int httpPort();

  /** The embedded broker's port option of the concrete command. */
  abstract int kafkaPort();

  LocalStack.Settings stackSettings() {
    return new LocalStack.Settings(
        kafka.bootstrapServers == null || kafka.bootstrapServers.isBlank()
            ? null
            : kafka.connection(),
        kafka.topics(),
        kafkaPort(),
        kafka.block,
        kafka.modelId,
        teacherOptions.model,
        ingest.streamThreads,
        ingest.config(),
        learner.config(kafka.modelId),
        serving.config(httpPort()));
  }
}
