package org.convexdistill.serving;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Meters of the serving role. */
public final class ServingMetrics implements MeterBinder {
  private final AtomicLong version = new AtomicLong();
  private MeterRegistry registry;
  private DistributionSummary batchSize;
  private Timer batchLatency;

  /** Counts into a private registry until {@link #bindTo} is called. */
  public ServingMetrics() {
    bindTo(new SimpleMeterRegistry());
  }

  @Override
  public void bindTo(MeterRegistry r) {
    registry = r;
    batchSize =
        DistributionSummary.builder("distill.serving.batch.size")
            .description("images per inference pass")
            .register(r);
    batchLatency =
        Timer.builder("distill.serving.batch.latency")
            .description("prefix + student + suffix time per batch")
            .publishPercentileHistogram()
            .register(r);
    Gauge.builder("distill.student.version", version, AtomicLong::get)
        .description("student version serving now (0 = the teacher)")
        .register(r);
  }

  void batch(int images, long nanos) {
    batchSize.record(images);
    batchLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Inference passes so far, the images they ran and their total time (for benchmarks). */
  public record BatchTotals(long batches, double images, double seconds) {}

  public BatchTotals batchTotals() {
    return new BatchTotals(
        batchSize.count(), batchSize.totalAmount(), batchLatency.totalTime(TimeUnit.SECONDS));
  }

  void current(long v) {
    version.set(v);
  }

  /**
   * A request's latency by endpoint, outcome and whether a student or the teacher served it. Not by
   * version: a histogram per version would add ~70 series at every swap, for ever; the version
   * serving now is the {@code distill_student_version} gauge.
   */
  void request(String endpoint, String outcome, long version, long nanos) {
    Timer.builder("distill.requests")
        .tag("endpoint", endpoint)
        .tag("outcome", outcome)
        .tag("served", version == 0 ? "teacher" : "student")
        .publishPercentileHistogram()
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * A release offered: {@code outcome} accepted or rejected, {@code reason} "ok" or the bounded
   * name of the check it failed (unsigned, bad-signature, unknown-key, malformed, foreign-model,
   * foreign-teacher, wrong-block, wrong-shape, no-units, too-large, non-finite, not-newer,
   * version-gap, golden-set).
   */
  void swap(String outcome, String reason) {
    Counter.builder("distill.student.swaps")
        .tag("outcome", outcome)
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  /** A worker thread's loop ended on an error; {@code worker}: batcher or student-follower. */
  void workerDied(String worker) {
    Counter.builder("distill.serving.worker.deaths")
        .tag("worker", worker)
        .register(registry)
        .increment();
  }

  /** A worker that died was started again (it was safe to: see Batcher, StudentFollower). */
  void workerRestarted(String worker) {
    Counter.builder("distill.serving.worker.restarts")
        .tag("worker", worker)
        .register(registry)
        .increment();
  }

  /** Deaths (or restarts, {@code restarts} true) of {@code worker} so far. */
  public double workerEvents(String worker, boolean restarts) {
    Counter c =
        registry
            .find(restarts ? "distill.serving.worker.restarts" : "distill.serving.worker.deaths")
            .tag("worker", worker)
            .counter();
    return c == null ? 0 : c.count();
  }

  /** Swaps with the given outcome so far. */
  public double swaps(String outcome) {
    return registry.find("distill.student.swaps").tag("outcome", outcome).counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  /** Rejected releases for {@code reason} so far. */
  public double rejections(String reason) {
    Counter c =
        registry
            .find("distill.student.swaps")
            .tag("outcome", "rejected")
            .tag("reason", reason)
            .counter();
    return c == null ? 0 : c.count();
  }

  /** Requests with the given outcome so far. */
  public long requests(String outcome) {
    return registry.find("distill.requests").tag("outcome", outcome).timers().stream()
        .mapToLong(Timer::count)
        .sum();
  }
}
