package org.convexdistill.cli;

import java.time.Duration;
import org.convexdistill.app.UserException;
import org.convexdistill.core.stream.ActivationRecord.Precision;
import org.convexdistill.ingest.stage.InferenceConfig;
import org.convexdistill.learner.stream.LearnerConfig;
import org.convexdistill.serving.ServingConfig;
import picocli.CommandLine.Option;

/** The streaming roles' settings, shared by the role commands, {@code demo} and {@code up}. */
final class StreamOptions {
  private StreamOptions() {}

  /** Where Kafka is. */
  static final class Kafka {
    @Option(
        names = "--bootstrap-servers",
        paramLabel = "HOST:PORT[,...]",
        description = "Kafka cluster to use (demo/up: omit to start an embedded broker).")
    String bootstrapServers;

    @Option(
        names = "--partitions",
        defaultValue = "2",
        description =
            "Partitions of images and activations when creating topics (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(
        names = "--block",
        defaultValue = "4",
        description = "Teacher block the student replaces (default: ${DEFAULT-VALUE}).")
    int block;

    @Option(
        names = "--model-id",
        defaultValue = "resnet18-block4",
        description = "Key of the student in the students topic (default: ${DEFAULT-VALUE}).")
    String modelId;
  }

  /** The inference stage. */
  static final class Ingest {
    @Option(
        names = "--batch-size",
        defaultValue = "32",
        description = "Images per teacher call in the inference stage (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
        names = "--max-wait-ms",
        defaultValue = "200",
        description = "Flush a partial teacher batch after this long (default: ${DEFAULT-VALUE}).")
    long maxWaitMs;

    @Option(
        names = "--precision",
        defaultValue = "float32",
        description = "Activations on the wire: float32 or float16 (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(
        names = "--stream-threads",
        defaultValue = "1",
        description = "Kafka Streams threads of the inference stage (default: ${DEFAULT-VALUE}).")
    int streamThreads;

    InferenceConfig config() {
      Precision p =
          switch (precision.toLowerCase(java.util.Locale.ROOT)) {
            case "float32", "f32" -> Precision.FLOAT32;
            case "float16", "f16", "half" -> Precision.FLOAT16;
            default ->
                throw new UserException(
                    "--precision must be float32 or float16, got '" + precision + "'");
          };
      try {
        return new InferenceConfig(batchSize, Duration.ofMillis(maxWaitMs), p);
      } catch (IllegalArgumentException e) {
        throw new UserException(e.getMessage());
      }
    }
  }

  /** The learner. */
  static final class Learner {
    @Option(
        names = "--window-size",
        defaultValue = "1000",
        description = "Activation rows in the sliding window (default: ${DEFAULT-VALUE}).")
    int windowSize;

    @Option(
        names = "--refit-every",
        defaultValue = "250",
        description = "Refit after this many new rows (default: ${DEFAULT-VALUE}).")
    int refitEvery;

    @Option(
        names = "--refit-interval-s",
        defaultValue = "60",
        description =
            "... or after this many seconds with any new row (default: ${DEFAULT-VALUE}).")
    long refitIntervalS;

    @Option(
        names = "--gates",
        defaultValue = "8",
        description = "Random gate vectors of the convex student (default: ${DEFAULT-VALUE}).")
    int gates;

    @Option(
        names = "--max-params",
        defaultValue = "1400000",
        description =
            "Parameter budget of the student, ~1/6 of block 4 (default: ${DEFAULT-VALUE}).")
    long maxParams;

    @Option(
        names = "--gap-tol",
        defaultValue = "1e-3",
        description = "Solver stop: relative duality gap (default: ${DEFAULT-VALUE}).")
    double gapTol;

    @Option(
        names = "--max-iterations",
        defaultValue = "100",
        description = "Solver iterations per solve, bounding a refit (default: ${DEFAULT-VALUE}).")
    int maxIterations;

    @Option(
        names = "--polish-ratio",
        defaultValue = "0.1",
        description =
            "Polishing refit at this fraction of lambda, 0 = off (default: ${DEFAULT-VALUE}).")
    double polishRatio;

    @Option(
        names = "--max-relative-gap",
        defaultValue = "0.3",
        description = "Reject candidates with a looser certificate (default: ${DEFAULT-VALUE}).")
    double maxRelativeGap;

    @Option(
        names = "--mse-tolerance",
        defaultValue = "0.10",
        description =
            "Reject candidates whose held-out MSE is worse by more (default: ${DEFAULT-VALUE}).")
    double mseTolerance;

    @Option(
        names = "--solver-threads",
        defaultValue = "2",
        description = "BLAS threads of the solver (default: ${DEFAULT-VALUE}).")
    int solverThreads;

    LearnerConfig config(String modelId) {
      LearnerConfig d = LearnerConfig.defaults();
      try {
        return new LearnerConfig(
            modelId,
            windowSize,
            refitEvery,
            Duration.ofSeconds(refitIntervalS),
            gates,
            d.seed(),
            maxParams,
            gapTol,
            maxIterations,
            d.pathPoints(),
            d.pathMinRatio(),
            d.lambdaStep(),
            polishRatio,
            d.holdoutEvery(),
            maxRelativeGap,
            mseTolerance,
            solverThreads);
      } catch (IllegalArgumentException e) {
        throw new UserException(e.getMessage());
      }
    }
  }

  /** The HTTP endpoint. */
  static final class Serving {
    @Option(
        names = "--max-batch",
        defaultValue = "16",
        description = "Dynamic batching: images per pass, 1 = off (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(
        names = "--max-delay-ms",
        defaultValue = "5",
        description = "Dynamic batching: longest wait for a batch (default: ${DEFAULT-VALUE}).")
    long maxDelayMs;

    @Option(
        names = "--queue-capacity",
        defaultValue = "256",
        description = "Queued requests before answering 503 (default: ${DEFAULT-VALUE}).")
    int queueCapacity;

    @Option(
        names = "--max-body-bytes",
        defaultValue = "1048576",
        description = "Larger request bodies get 413 (default: ${DEFAULT-VALUE}).")
    int maxBodyBytes;

    @Option(
        names = "--keep-versions",
        defaultValue = "10",
        description = "Student versions kept for pin/rollback (default: ${DEFAULT-VALUE}).")
    int keepVersions;

    ServingConfig config(int httpPort) {
      try {
        return new ServingConfig(
            httpPort,
            maxBatch,
            Duration.ofMillis(maxDelayMs),
            queueCapacity,
            maxBodyBytes,
            32,
            keepVersions);
      } catch (IllegalArgumentException e) {
        throw new UserException(e.getMessage());
      }
    }
  }
}
