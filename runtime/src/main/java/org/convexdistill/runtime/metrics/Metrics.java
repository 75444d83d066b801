package org.convexdistill.runtime.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The process-wide Prometheus registry, with JVM and process meters bound. */
public final class Metrics {
  private Metrics() {}

  /** A new registry with the JVM binders (memory, GC, threads, class loading, CPU, uptime). */
  @SuppressWarnings("resource") // JvmGcMetrics lives as long as the process
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(r);
    new JvmGcMetrics().bindTo(r);
    new JvmThreadMetrics().bindTo(r);
    new ClassLoaderMetrics().bindTo(r);
    new ProcessorMetrics().bindTo(r);
    new UptimeMetrics().bindTo(r);
    buildInfo(r);
    return r;
  }

  /** The version this build reports: the jar manifest's, or "dev" when run from classes. */
  public static String version() {
    String v = Metrics.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /**
   * {@code distill_build_info{version, java} 1}: one series per process, so a dashboard can show
   * which build each instance runs and a rollout's progress.
   */
  static void buildInfo(MeterRegistry r) {
    Gauge.builder("distill.build.info", () -> 1)
        .description("the build this process runs (value always 1)")
        .tag("version", version())
        .tag("java", System.getProperty("java.version"))
        .register(r);
  }
}
