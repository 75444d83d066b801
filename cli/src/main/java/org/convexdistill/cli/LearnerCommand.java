package org.convexdistill.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.Callable;
import org.convexdistill.app.TopicSetup;
import org.convexdistill.learner.stream.StreamingLearner;
import org.convexdistill.learner.stream.TeacherSuffix;
import org.convexdistill.runtime.health.Health;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.runtime.metrics.Metrics;
import org.convexdistill.runtime.metrics.MetricsServer;
import org.convexdistill.teacher.DjlTeacher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code distill learner}: the windowed learner alone (one per model). */
@Command(
    name = "learner",
    mixinStandardHelpOptions = true,
    description = "Run the online learner: activations -> warm-started refits -> students.",
    footer = StreamCommands.ENV_FOOTER)
final class LearnerCommand implements Callable<Integer> {
  @Mixin StreamOptions.Kafka kafka;
  @Mixin StreamOptions.Learner learner;
  @Mixin TeacherOptions teacherOptions;
  @Mixin ReleaseOptions.Signing signing;

  @Option(
      names = "--metrics-port",
      defaultValue = "9401",
      description = "Port of /metrics and /health/live|ready (default: ${DEFAULT-VALUE}).")
  int metricsPort;

  @Mixin StreamOptions.MetricsHost metricsHost;

  @Override
  public Integer call() throws Exception {
    KafkaConnection connection = kafka.connection();
    var config = learner.config(kafka.modelId); // validate before touching Kafka
    var signer = signing.signer();
    var previousKeys = signing.previousKeys();
    TopicSetup.ensure(connection, kafka.topics());
    PrometheusMeterRegistry registry = Metrics.newRegistry();
    // The teacher's suffix anchors the promotion gate: candidates are scored against the teacher's
    // own outputs (no labels).
    DjlTeacher teacher = teacherOptions.load();
    StreamingLearner l =
        new StreamingLearner(
            connection,
            config,
            registry,
            TeacherSuffix.of(teacher, kafka.block),
            signer,
            previousKeys);
    l.addListener(
        e ->
            System.out.printf(
                "refit: %s%s%n",
                e.outcome().tag(),
                e.version() > 0 ? " version " + e.version() : " (" + e.reason() + ")"));
    l.start();
    Health health = new Health().liveness("learner", l::alive).readiness("resumed", l::ready);
    MetricsServer metrics = MetricsServer.start(registry, metricsHost.host, metricsPort, health);
    System.out.printf(
        "learner running for %s; metrics on http://%s:%d/metrics%n",
        kafka.modelId, metricsHost.host, metrics.port());
    Roles.runUntilStopped(teacher, l, metrics);
    return 0;
  }
}
