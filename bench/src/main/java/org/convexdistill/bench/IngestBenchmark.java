package org.convexdistill.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.convexdistill.app.DataLocation;
import org.convexdistill.app.LocalStack;
import org.convexdistill.app.TeacherProvider;
import org.convexdistill.app.TopicSetup;
import org.convexdistill.broker.EmbeddedKafka;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.Images;
import org.convexdistill.ingest.device.DevicePublisher;
import org.convexdistill.ingest.device.SimulatedDevices;
import org.convexdistill.ingest.stage.BlockInference;
import org.convexdistill.ingest.stage.InferenceConfig;
import org.convexdistill.ingest.stage.IngestStage;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.runtime.topics.Topics;
import org.convexdistill.teacher.DjlTeacher;
import org.convexdistill.teacher.TeacherId;

/**
 * Throughput of the Kafka Streams inference stage against the raw batched teacher on the same
 * batches, in one process on an embedded broker.
 */
public final class IngestBenchmark {
  /** The benchmark's settings (the {@code distill bench} flags). */
  public record Settings(
      Path teacherDir,
      int count,
      int batch,
      int block,
      Path data,
      int partitions,
      int streamThreads,
      int torchThreads) {}

  private final Path teacherDir;
  private final int count;
  private final int batch;
  private final int block;
  private final Path data;
  private final int partitions;
  private final int streamThreads;
  private final int torchThreads;

  private IngestBenchmark(Settings s) {
    this.teacherDir = s.teacherDir();
    this.count = s.count();
    this.batch = s.batch();
    this.block = s.block();
    this.data = s.data();
    this.partitions = s.partitions();
    this.streamThreads = s.streamThreads();
    this.torchThreads = s.torchThreads();
  }

  /** Runs the benchmark, printing its table on {@code out}. */
  public static void run(Settings s, PrintStream out) throws Exception {
    new IngestBenchmark(s).run(out);
  }

  private void run(PrintStream out) throws Exception {
    Path dir = DataLocation.resolve(data, out);
    Images all = FashionMnist.load(dir, FashionMnist.Split.TEST).images();
    // More images than the test set holds cycle through it: a long run lets the JIT finish with
    // the Kafka path before the second half, which is the figure that compares.
    int[] order = new int[count];
    for (int i = 0; i < count; i++) {
      order[i] = i % all.count();
    }
    Images images = all.select(order);
    int n = images.count();
    if (torchThreads > 0) {
      // Raw and stage alike: the comparison is at the same PyTorch threads.
      LocalStack.configureTorchThreads(torchThreads);
    }
    try (DjlTeacher teacher =
            DjlTeacher.load(teacherDir, FashionMnist.CLASSES.length, TeacherProvider.BATCH);
        EmbeddedKafka kafka = EmbeddedKafka.start()) {
      BlockInference inference = new BlockInference(teacher, TeacherId.of(teacherDir), block);
      // Raw: the same prefix + block calls on the same batches, no Kafka, no decoding.
      inference.run(images.slice(0, batch).pixels(), batch); // warm-up
      long t0 = System.nanoTime();
      for (int from = 0; from < n; from += batch) {
        int b = Math.min(batch, n - from);
        inference.run(images.slice(from, b).pixels(), b);
      }
      double raw = n / ((System.nanoTime() - t0) / 1e9);

      TopicSetup.ensure(kafka.bootstrapServers(), partitions);
      try (DevicePublisher p =
          DevicePublisher.builder().setBootstrapServers(kafka.bootstrapServers()).build()) {
        new SimulatedDevices(p, 4, 0, true).publish(images, 0, n, new AtomicBoolean());
      }
      Path state = Files.createTempDirectory("distill-bench-ingest-");
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      long s0 = System.nanoTime();
      double firstAt;
      double stageSeconds;
      double secondHalf;
      try (IngestStage stage =
              IngestStage.start(
                  KafkaConnection.of(kafka.bootstrapServers()),
                  inference,
                  new InferenceConfig(
                      batch, Duration.ofMillis(200), InferenceConfig.defaults().precision()),
                  meters,
                  state.toString(),
                  streamThreads);
          KafkaConsumer<String, byte[]> c =
              new KafkaConsumer<>(
                  Map.of(
                      "bootstrap.servers",
                      kafka.bootstrapServers(),
                      "isolation.level",
                      "read_committed"),
                  new StringDeserializer(),
                  new ByteArrayDeserializer())) {
        List<TopicPartition> tps = new java.util.ArrayList<>();
        for (int i = 0; i < partitions; i++) {
          tps.add(new TopicPartition(Topics.ACTIVATIONS, i));
        }
        c.assign(tps);
        c.seekToBeginning(tps);
        int seen = 0;
        long first = 0;
        long half = 0;
        long end = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (seen < n && System.nanoTime() < end) {
          int got = c.poll(Duration.ofMillis(100)).count();
          if (got > 0 && first == 0) {
            first = System.nanoTime();
          }
          seen += got;
          if (half == 0 && seen >= n / 2) {
            half = System.nanoTime();
          }
        }
        long last = System.nanoTime();
        if (seen < n) {
          throw new IllegalStateException("only " + seen + " of " + n + " activations arrived");
        }
        firstAt = (first - s0) / 1e9;
        stageSeconds = (last - first) / 1e9;
        secondHalf = (n - n / 2) / ((last - half) / 1e9);
      }
      // Steady state: from the first committed activation to the last (start-up excluded).
      double stage = (n - batch) / stageSeconds;
      out.printf(
          "images %d, batch %d, block %d, %d partitions, %d stream threads, %s PyTorch threads,"
              + " teacher convolutions: %s%n",
          n,
          batch,
          block,
          partitions,
          streamThreads,
          torchThreads > 0 ? String.valueOf(torchThreads) : "default",
          DjlTeacher.javaKernel() ? "Java" : "PyTorch");
      out.printf("raw teacher (prefix + block):     %8.1f images/s%n", raw);
      out.printf(
          "inference stage, whole run:       %8.1f images/s, ratio %.3f (first output after %.1f"
              + " s; the JIT still compiles the Kafka path)%n",
          stage, stage / raw, firstAt);
      out.printf(
          "inference stage, second half:     %8.1f images/s, ratio %.3f (warm: the figure that"
              + " compares)%n",
          secondHalf, secondHalf / raw);
      io.micrometer.core.instrument.Timer teacherTime =
          meters.find("distill.teacher.latency").timer();
      if (teacherTime != null && teacherTime.count() > 0) {
        double inStage = teacherTime.totalTime(java.util.concurrent.TimeUnit.SECONDS);
        out.printf(
            "teacher time inside the stage: %.1f images/s (%.0f%% of the stage's wall time)%n",
            n / inStage, 100 * inStage / (stageSeconds + firstAt));
      }
    }
  }
}
