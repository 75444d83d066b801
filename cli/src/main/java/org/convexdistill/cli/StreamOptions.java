package org.convexdistill.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.convexdistill.app.UserException;
import org.convexdistill.core.stream.ActivationRecord.Precision;
import org.convexdistill.ingest.stage.InferenceConfig;
import org.convexdistill.learner.stream.LearnerConfig;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.runtime.topics.TopicSettings;
import org.convexdistill.serving.HttpGuard;
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

    @Option(
        names = "--kafka-config",
        paramLabel = "FILE",
        description =
            "Kafka client settings (Java properties: security.protocol, sasl.*, ssl.*, config"
                + " providers...) for every producer, consumer, admin and Streams client.")
    Path kafkaConfig;

    @Option(
        names = "--kafka-property",
        paramLabel = "KEY=VALUE",
        description =
            "One Kafka client setting (repeatable); wins over --kafka-config. Settings a role needs"
                + " for its guarantees (exactly-once, transactional id, isolation) always win.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(
        names = "--replication-factor",
        defaultValue = "-1",
        description =
            "Replication of the topics the app creates; -1 = the broker's default (default:"
                + " ${DEFAULT-VALUE}).")
    short replicationFactor;

    @Option(
        names = "--min-insync-replicas",
        defaultValue = "0",
        description =
            "min.insync.replicas of the topics the app creates; 0 = the broker's default (default:"
                + " ${DEFAULT-VALUE}).")
    int minInsyncReplicas;

    /** The cluster and client settings; --bootstrap-servers is required. */
    KafkaConnection connection() {
      return connection(Roles.requireBootstrap(this));
    }

    /** {@code bootstrap} with the client settings of the flags. */
    KafkaConnection connection(String bootstrap) {
      Map<String, String> all = new LinkedHashMap<>();
      if (kafkaConfig != null) {
        all.putAll(KafkaPropertiesFile.read(kafkaConfig));
      }
      all.putAll(kafkaProperties);
      try {
        return new KafkaConnection(bootstrap, all);
      } catch (IllegalArgumentException e) {
        throw new UserException(e.getMessage());
      }
    }

    /** How topics are created when missing. */
    TopicSettings topics() {
      try {
        return new TopicSettings(partitions, replicationFactor, minInsyncReplicas);
      } catch (IllegalArgumentException e) {
        throw new UserException(e.getMessage());
      }
    }
  }

  /** The inference stage. */
  static final class Ingest {
    @Option(
        names = "--batch-size",
        description = "Images per teacher call in the inference stage (default: ${DEFAULT-VALUE}).")
    int batchSize = InferenceConfig.defaults().batchSize();

    @Option(
        names = "--max-wait-ms",
        description = "Flush a partial teacher batch after this long (default: ${DEFAULT-VALUE}).")
    long maxWaitMs = InferenceConfig.defaults().maxWait().toMillis();

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
        description = "Activation rows in the sliding window (default: ${DEFAULT-VALUE}).")
    int windowSize = LearnerConfig.defaults().windowSize();

    @Option(
        names = "--refit-every",
        description = "Refit after this many new rows (default: ${DEFAULT-VALUE}).")
    int refitEvery = LearnerConfig.defaults().refitEvery();

    @Option(
        names = "--refit-interval-s",
        description =
            "... or after this many seconds with any new row (default: ${DEFAULT-VALUE}).")
    long refitIntervalS = LearnerConfig.defaults().refitInterval().toSeconds();

    @Option(
        names = "--gates",
        description = "Random gate vectors of the convex student (default: ${DEFAULT-VALUE}).")
    int gates = LearnerConfig.defaults().gates();

    @Option(
        names = "--max-params",
        description =
            "Parameter budget of the student, ~1/6 of block 4 (default: ${DEFAULT-VALUE}).")
    long maxParams = LearnerConfig.defaults().maxParams();

    @Option(
        names = "--gap-tol",
        description = "Solver stop: relative duality gap (default: ${DEFAULT-VALUE}).")
    double gapTol = LearnerConfig.defaults().gapTolerance();

    @Option(
        names = "--max-iterations",
        description = "Solver iterations per solve, bounding a refit (default: ${DEFAULT-VALUE}).")
    int maxIterations = LearnerConfig.defaults().maxIterations();

    @Option(
        names = "--support-refit",
        description =
            "Relaxed-lasso refit on the selected support at this fraction of lambda, 0 = off"
                + " (default: ${DEFAULT-VALUE}).")
    double polishRatio = LearnerConfig.defaults().polishRatio();

    @Option(
        names = "--shared-layer",
        paramLabel = "F",
        description =
            "The paper's polishing: refit a second layer shared across outputs (group elastic"
                + " net, gates and first layer kept) at F times that problem's lambda_max; 0 ="
                + " off (default: ${DEFAULT-VALUE}).")
    double sharedLayerRatio = LearnerConfig.defaults().sharedLayerRatio();

    @Option(
        names = "--max-relative-gap",
        description = "Reject candidates with a looser certificate (default: ${DEFAULT-VALUE}).")
    double maxRelativeGap = LearnerConfig.defaults().maxRelativeGap();

    @Option(
        names = "--mse-tolerance",
        description =
            "Reject candidates whose held-out MSE is worse by more (default: ${DEFAULT-VALUE}).")
    double mseTolerance = LearnerConfig.defaults().mseTolerance();

    @Option(
        names = "--min-agreement",
        paramLabel = "F",
        description =
            "Promotion gate: publish a candidate only if its top-1 agreement with the teacher on"
                + " held-out window rows is at least F and not below the current student's"
                + " (default: ${DEFAULT-VALUE}).")
    double minAgreement = LearnerConfig.defaults().minAgreement();

    @Option(
        names = "--gate-rows",
        paramLabel = "N",
        description =
            "The gate scores on the N most recent held-out rows, also those that left the window"
                + " (never trained on; default: ${DEFAULT-VALUE}).")
    int gateRows = LearnerConfig.defaults().gateRows();

    @Option(
        names = "--min-gate-rows",
        paramLabel = "N",
        description =
            "Publish nothing before the gate has N held-out rows to score on (default:"
                + " ${DEFAULT-VALUE}).")
    int minGateRows = LearnerConfig.defaults().minGateRows();

    @Option(
        names = "--head-weight",
        paramLabel = "MU|logits",
        converter = HeadWeightConverter.class,
        description =
            "Weight of the teacher's own logits in the students' loss when its suffix after the"
                + " block is linear (block 4): ||y^ - y||^2 + MU*||(y^ - y)H||^2/||H||^2. The"
                + " teacher's outputs, not labels; 0 = block outputs only; 'logits' (or"
                + " Infinity) = the logits alone (default: ${DEFAULT-VALUE}, i.e. the logits"
                + " alone).")
    double headWeight = LearnerConfig.defaults().headWeight();

    @Option(
        names = "--path-min-ratio",
        paramLabel = "F",
        description =
            "The first (cold) fit's lambda path ends at F times lambda_max unless the budget is"
                + " reached before (default: ${DEFAULT-VALUE}).")
    double pathMinRatio = LearnerConfig.defaults().pathMinRatio();

    @Option(
        names = "--solver",
        paramLabel = "admm|rfista",
        description =
            "Algorithm of the refits: admm (a cached kernel factorisation; lambda at the floor"
                + " unless the budget raises it, no path) or rfista (a lambda path, then budgeted"
                + " warm refits; default: ${DEFAULT-VALUE}).")
    String solver = LearnerConfig.defaults().solver().name().toLowerCase(java.util.Locale.ROOT);

    @Option(
        names = "--student",
        paramLabel = "one-vs-all|nuclear",
        description =
            "Convex student family: one-vs-all (group lasso, a unit feeds one output) or nuclear"
                + " (the paper's Theorem 3B: units with a second layer shared across outputs;"
                + " needs --solver admm; default: ${DEFAULT-VALUE}).")
    String student =
        LearnerConfig.defaults()
            .student()
            .name()
            .toLowerCase(java.util.Locale.ROOT)
            .replace('_', '-');

    @Option(
        names = "--solver-threads",
        description =
            "Solver threads: OpenBLAS's GEMM threads and the elementwise passes (default:"
                + " ${DEFAULT-VALUE}).")
    int solverThreads = LearnerConfig.defaults().threads();

    private LearnerConfig.Solver solverChoice() {
      return switch (solver.toLowerCase(java.util.Locale.ROOT)) {
        case "admm" -> LearnerConfig.Solver.ADMM;
        case "rfista", "r-fista", "fista" -> LearnerConfig.Solver.RFISTA;
        default -> throw new UserException("--solver must be admm or rfista, got '" + solver + "'");
      };
    }

    private LearnerConfig.StudentKind studentChoice() {
      return switch (student.toLowerCase(java.util.Locale.ROOT)) {
        case "one-vs-all", "group-lasso" -> LearnerConfig.StudentKind.ONE_VS_ALL;
        case "nuclear", "shared" -> LearnerConfig.StudentKind.NUCLEAR;
        default ->
            throw new UserException(
                "--student must be one-vs-all or nuclear, got '" + student + "'");
      };
    }

    LearnerConfig config(String modelId) {
      try {
        return LearnerConfig.builder()
            .setModelId(modelId)
            .setWindowSize(windowSize)
            .setRefitEvery(refitEvery)
            .setRefitInterval(Duration.ofSeconds(refitIntervalS))
            .setGates(gates)
            .setMaxParams(maxParams)
            .setGapTolerance(gapTol)
            .setMaxIterations(maxIterations)
            .setPolishRatio(polishRatio)
            .setSharedLayerRatio(sharedLayerRatio)
            .setMaxRelativeGap(maxRelativeGap)
            .setMseTolerance(mseTolerance)
            .setMinAgreement(minAgreement)
            .setGateRows(gateRows)
            .setMinGateRows(minGateRows)
            .setHeadWeight(headWeight)
            .setPathMinRatio(pathMinRatio)
            .setThreads(solverThreads)
            .setSolver(solverChoice())
            .setStudent(studentChoice())
            .build();
      } catch (IllegalArgumentException e) {
        throw new UserException(e.getMessage());
      }
    }
  }

  /** Where ingest and learner serve /metrics and /health/live|ready. */
  static final class MetricsHost {
    @Option(
        names = "--metrics-host",
        defaultValue = "127.0.0.1",
        description =
            "Address of /metrics and /health/live|ready; 0.0.0.0 in a pod (default:"
                + " ${DEFAULT-VALUE}).")
    String host;
  }

  /** The HTTP endpoint. */
  static final class Serving {
    @Option(
        names = "--max-batch",
        description = "Dynamic batching: images per pass, 1 = off (default: ${DEFAULT-VALUE}).")
    int maxBatch = ServingConfig.defaults().maxBatch();

    @Option(
        names = "--max-delay-ms",
        description = "Dynamic batching: longest wait for a batch (default: ${DEFAULT-VALUE}).")
    long maxDelayMs = ServingConfig.defaults().maxDelay().toMillis();

    @Option(
        names = "--queue-capacity",
        description = "Queued requests before answering 503 (default: ${DEFAULT-VALUE}).")
    int queueCapacity = ServingConfig.defaults().queueCapacity();

    @Option(
        names = "--max-body-bytes",
        description = "Larger request bodies get 413 (default: ${DEFAULT-VALUE}).")
    int maxBodyBytes = ServingConfig.defaults().maxBodyBytes();

    @Option(
        names = "--http-host",
        defaultValue = "127.0.0.1",
        description =
            "Address the HTTP endpoint binds; 0.0.0.0 = every interface, as in a pod (default:"
                + " ${DEFAULT-VALUE}).")
    String httpHost;

    @Option(
        names = "--keep-versions",
        description = "Student versions kept for pin/rollback (default: ${DEFAULT-VALUE}).")
    int keepVersions = ServingConfig.defaults().keepVersions();

    @Option(
        names = "--api-token-file",
        paramLabel = "FILE",
        description =
            "Require 'Authorization: Bearer <the file's token>' on predict, infer and GET"
                + " /v1/model (health and /metrics stay open for probes and Prometheus).")
    Path apiTokenFile;

    @Option(
        names = "--admin-token-file",
        paramLabel = "FILE",
        description = "Require this bearer token to pin or unpin a version.")
    Path adminTokenFile;

    @Option(
        names = "--allowed-hosts",
        paramLabel = "NAME[,...]",
        split = ",",
        description =
            "Host header names accepted ('*' = any); default: the loopback names when bound to"
                + " 127.0.0.1, any otherwise.")
    java.util.List<String> allowedHosts = new java.util.ArrayList<>();

    @Option(
        names = "--max-infer-batch",
        description = "Images one v2 infer request may carry (default: ${DEFAULT-VALUE}).")
    int maxInferBatch = HttpGuard.DEFAULT_MAX_INFER_BATCH;

    @Option(
        names = "--batch-workers",
        description =
            "Batches run side by side, the cores shared out among them as PyTorch threads"
                + " (default: the number of cores, ${DEFAULT-VALUE} here).")
    int batchWorkers = Runtime.getRuntime().availableProcessors();

    /** PyTorch intra-op threads for {@link #batchWorkers}; set before the teacher loads. */
    int torchThreads() {
      return ServingConfig.torchThreadsFor(batchWorkers);
    }

    ServingConfig config(int httpPort) {
      try {
        HttpGuard guard =
            new HttpGuard(
                token(apiTokenFile, "--api-token-file"),
                token(adminTokenFile, "--admin-token-file"),
                java.util.Set.copyOf(
                    allowedHosts.stream()
                        .map(h -> h.trim().toLowerCase(java.util.Locale.ROOT))
                        .toList()),
                maxInferBatch);
        return new ServingConfig(
            httpPort,
            maxBatch,
            Duration.ofMillis(maxDelayMs),
            queueCapacity,
            maxBodyBytes,
            ServingConfig.defaults().handlerThreads(),
            keepVersions,
            httpHost,
            guard,
            batchWorkers);
      } catch (IllegalArgumentException e) {
        throw new UserException(e.getMessage());
      }
    }

    private static String token(Path file, String flag) {
      if (file == null) {
        return null;
      }
      try {
        String t = java.nio.file.Files.readString(file).strip();
        if (t.isEmpty()) {
          throw new UserException(flag + " " + file + " is empty; put the token in it");
        }
        return t;
      } catch (java.io.IOException e) {
        throw new UserException("cannot read " + flag + " " + file + " (" + e.getMessage() + ")");
      }
    }
  }
}
