package org.convexdistill.ingest.stage;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.convexdistill.runtime.topics.DeadLetters;
import org.convexdistill.runtime.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Any exception while the stage processes a record (KIP-1033), not only a malformed image: the
 * record goes to the dead-letter topic with the reason, in the same transaction, and the stage goes
 * on. Without it the Streams client shuts down, and on restart replays the same record into the
 * same failure (a crash loop).
 */
public final class DeadLetterOnFailure implements ProcessingExceptionHandler {
  /** Streams config key under which {@link IngestStage} hands over the stage's metrics. */
  static final String METRICS_CONFIG = "distill.ingest.metrics";

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterOnFailure.class);

  private IngestMetrics metrics;

  @Override
  public void configure(Map<String, ?> configs) {
    Object m = configs.get(METRICS_CONFIG);
    metrics = m instanceof IngestMetrics im ? im : new IngestMetrics();
  }

  @Override
  public Response handleError(ErrorHandlerContext ctx, Record<?, ?> record, Exception e) {
    String reason = "processing failed: " + e;
    LOG.warn(
        "dead-lettering {}-{}@{} ({}): {}",
        ctx.topic(),
        ctx.partition(),
        ctx.offset(),
        ctx.processorNodeId(),
        e.toString(),
        e);
    metrics.processingFailed();
    ProducerRecord<byte[], byte[]> dead =
        new ProducerRecord<>(
            Topics.DEAD_LETTER,
            null,
            ctx.sourceRawKey(),
            ctx.sourceRawValue(),
            DeadLetters.headers(
                ctx.headers(),
                InferenceProcessor.STAGE,
                reason,
                ctx.topic(),
                ctx.partition(),
                ctx.offset()));
    return Response.resume(List.of(dead));
  }
}
