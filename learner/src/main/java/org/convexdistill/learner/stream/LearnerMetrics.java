package org.convexdistill.learner.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Meters of the learner. Gauges read the fields below, which the learner thread updates. */
public final class LearnerMetrics implements MeterBinder {
  final AtomicLong windowSize = new AtomicLong();
  final AtomicLong windowCapacity = new AtomicLong(1);
  final AtomicLong version = new AtomicLong();
  final AtomicLong parameters = new AtomicLong();
  final AtomicReference<Double> lastGap = new AtomicReference<>(Double.NaN);
  private MeterRegistry registry;
  private Counter records;
  private Counter deadLettered;

  /** Counts into a private registry until {@link #bindTo} is called. */
  public LearnerMetrics() {
    bindTo(new SimpleMeterRegistry());
  }

  @Override
  public void bindTo(MeterRegistry r) {
    registry = r;
    records =
        Counter.builder("distill.learner.records").description("activation rows read").register(r);
    deadLettered =
        Counter.builder("distill.dead.letter")
            .tag("stage", "learner")
            .description("records sent to the dead-letter topic")
            .register(r);
    Gauge.builder(
            "distill.learner.window.fill",
            this,
            m -> (double) m.windowSize.get() / m.windowCapacity.get())
        .description("window rows / capacity")
        .register(r);
    Gauge.builder("distill.learner.window.size", windowSize, AtomicLong::get).register(r);
    Gauge.builder("distill.learner.version", version, AtomicLong::get)
        .description("last published student version")
        .register(r);
    Gauge.builder("distill.student.parameters", parameters, AtomicLong::get)
        .description("parameters of the last published student")
        .register(r);
    Gauge.builder("distill.solver.relative.gap", lastGap, AtomicReference::get)
        .description("relative duality gap of the last refit")
        .register(r);
  }

  void record() {
    records.increment();
  }

  void deadLetter() {
    deadLettered.increment();
  }

  void refit(RefitOutcome outcome, Refit r) {
    Counter.builder("distill.learner.refits")
        .tag("outcome", outcome.tag())
        .register(registry)
        .increment();
    if (r == null) {
      return;
    }
    String start = r.warm() ? "warm" : "cold";
    DistributionSummary.builder("distill.solver.seconds")
        .tag("start", start)
        .baseUnit("seconds")
        .register(registry)
        .record(r.solverSeconds());
    DistributionSummary.builder("distill.solver.iterations")
        .tag("start", start)
        .register(registry)
        .record(r.iterations());
    lastGap.set(r.published().relativeGap());
  }
}
