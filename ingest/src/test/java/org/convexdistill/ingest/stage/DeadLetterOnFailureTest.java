package org.convexdistill.ingest.stage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.convexdistill.runtime.topics.DeadLetters;
import org.convexdistill.runtime.topics.Topics;
import org.junit.jupiter.api.Test;

class DeadLetterOnFailureTest {
  @Test
  void anyProcessingErrorSendsTheSourceRecordToTheDeadLetterTopicAndResumes() {
    IngestMetrics metrics = new IngestMetrics();
    DeadLetterOnFailure h = new DeadLetterOnFailure();
    h.configure(Map.of(DeadLetterOnFailure.METRICS_CONFIG, metrics));
    byte[] key = "dev-1".getBytes(StandardCharsets.UTF_8);
    byte[] value = {1, 2, 3};
    ErrorHandlerContext ctx =
        new ErrorHandlerContext() {
          public String topic() {
            return Topics.IMAGES;
          }

          public int partition() {
            return 1;
          }

          public long offset() {
            return 42;
          }

          public Headers headers() {
            return new RecordHeaders();
          }

          public String processorNodeId() {
            return "teacher";
          }

          public TaskId taskId() {
            return new TaskId(0, 1);
          }

          public long timestamp() {
            return 0;
          }

          public byte[] sourceRawKey() {
            return key;
          }

          public byte[] sourceRawValue() {
            return value;
          }
        };
    ProcessingExceptionHandler.Response r =
        h.handleError(ctx, new Record<>("dev-1", value, 0L), new IllegalStateException("boom"));
    assertThat(r.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
    assertThat(r.deadLetterQueueRecords()).hasSize(1);
    ProducerRecord<byte[], byte[]> dead = r.deadLetterQueueRecords().get(0);
    assertThat(dead.topic()).isEqualTo(Topics.DEAD_LETTER);
    assertThat(dead.key()).isEqualTo(key);
    assertThat(dead.value()).isEqualTo(value);
    assertThat(DeadLetters.text(dead.headers(), DeadLetters.REASON)).contains("boom");
    assertThat(DeadLetters.text(dead.headers(), DeadLetters.STAGE)).isEqualTo("ingest");
  }
}
