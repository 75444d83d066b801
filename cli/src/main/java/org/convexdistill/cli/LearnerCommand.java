package org.convexdistill.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.Callable;
import org.convexdistill.app.TopicSetup;
import org.convexdistill.learner.stream.StreamingLearner;
import org.convexdistill.learner.stream.TeacherSuffix;
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

  @Option(
      names = "--metrics-port",
      defaultValue = "9401",
      description = "Prometheus /metrics port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
  int metricsPort;

  @Override
  public Integer call() throws Exception {
    String bootstrap = Roles.requireBootstrap(kafka);
    var config = learner.config(kafka.modelId); // validate before touching Kafka
    TopicSetup.ensure(bootstrap, kafka.partitions);
    PrometheusMeterRegistry registry = Metrics.newRegistry();
    // The teacher's suffix anchors the promotion gate: candidates are scored against the teacher's
    // own outputs (no labels).
    DjlTeacher teacher = teacherOptions.load();
    StreamingLearner l =
        new StreamingLearner(bootstrap, config, registry, TeacherSuffix.of(teacher, kafka.block));
    l.addListener(
        e ->
            System.out.printf(
                "refit: %s%s%n",
                e.outcome().tag(),
                e.version() > 0 ? " version " + e.version() : " (" + e.reason() + ")"));
    l.start();
    MetricsServer metrics = MetricsServer.start(registry, metricsPort);
    System.out.printf(
        "learner running for %s; metrics on http://127.0.0.1:%d/metrics%n",
        kafka.modelId, metrics.port());
    Roles.runUntilStopped(teacher, l, metrics);
    return 0;
  }
}
