package org.convexdistill.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.convexdistill.broker.EmbeddedKafka;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.core.data.Preprocessing;
import org.convexdistill.core.teacher.Logits;
import org.convexdistill.ingest.device.DevicePublisher;
import org.convexdistill.ingest.device.SimulatedDevices;
import org.convexdistill.ingest.stage.BlockInference;
import org.convexdistill.ingest.stage.IngestStage;
import org.convexdistill.learner.stream.StreamingLearner;
import org.convexdistill.runtime.metrics.Metrics;
import org.convexdistill.serving.ServingNode;
import org.convexdistill.teacher.DjlTeacher;
import org.convexdistill.teacher.TeacherId;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Every role in one JVM on an embedded broker (or an external cluster): what {@code demo} runs to
 * its summary and {@code up} runs until stopped.
 */
abstract class EmbeddedRun {
  @Mixin StreamOptions.Kafka kafka;
  @Mixin StreamOptions.Ingest ingest;
  @Mixin StreamOptions.Learner learner;
  @Mixin StreamOptions.Serving serving;
  @Mixin TeacherOptions teacherOptions;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Fashion-MNIST folder (default: the Debian package's, else the bundled fixture).")
  Path data;

  @Option(
      names = "--rate",
      defaultValue = "50",
      description = "Images per second the simulated devices send (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--devices",
      defaultValue = "4",
      description = "Simulated devices (default: ${DEFAULT-VALUE}).")
  int devices;

  @Option(
      names = "--teacher-epochs",
      defaultValue = "2",
      description = "Epochs if a teacher must be trained first (default: ${DEFAULT-VALUE}).")
  int teacherEpochs;

  @Option(
      names = "--probe-clients",
      defaultValue = "2",
      description = "HTTP clients measuring serving latency meanwhile (default: ${DEFAULT-VALUE}).")
  int probeClients;

  /** The HTTP port option of the concrete command. */
  abstract int httpPort();

  /** The embedded broker's port option of the concrete command. */
  abstract int kafkaPort();

  /** Services started by {@link #start}. */
  record Services(
      EmbeddedKafka broker,
      String bootstrap,
      DjlTeacher ingestTeacher,
      DjlTeacher servingTeacher,
      IngestStage ingest,
      StreamingLearner learner,
      ServingNode serving,
      PrometheusMeterRegistry registry,
      List<StreamingLearner.Event> events,
      Map<Long, Long> liveAtMillis)
      implements AutoCloseable {
    @Override
    public void close() {
      serving.close();
      learner.close();
      ingest.close();
      servingTeacher.close();
      ingestTeacher.close();
      if (broker != null) {
        broker.close();
      }
    }
  }

  /** Data: (stream images, evaluation images with labels). */
  record Split(
      Images stream, LabeledImages eval, LabeledImages train, LabeledImages test, Path dir) {}

  Split loadData(PrintStream out, int evalCount) throws Exception {
    Path dir = OfflineDemoCommand.dataDir(out, data);
    LabeledImages train = FashionMnist.load(dir, FashionMnist.Split.TRAIN);
    LabeledImages test = FashionMnist.load(dir, FashionMnist.Split.TEST);
    // The devices publish the first part of the test set (their labels stay here); the held-out
    // rest is only for the evaluation at the end.
    int eval = Math.min(evalCount, test.count() / 2);
    int stream = test.count() - eval;
    Images streamImages = test.images().slice(0, stream);
    int[] idx = new int[eval];
    for (int i = 0; i < eval; i++) {
      idx[i] = stream + i;
    }
    return new Split(streamImages, test.select(idx), train, test, dir);
  }

  @Option(
      names = "--torch-threads",
      defaultValue = "1",
      description =
          "PyTorch intra-op threads per teacher; with every role in one JVM on 2 cores, 1 keeps"
              + " PyTorch and the solver's BLAS from fighting (default: ${DEFAULT-VALUE}).")
  int torchThreads;

  Services start(PrintStream out, Split split) throws Exception {
    // Must be set before the PyTorch engine loads (the first teacher below).
    System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(torchThreads));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    if (rate < 0 || devices < 1 || probeClients < 0 || teacherEpochs < 1) {
      throw new UserException(
          "--rate >= 0, --devices >= 1, --probe-clients >= 0, --teacher-epochs >= 1");
    }
    var ingestConfig = ingest.config();
    var learnerConfig = learner.config(kafka.modelId);
    var servingConfig = serving.config(httpPort());
    DjlTeacher ingestTeacher =
        OfflineDemoCommand.ensureTeacher(
            out, teacherOptions, teacherEpochs, split.train(), split.test(), split.dir());
    DjlTeacher servingTeacher = teacherOptions.load();
    String teacherId = TeacherId.of(teacherOptions.model);
    EmbeddedKafka broker = null;
    String bootstrap = kafka.bootstrapServers;
    if (bootstrap == null || bootstrap.isBlank()) {
      broker = EmbeddedKafka.start(kafkaPort(), null);
      bootstrap = broker.bootstrapServers();
    }
    Roles.ensureTopics(bootstrap, kafka.partitions);
    PrometheusMeterRegistry registry = Metrics.newRegistry();
    Path state = Files.createTempDirectory("distill-ingest-");
    state.toFile().deleteOnExit();
    IngestStage stage =
        IngestStage.start(
            bootstrap,
            new BlockInference(ingestTeacher, teacherId, kafka.block),
            ingestConfig,
            registry,
            state.toString(),
            ingest.streamThreads);
    List<StreamingLearner.Event> events = new CopyOnWriteArrayList<>();
    StreamingLearner l = new StreamingLearner(bootstrap, learnerConfig, registry);
    l.addListener(events::add);
    l.start();
    ServingNode node =
        ServingNode.start(
            bootstrap, servingTeacher, kafka.block, kafka.modelId, servingConfig, registry);
    Map<Long, Long> live = new ConcurrentHashMap<>();
    node.registry().onSwap(m -> live.putIfAbsent(m.version(), System.currentTimeMillis()));
    return new Services(
        broker, bootstrap, ingestTeacher, servingTeacher, stage, l, node, registry, events, live);
  }

  /** Starts the simulated devices on a thread. */
  static Thread devices(
      Services s,
      Images images,
      int devices,
      double rate,
      boolean loop,
      AtomicBoolean stop,
      SimulatedDevices[] handle) {
    DevicePublisher p = DevicePublisher.builder().setBootstrapServers(s.bootstrap()).build();
    SimulatedDevices d = new SimulatedDevices(p, devices, rate, true);
    handle[0] = d;
    Thread t =
        new Thread(
            () -> {
              try (p) {
                do {
                  d.publish(images, 0, images.count(), stop);
                } while (loop && !stop.get());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "devices");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Teacher predictions of the evaluation images (the reference the hybrid is compared with). */
  static int[] teacherPredictions(DjlTeacher teacher, Images images) {
    int n = images.count();
    int[] out = new int[n];
    int chunk = 256;
    float[] x = new float[chunk * Preprocessing.SIDE * Preprocessing.SIDE];
    for (int from = 0; from < n; from += chunk) {
      int b = Math.min(chunk, n - from);
      Preprocessing.toTensor(images, from, b, x);
      float[] logits = teacher.logits(x, b);
      for (int i = 0; i < b; i++) {
        out[from + i] = Logits.argmax(logits, i, teacher.numClasses());
      }
    }
    return out;
  }
}
