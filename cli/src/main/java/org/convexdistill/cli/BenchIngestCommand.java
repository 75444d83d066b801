package org.convexdistill.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.convexdistill.broker.EmbeddedKafka;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.Images;
import org.convexdistill.ingest.device.DevicePublisher;
import org.convexdistill.ingest.device.SimulatedDevices;
import org.convexdistill.ingest.stage.BlockInference;
import org.convexdistill.ingest.stage.InferenceConfig;
import org.convexdistill.ingest.stage.IngestStage;
import org.convexdistill.runtime.topics.Topics;
import org.convexdistill.teacher.DjlTeacher;
import org.convexdistill.teacher.TeacherId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code distill bench ingest}: the inference stage's throughput over the raw teacher's at the same
 * batch size, in one process. The images are published first (PNG), so the stage runs flat out; its
 * time counts from start-up of the Streams application to the last activation committed.
 */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description = "Inference-stage images/s ÷ raw batched teacher images/s (same batch size).")
final class BenchIngestCommand implements Callable<Integer> {
  @Mixin TeacherOptions teacherOptions;

  @Option(
      names = "--images",
      defaultValue = "3000",
      description = "Images (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(
      names = "--batch-size",
      defaultValue = "32",
      description = "Batch (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--block", defaultValue = "4", description = "Block (default: ${DEFAULT-VALUE}).")
  int block;

  @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST folder.")
  Path data;

  @Option(
      names = "--partitions",
      defaultValue = "1",
      description = "Partitions of images/activations (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--stream-threads",
      defaultValue = "1",
      description =
          "Stream threads: with 2 partitions and 2 threads one thread decodes and produces while"
              + " the other runs the teacher (default: ${DEFAULT-VALUE}).")
  int streamThreads;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    Path dir = OfflineDemoCommand.dataDir(out, data);
    Images all = FashionMnist.load(dir, FashionMnist.Split.TEST).images();
    Images images = all.slice(0, Math.min(count, all.count()));
    int n = images.count();
    try (DjlTeacher teacher = teacherOptions.load();
        EmbeddedKafka kafka = EmbeddedKafka.start()) {
      BlockInference inference =
          new BlockInference(teacher, TeacherId.of(teacherOptions.model), block);
      // Raw: the same prefix + block calls on the same batches, no Kafka, no decoding.
      inference.run(images.slice(0, batch).pixels(), batch); // warm-up
      long t0 = System.nanoTime();
      for (int from = 0; from < n; from += batch) {
        int b = Math.min(batch, n - from);
        inference.run(images.slice(from, b).pixels(), b);
      }
      double raw = n / ((System.nanoTime() - t0) / 1e9);

      Roles.ensureTopics(kafka.bootstrapServers(), partitions);
      try (DevicePublisher p =
          DevicePublisher.builder().setBootstrapServers(kafka.bootstrapServers()).build()) {
        new SimulatedDevices(p, 4, 0, true).publish(images, 0, n, new AtomicBoolean());
      }
      Path state = Files.createTempDirectory("distill-bench-ingest-");
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      long s0 = System.nanoTime();
      double firstAt;
      double stageSeconds;
      try (IngestStage stage =
              IngestStage.start(
                  kafka.bootstrapServers(),
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
        long end = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (seen < n && System.nanoTime() < end) {
          int got = c.poll(Duration.ofMillis(100)).count();
          if (got > 0 && first == 0) {
            first = System.nanoTime();
          }
          seen += got;
        }
        long last = System.nanoTime();
        if (seen < n) {
          throw new IllegalStateException("only " + seen + " of " + n + " activations arrived");
        }
        firstAt = (first - s0) / 1e9;
        stageSeconds = (last - first) / 1e9;
      }
      // Steady state: from the first committed activation to the last (start-up excluded).
      double stage = (n - batch) / stageSeconds;
      out.printf(
          "images %d, batch %d, block %d, %d partitions, %d stream threads%n",
          n, batch, block, partitions, streamThreads);
      out.printf("raw teacher (prefix + block):   %8.1f images/s%n", raw);
      out.printf(
          "inference stage (steady state): %8.1f images/s (first output after %.1f s)%n",
          stage, firstAt);
      out.printf("ratio: %.3f%n", stage / raw);
      io.micrometer.core.instrument.Timer teacherTime =
          meters.find("distill.teacher.latency").timer();
      if (teacherTime != null && teacherTime.count() > 0) {
        double inStage = teacherTime.totalTime(java.util.concurrent.TimeUnit.SECONDS);
        out.printf(
            "teacher time inside the stage: %.1f images/s (%.0f%% of the stage's wall time)%n",
            n / inStage, 100 * inStage / (stageSeconds + firstAt));
      }
    }
    return 0;
  }
}
