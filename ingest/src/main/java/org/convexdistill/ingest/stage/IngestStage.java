package org.convexdistill.ingest.stage;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The inference stage as a running Kafka Streams application (exactly-once v2). */
public final class IngestStage implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IngestStage.class);

  /** The Streams application id (consumer group and internal topic prefix). */
  public static final String APPLICATION_ID = "distill-ingest";

  private volatile boolean closing;

  private final KafkaStreams streams;
  private final KafkaStreamsMetrics kafkaMetrics;
  private final TeacherWorker worker;

  private IngestStage(
      KafkaStreams streams, KafkaStreamsMetrics kafkaMetrics, TeacherWorker worker) {
    this.streams = streams;
    this.kafkaMetrics = kafkaMetrics;
    this.worker = worker;
  }

  /**
   * Starts the stage.
   *
   * @param stateDir where Streams keeps its local state (the buffer is also changelogged)
   * @param threads stream threads (one partition's batches run on one thread)
   */
  public static IngestStage start(
      KafkaConnection kafka,
      BlockInference teacher,
      InferenceConfig config,
      MeterRegistry registry,
      String stateDir,
      int threads) {
    return start(kafka, teacher, config, registry, stateDir, threads, 1000);
  }

  /** Starts the stage with a given commit interval (exactly-once: one transaction per commit). */
  public static IngestStage start(
      KafkaConnection kafka,
      BlockInference teacher,
      InferenceConfig config,
      MeterRegistry registry,
      String stateDir,
      int threads,
      long commitIntervalMs) {
    IngestMetrics metrics = new IngestMetrics();
    metrics.bindTo(registry);
    Properties p = kafka.clientProperties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
    // Each commit is a transaction (markers, offsets, flush): every 100 ms (the EOS default) cost
    // a quarter of the throughput here; activations feed a learner with a window of ~1,000
    // rows, for which 1 s more latency is nothing.
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
    // A teacher batch can take a while on a loaded CPU; do not let the group evict us for it.
    p.put(StreamsConfig.consumerPrefix("max.poll.interval.ms"), 600_000);
    p.put(StreamsConfig.producerPrefix("max.request.size"), 8 << 20);
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterOnFailure.class);
    p.put(DeadLetterOnFailure.METRICS_CONFIG, metrics);
    TeacherWorker worker = TeacherWorker.ownThread();
    KafkaStreams streams =
        new KafkaStreams(
            InferenceTopology.buildTopology(new StreamsBuilder(), teacher, worker, config, metrics),
            p);
    // A stream thread that dies anyway (an error outside processing) is replaced, counted and
    // logged; the stage keeps its partitions instead of going to ERROR.
    streams.setUncaughtExceptionHandler(
        e -> {
          LOG.error("stream thread died; replacing it", e);
          metrics.threadReplaced();
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    KafkaStreamsMetrics km = new KafkaStreamsMetrics(streams);
    km.bindTo(registry);
    streams.start();
    return new IngestStage(streams, km, worker);
  }

  /**
   * False once the Streams client failed (every stream thread died, or it shut down on an error):
   * no activation would be produced again, so the process should be restarted.
   */
  public boolean alive() {
    KafkaStreams.State st = streams.state();
    return closing
        || (st != KafkaStreams.State.ERROR
            && st != KafkaStreams.State.PENDING_ERROR
            && st != KafkaStreams.State.NOT_RUNNING
            && st != KafkaStreams.State.PENDING_SHUTDOWN);
  }

  /** True while the Streams client is running (not while it starts or rebalances). */
  public boolean ready() {
    return streams.state() == KafkaStreams.State.RUNNING;
  }

  @Override
  public void close() {
    closing = true;
    streams.close(Duration.ofSeconds(30));
    worker.close(); // after the processors, which wait for their running batch on close
    kafkaMetrics.close();
  }
}
