package org.convexdistill.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.convexdistill.core.teacher.Teacher;
import org.convexdistill.teacher.DjlTeacher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A batch worker that dies is restarted; one that keeps dying turns liveness false. */
class BatcherSupervisionTest {
  private static DjlTeacher teacher;

  @BeforeAll
  static void start() {
    teacher = DjlTeacher.create(10, 5, 16);
  }

  @AfterAll
  static void stop() {
    teacher.close();
  }

  @Test
  void aWorkerKilledByAnErrorAnswersItsBatchWithItAndIsRestarted() throws Exception {
    FaultyTeacher faulty = new FaultyTeacher(teacher, FaultyTeacher.Pass.PREFIX, 1);
    ServingMetrics metrics = new ServingMetrics();
    Batcher b = batcher(faulty, metrics);
    try {
      CompletableFuture<Batcher.Result> first = b.submit(new byte[784], 1);
      assertThatThrownBy(() -> first.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(OutOfMemoryError.class);
      Batcher.Result second = b.submit(new byte[784], 1).get(30, TimeUnit.SECONDS);
      assertThat(second.logits()).hasSize(10);
      assertThat(b.alive()).isTrue();
      assertThat(metrics.workerEvents("batcher", false)).isEqualTo(1);
      assertThat(metrics.workerEvents("batcher", true)).isEqualTo(1);
    } finally {
      b.close();
    }
  }

  @Test
  void aWorkerThatKeepsFailingStopsAndLivenessTurnsFalse() throws Exception {
    FaultyTeacher faulty = new FaultyTeacher(teacher, FaultyTeacher.Pass.PREFIX, Integer.MAX_VALUE);
    ServingMetrics metrics = new ServingMetrics();
    Batcher b = batcher(faulty, metrics);
    try {
      for (int i = 0; i <= RestartBudget.MAX_RESTARTS; i++) {
        assertThat(b.alive()).as("alive before failure %d", i + 1).isTrue();
        CompletableFuture<Batcher.Result> f = b.submit(new byte[784], 1);
        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
            .hasCauseInstanceOf(OutOfMemoryError.class);
      }
      long end = System.nanoTime() + 10_000_000_000L;
      while (b.alive() && System.nanoTime() < end) {
        Thread.sleep(10);
      }
      assertThat(b.alive())
          .as("stopped after %d failures", RestartBudget.MAX_RESTARTS + 1)
          .isFalse();
      assertThat(metrics.workerEvents("batcher", false)).isEqualTo(RestartBudget.MAX_RESTARTS + 1);
      assertThat(metrics.workerEvents("batcher", true)).isEqualTo(RestartBudget.MAX_RESTARTS);
    } finally {
      b.close();
    }
  }

  private static Batcher batcher(Teacher t, ServingMetrics metrics) {
    HybridRunner runner = new HybridRunner(t, 4);
    ModelRegistry registry =
        new ModelRegistry("m", runner.blockInputSize(), runner.blockOutputSize(), 3);
    return new Batcher(runner, registry, 4, Duration.ofMillis(1), 16, 1, metrics);
  }
}
