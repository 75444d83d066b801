package org.convexdistill.ingest.stage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;

/** Meters of the inference stage. */
public final class IngestMetrics implements MeterBinder {
  private Counter imagesIn;
  private Counter imagesOut;
  private Counter deadLettered;
  private Counter processingFailed;
  private Counter threadsReplaced;
  private DistributionSummary batchSize;
  private Timer teacherLatency;

  /** Counts into a private registry until {@link #bindTo} is called. */
  public IngestMetrics() {
    bindTo(new SimpleMeterRegistry());
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    imagesIn =
        Counter.builder("distill.images.in")
            .description("image records read by the inference stage")
            .register(registry);
    imagesOut =
        Counter.builder("distill.images.out")
            .description("activation records emitted")
            .register(registry);
    deadLettered =
        Counter.builder("distill.dead.letter")
            .tag("stage", "ingest")
            .tag("reason", "undecodable-image")
            .description("records sent to the dead-letter topic")
            .register(registry);
    processingFailed =
        Counter.builder("distill.dead.letter")
            .tag("stage", "ingest")
            .tag("reason", "processing-error")
            .description("records sent to the dead-letter topic")
            .register(registry);
    threadsReplaced =
        Counter.builder("distill.ingest.threads.replaced")
            .description("stream threads that died and were replaced")
            .register(registry);
    batchSize =
        DistributionSummary.builder("distill.teacher.batch.size")
            .description("images per teacher call")
            .register(registry);
    teacherLatency =
        Timer.builder("distill.teacher.latency")
            .description("teacher prefix + block time per batch")
            .publishPercentileHistogram()
            .register(registry);
  }

  void imageIn() {
    imagesIn.increment();
  }

  void deadLetter() {
    deadLettered.increment();
  }

  void threadReplaced() {
    threadsReplaced.increment();
  }

  /** A record the stage failed on for another reason than its bytes (see DeadLetterOnFailure). */
  void processingFailed() {
    processingFailed.increment();
  }

  void batch(int n, Duration took) {
    imagesOut.increment(n);
    batchSize.record(n);
    teacherLatency.record(took);
  }
}
