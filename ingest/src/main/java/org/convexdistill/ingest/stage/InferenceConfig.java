package org.convexdistill.ingest.stage;

import java.time.Duration;
import org.convexdistill.core.stream.ActivationRecord.Precision;

/**
 * Settings of the inference stage.
 *
 * @param batchSize images per teacher call (a partition's buffer flushes when it holds this many)
 * @param maxWait a non-empty buffer older than this flushes anyway (bounds latency at low rates)
 * @param precision of the activations on the wire
 */
public record InferenceConfig(int batchSize, Duration maxWait, Precision precision) {
  public static final int DEFAULT_BATCH_SIZE = 32;
  public static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(200);

  public InferenceConfig {
    validate(batchSize, maxWait);
  }

  /** Defaults: batches of 32, 200 ms, float32. */
  public static InferenceConfig defaults() {
    return new InferenceConfig(DEFAULT_BATCH_SIZE, DEFAULT_MAX_WAIT, Precision.FLOAT32);
  }

  private static void validate(int batchSize, Duration maxWait) {
    if (batchSize < 1 || batchSize > 4096) {
      throw new IllegalArgumentException("batch size must be 1..4096, got " + batchSize);
    }
    if (maxWait == null || maxWait.isNegative() || maxWait.isZero()) {
      throw new IllegalArgumentException("max wait must be positive, got " + maxWait);
    }
  }
}
