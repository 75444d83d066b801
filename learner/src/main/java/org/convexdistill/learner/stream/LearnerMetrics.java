package org.convexdistill.learner.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Meters of the learner, bound once to one registry (tags bounded: refit outcome, warm/cold start).
 * The learner thread updates them through the typed methods; gauges read their state.
 */
public final class LearnerMetrics implements MeterBinder {
  private final AtomicLong windowSize = new AtomicLong();
  private final AtomicLong windowCapacity = new AtomicLong(1);
  private final AtomicLong version = new AtomicLong();
  private final AtomicLong parameters = new AtomicLong();
  private final AtomicReference<Double> lastGap = new AtomicReference<>(Double.NaN);
  private final AtomicReference<Double> candidateAgreement = new AtomicReference<>(Double.NaN);
  private final AtomicReference<Double> publishedAgreement = new AtomicReference<>(Double.NaN);
  private final AtomicLong consecutiveRejections = new AtomicLong();
  private final AtomicLong lastPublishedSeconds = new AtomicLong();
  private final AtomicReference<Double> dataAgeSeconds = new AtomicReference<>(Double.NaN);
  private final Map<RefitOutcome, Counter> refits = new EnumMap<>(RefitOutcome.class);
  private Counter records;
  private MeterRegistry registry;
  private DistributionSummary warmSeconds;
  private DistributionSummary coldSeconds;
  private DistributionSummary warmIterations;
  private DistributionSummary coldIterations;

  @Override
  public void bindTo(MeterRegistry r) {
    if (records != null) {
      throw new IllegalStateException("learner metrics are bound once");
    }
    records =
        Counter.builder("distill.learner.records").description("activation rows read").register(r);
    registry = r;
    for (RefitOutcome o : RefitOutcome.values()) {
      refits.put(
          o,
          Counter.builder("distill.learner.refits")
              .tag("outcome", o.tag())
              .description("refits by what became of them")
              .register(r));
    }
    warmSeconds = seconds(r, "warm");
    coldSeconds = seconds(r, "cold");
    warmIterations = iterations(r, "warm");
    coldIterations = iterations(r, "cold");
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
    Gauge.builder("distill.learner.agreement", candidateAgreement, AtomicReference::get)
        .description("top-1 agreement with the teacher of the last candidate (held-out rows)")
        .tag("student", "candidate")
        .register(r);
    Gauge.builder("distill.learner.agreement", publishedAgreement, AtomicReference::get)
        .description("top-1 agreement with the teacher of the last candidate (held-out rows)")
        .tag("student", "published")
        .register(r);
    Gauge.builder("distill.learner.rejections.consecutive", consecutiveRejections, AtomicLong::get)
        .description("candidates rejected since the last published one (alerting)")
        .register(r);
    Gauge.builder("distill.learner.data.age", dataAgeSeconds, AtomicReference::get)
        .description(
            "seconds from the newest image in the last published version's window to its"
                + " publication (NaN = none yet)")
        .baseUnit("seconds")
        .register(r);
    Gauge.builder("distill.learner.last.published", lastPublishedSeconds, AtomicLong::get)
        .description("unix time of the last published version, 0 = none yet (alerting)")
        .baseUnit("seconds")
        .register(r);
  }

  private static DistributionSummary seconds(MeterRegistry r, String start) {
    return DistributionSummary.builder("distill.solver.seconds")
        .tag("start", start)
        .baseUnit("seconds")
        .register(r);
  }

  private static DistributionSummary iterations(MeterRegistry r, String start) {
    return DistributionSummary.builder("distill.solver.iterations").tag("start", start).register(r);
  }

  void record() {
    records.increment();
  }

  /** A dead-lettered row; {@code category} is one of the learner's few reason constants. */
  void deadLetter(String category) {
    Counter.builder("distill.dead.letter")
        .tag("stage", "learner")
        .tag("reason", category)
        .description("records sent to the dead-letter topic")
        .register(registry)
        .increment();
  }

  void windowCapacity(int rows) {
    windowCapacity.set(Math.max(1, rows));
  }

  void windowSize(int rows) {
    windowSize.set(rows);
  }

  /** The version now published (after a refit, or the one a restart resumes from). */
  void published(long v, long params) {
    version.set(v);
    parameters.set(params);
  }

  /** How old the newest data behind the version just published was when it went out. */
  void dataAge(double seconds) {
    dataAgeSeconds.set(seconds);
  }

  long version() {
    return version.get();
  }

  void refit(RefitOutcome outcome, Refit r) {
    refits.get(outcome).increment();
    if (outcome == RefitOutcome.PUBLISHED) {
      consecutiveRejections.set(0);
      lastPublishedSeconds.set(System.currentTimeMillis() / 1000);
    } else {
      consecutiveRejections.incrementAndGet();
    }
    if (r == null) {
      return;
    }
    (r.warm() ? warmSeconds : coldSeconds).record(r.solverSeconds());
    (r.warm() ? warmIterations : coldIterations).record(r.iterations());
    lastGap.set(r.loosestRelativeGap());
    candidateAgreement.set(r.candidateAgreement());
    if (outcome == RefitOutcome.PUBLISHED) {
      publishedAgreement.set(r.candidateAgreement());
    }
  }
}
