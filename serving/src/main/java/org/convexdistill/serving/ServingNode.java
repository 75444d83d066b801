package org.convexdistill.serving;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.convexdistill.core.teacher.Teacher;
import org.convexdistill.runtime.health.Health;
import org.convexdistill.runtime.kafka.KafkaConnection;

/** The serving role assembled: registry, batcher, student follower and HTTP server. */
public final class ServingNode implements AutoCloseable {
  private final ModelRegistry registry;
  private final ServingMetrics metrics;
  private final Batcher batcher;
  private final StudentFollower follower;
  private final ServingServer server;
  private final ControlLog control;

  private ServingNode(
      ModelRegistry registry,
      ServingMetrics metrics,
      Batcher batcher,
      StudentFollower follower,
      ServingServer server,
      ControlLog control) {
    this.control = control;
    this.registry = registry;
    this.metrics = metrics;
    this.batcher = batcher;
    this.follower = follower;
    this.server = server;
  }

  /**
   * Starts serving {@code modelId} (block {@code block} of {@code teacher}), following the students
   * topic at {@code kafka} and swapping only to releases that satisfy {@code policy}.
   */
  public static ServingNode start(
      KafkaConnection kafka,
      Teacher teacher,
      int block,
      String modelId,
      ServingConfig config,
      PrometheusMeterRegistry prometheus,
      ReleasePolicy policy) {
    HybridRunner runner = new HybridRunner(teacher, block);
    ModelRegistry registry =
        new ModelRegistry(
            modelId,
            block,
            runner.blockInputSize(),
            runner.blockOutputSize(),
            config.keepVersions(),
            policy);
    ServingMetrics metrics = new ServingMetrics();
    metrics.bindTo(prometheus);
    Batcher batcher =
        new Batcher(
            runner,
            registry,
            config.maxBatch(),
            config.maxDelay(),
            config.queueCapacity(),
            config.batchWorkers(),
            metrics);
    ControlLog control = new ControlLog(kafka, modelId);
    registry.pinLog(control);
    StudentFollower follower = new StudentFollower(kafka, registry, metrics);
    // Live while its workers run; ready once the students log is replayed, so a restarted pod
    // does not take traffic with the teacher or an old version while the log is read.
    Health health =
        new Health()
            .liveness("batcher", batcher::alive)
            .liveness("student-follower", follower::alive)
            // Both the students and the serving-control logs: a pinned version is restored
            // before traffic arrives, and the version it rolled back from does not return.
            .readiness("students-log-replayed", follower::replayed);
    ServingServer server =
        ServingServer.start(
            config,
            new BatchedInference(batcher),
            registry,
            metrics,
            prometheus,
            teacher.numClasses(),
            health);
    return new ServingNode(registry, metrics, batcher, follower, server, control);
  }

  public int port() {
    return server.port();
  }

  public ModelRegistry registry() {
    return registry;
  }

  public ServingMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    follower.close();
    server.close();
    batcher.close();
    control.close();
  }
}
