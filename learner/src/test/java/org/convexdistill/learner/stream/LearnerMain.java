package org.convexdistill.learner.stream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.convexdistill.runtime.kafka.KafkaConnection;

/** The learner in a child JVM, so that a test can kill it (SIGKILL) in the middle of a refit. */
public final class LearnerMain {
  private LearnerMain() {}

  public static void main(String[] args) throws Exception {
    int window = Integer.parseInt(args[1]);
    LearnerConfig config =
        LearnerConfig.builder()
            .setModelId("fault-model")
            .setWindowSize(window)
            .setRefitEvery(window / 5)
            .setRefitInterval(Duration.ofHours(1))
            .setGates(8)
            .setMaxParams(40L * 65)
            // Slow refits on purpose: a kill lands inside one more often than between two.
            .setGapTolerance(1e-7)
            .setMaxIterations(3000)
            .setMaxRelativeGap(10)
            .setMseTolerance(1e9)
            .setMinAgreement(0)
            .setGateRows(8)
            .setMinGateRows(1)
            .build();
    StreamingLearner l =
        new StreamingLearner(KafkaConnection.of(args[0]), config, new SimpleMeterRegistry());
    l.addListener(e -> System.out.println("refit " + e.outcome() + " " + e.version()));
    l.start();
    System.out.println("started");
    Thread.sleep(Long.MAX_VALUE);
  }
}
