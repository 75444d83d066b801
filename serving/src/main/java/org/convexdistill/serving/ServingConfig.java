package org.convexdistill.serving;

import java.time.Duration;

/**
 * Settings of the HTTP endpoint.
 *
 * @param port the port (0 = a free one)
 * @param maxBatch images per inference pass (1 = no dynamic batching)
 * @param maxDelay how long the oldest request may wait for a batch to fill
 * @param queueCapacity queued requests beyond which the server answers 503
 * @param maxBodyBytes larger request bodies are answered 413
 * @param handlerThreads HTTP worker threads (they wait on the batcher)
 * @param keepVersions student versions kept for pinning / rollback
 * @param host the address to bind: 127.0.0.1 by default, 0.0.0.0 in a pod
 * @param guard tokens, accepted Host names and the v2 batch cap
 * @param batchWorkers threads running batches side by side; with PyTorch at one intra-op thread
 *     each, one worker per core serves about 1.5x more than one worker with every core (PyTorch's
 *     intra-op threads scale poorly on the small tensors of a batch of a few 32×32 images)
 */
public record ServingConfig(
    int port,
    int maxBatch,
    Duration maxDelay,
    int queueCapacity,
    int maxBodyBytes,
    int handlerThreads,
    int keepVersions,
    String host,
    HttpGuard guard,
    int batchWorkers) {
  public ServingConfig {
    if (guard == null) {
      throw new IllegalArgumentException("guard must not be null (HttpGuard.open() for none)");
    }
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("--http-host must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, got " + port);
    }
    if (maxBatch < 1 || queueCapacity < 1 || handlerThreads < 1 || keepVersions < 1) {
      throw new IllegalArgumentException(
          "max batch, queue capacity, handler threads and kept versions must be >= 1");
    }
    if (batchWorkers < 1) {
      throw new IllegalArgumentException("batch workers must be >= 1, got " + batchWorkers);
    }
    if (maxDelay.isNegative()) {
      throw new IllegalArgumentException("max delay must be >= 0");
    }
    if (maxBodyBytes < 1024) {
      throw new IllegalArgumentException("max body must be >= 1024 bytes");
    }
  }

  /** No tokens, default hosts. */
  public ServingConfig(
      int port,
      int maxBatch,
      Duration maxDelay,
      int queueCapacity,
      int maxBodyBytes,
      int handlerThreads,
      int keepVersions,
      String host) {
    this(
        port,
        maxBatch,
        maxDelay,
        queueCapacity,
        maxBodyBytes,
        handlerThreads,
        keepVersions,
        host,
        HttpGuard.open(),
        1);
  }

  /** Bound to 127.0.0.1. */
  public ServingConfig(
      int port,
      int maxBatch,
      Duration maxDelay,
      int queueCapacity,
      int maxBodyBytes,
      int handlerThreads,
      int keepVersions) {
    this(
        port,
        maxBatch,
        maxDelay,
        queueCapacity,
        maxBodyBytes,
        handlerThreads,
        keepVersions,
        "127.0.0.1");
  }

  /** Port 8080, batches of up to 16 within 5 ms, 256 queued, 1 MiB bodies, 32 threads, 10 kept. */
  public static ServingConfig defaults() {
    return new ServingConfig(8080, 16, Duration.ofMillis(5), 256, 1 << 20, 32, 10);
  }

  /**
   * PyTorch intra-op threads for {@code workers} batch workers on this machine: the cores shared
   * out, at least one each. Set before the teacher loads.
   */
  public static int torchThreadsFor(int workers) {
    return Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, workers));
  }

  public ServingConfig withPort(int p) {
    return new ServingConfig(
        p,
        maxBatch,
        maxDelay,
        queueCapacity,
        maxBodyBytes,
        handlerThreads,
        keepVersions,
        host,
        guard,
        batchWorkers);
  }

  public ServingConfig withHost(String h) {
    return new ServingConfig(
        port,
        maxBatch,
        maxDelay,
        queueCapacity,
        maxBodyBytes,
        handlerThreads,
        keepVersions,
        h,
        guard,
        batchWorkers);
  }

  public ServingConfig withGuard(HttpGuard g) {
    return new ServingConfig(
        port,
        maxBatch,
        maxDelay,
        queueCapacity,
        maxBodyBytes,
        handlerThreads,
        keepVersions,
        host,
        g,
        batchWorkers);
  }

  public ServingConfig withBatchWorkers(int w) {
    return new ServingConfig(
        port,
        maxBatch,
        maxDelay,
        queueCapacity,
        maxBodyBytes,
        handlerThreads,
        keepVersions,
        host,
        guard,
        w);
  }
}
