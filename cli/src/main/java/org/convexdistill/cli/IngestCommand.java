package org.convexdistill.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.convexdistill.app.TopicSetup;
import org.convexdistill.ingest.stage.BlockInference;
import org.convexdistill.ingest.stage.IngestStage;
import org.convexdistill.runtime.health.Health;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.runtime.metrics.Metrics;
import org.convexdistill.runtime.metrics.MetricsServer;
import org.convexdistill.teacher.DjlTeacher;
import org.convexdistill.teacher.TeacherId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code distill ingest}: the inference stage alone (scale out: more instances, same id). */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description = "Run the Kafka Streams inference stage: images -> teacher activations.",
    footer = StreamCommands.ENV_FOOTER)
final class IngestCommand implements Callable<Integer> {
  @Mixin StreamOptions.Kafka kafka;
  @Mixin StreamOptions.Ingest ingest;
  @Mixin TeacherOptions teacherOptions;

  @Option(
      names = "--metrics-port",
      defaultValue = "9400",
      description = "Port of /metrics and /health/live|ready (default: ${DEFAULT-VALUE}).")
  int metricsPort;

  @Mixin StreamOptions.MetricsHost metricsHost;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "Kafka Streams state (default: a temporary folder; the buffer is changelogged).")
  Path stateDir;

  @Override
  public Integer call() throws Exception {
    KafkaConnection connection = kafka.connection();
    var config = ingest.config(); // validate before touching Kafka
    TopicSetup.ensure(connection, kafka.topics());
    DjlTeacher teacher = teacherOptions.load();
    PrometheusMeterRegistry registry = Metrics.newRegistry();
    Path state = stateDir != null ? stateDir : Files.createTempDirectory("distill-ingest-");
    IngestStage stage =
        IngestStage.start(
            connection,
            new BlockInference(teacher, TeacherId.of(teacherOptions.model), kafka.block),
            config,
            registry,
            state.toString(),
            ingest.streamThreads);
    Health health =
        new Health().liveness("streams", stage::alive).readiness("streams-running", stage::ready);
    MetricsServer metrics = MetricsServer.start(registry, metricsHost.host, metricsPort, health);
    System.out.printf(
        "ingest running: %s -> block %d activations; metrics on http://%s:%d/metrics%n",
        connection.bootstrapServers(), kafka.block, metricsHost.host, metrics.port());
    Roles.runUntilStopped(teacher, stage, metrics);
    return 0;
  }
}
