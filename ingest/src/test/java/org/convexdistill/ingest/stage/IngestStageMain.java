package org.convexdistill.ingest.stage;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.teacher.DjlTeacher;

/** The inference stage in a child JVM, so that a test can kill it like a crashed pod. */
public final class IngestStageMain {
  private IngestStageMain() {}

  public static void main(String[] args) throws Exception {
    DjlTeacher teacher = DjlTeacher.create(10, 11, 16);
    IngestStage.start(
        // A killed member's partitions move after 6 s (the broker's minimum), not the default 45 s:
        // the test kills it three times.
        new KafkaConnection(
            args[0],
            java.util.Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "1000")),
        new BlockInference(teacher, "test-teacher", 4),
        InferenceConfig.defaults(),
        new SimpleMeterRegistry(),
        args[1],
        1,
        100);
    System.out.println("started");
    Thread.sleep(Long.MAX_VALUE);
  }
}
