package org.convexdistill.serving;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.convexdistill.core.teacher.Teacher;

/** The serving role assembled: registry, batcher, student follower and HTTP server. */
public final class ServingNode implements AutoCloseable {
  private final ModelRegistry registry;
  private final ServingMetrics metrics;
  private final Batcher batcher;
  private final StudentFollower follower;
  private final ServingServer server;

  private ServingNode(
      ModelRegistry registry,
      ServingMetrics metrics,
      Batcher batcher,
      StudentFollower follower,
      ServingServer server) {
    this.registry = registry;
    this.metrics = metrics;
    this.batcher = batcher;
    this.follower = follower;
    this.server = server;
  }

  /**
   * Starts serving {@code modelId} (block {@code block} of {@code teacher}), following the students
   * topic at {@code bootstrapServers}.
   */
  public static ServingNode start(
      String bootstrapServers,
      Teacher teacher,
      int block,
      String modelId,
      ServingConfig config,
      PrometheusMeterRegistry prometheus) {
    HybridRunner runner = new HybridRunner(teacher, block);
    ModelRegistry registry =
        new ModelRegistry(
            modelId, runner.blockInputSize(), runner.blockOutputSize(), config.keepVersions());
    ServingMetrics metrics = new ServingMetrics();
    metrics.bindTo(prometheus);
    Batcher batcher =
        new Batcher(
            runner,
            registry,
            config.maxBatch(),
            config.maxDelay(),
            config.queueCapacity(),
            metrics);
    ServingServer server =
        ServingServer.start(config, batcher, registry, metrics, prometheus, teacher.numClasses());
    StudentFollower follower = new StudentFollower(bootstrapServers, registry, metrics);
    return new ServingNode(registry, metrics, batcher, follower, server);
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
  }
}
