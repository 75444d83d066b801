package org.convexdistill.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
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
import org.convexdistill.core.data.Preprocessing;
import org.convexdistill.core.release.ReleaseKeys;
import org.convexdistill.core.release.ReleaseSigner;
import org.convexdistill.core.release.ReleaseVerifier;
import org.convexdistill.core.teacher.Logits;
import org.convexdistill.ingest.device.DevicePublisher;
import org.convexdistill.ingest.device.SimulatedDevices;
import org.convexdistill.ingest.stage.BlockInference;
import org.convexdistill.ingest.stage.InferenceConfig;
import org.convexdistill.ingest.stage.IngestStage;
import org.convexdistill.learner.stream.LearnerConfig;
import org.convexdistill.learner.stream.StreamingLearner;
import org.convexdistill.learner.stream.TeacherSuffix;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.runtime.metrics.Metrics;
import org.convexdistill.runtime.topics.TopicSettings;
import org.convexdistill.serving.ReleasePolicy;
import org.convexdistill.serving.ServingConfig;
import org.convexdistill.serving.ServingNode;
import org.convexdistill.teacher.DjlTeacher;
import org.convexdistill.teacher.TeacherId;

/**
 * Every role in one JVM on an embedded broker (or an external cluster): the inference stage, the
 * learner and the serving node, sharing one metrics registry. What {@code demo} runs to its summary
 * and {@code up} runs until stopped.
 */
public record LocalStack(
    EmbeddedKafka broker,
    KafkaConnection kafka,
    DjlTeacher ingestTeacher,
    DjlTeacher servingTeacher,
    DjlTeacher learnerTeacher,
    IngestStage ingest,
    StreamingLearner learner,
    ServingNode serving,
    PrometheusMeterRegistry registry,
    List<StreamingLearner.Event> events,
    Map<Long, Long> liveAtMillis)
    implements AutoCloseable {

  /**
   * What the stack needs.
   *
   * @param kafka an external cluster and its client settings, or null for the embedded broker
   * @param topics how topics are created when missing
   * @param kafkaPort the embedded broker's port on 127.0.0.1 (0 = any free one)
   * @param streamThreads Kafka Streams threads of the inference stage
   */
  public record Settings(
      KafkaConnection kafka,
      TopicSettings topics,
      int kafkaPort,
      int block,
      String modelId,
      Path teacherDir,
      int streamThreads,
      InferenceConfig ingest,
      LearnerConfig learner,
      ServingConfig serving) {}

  /**
   * PyTorch's thread pools; must be called before the PyTorch engine loads (the first teacher).
   * With every role in one JVM on 2 cores, 1 intra-op thread keeps PyTorch and the solver's BLAS
   * from fighting.
   */
  public static void configureTorchThreads(int intraOp) {
    System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(intraOp));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
  }

  /**
   * Starts the broker (unless external), the topics, and every role. {@code ingestTeacher} is the
   * loaded teacher of {@code s.teacherDir()}; serving loads its own copy (its own native handles).
   */
  public static LocalStack start(Settings s, DjlTeacher ingestTeacher) throws IOException {
    DjlTeacher servingTeacher =
        DjlTeacher.load(s.teacherDir(), FashionMnist.CLASSES.length, TeacherProvider.BATCH);
    String teacherId = TeacherId.of(s.teacherDir());
    EmbeddedKafka broker = null;
    KafkaConnection kafka = s.kafka();
    if (kafka == null) {
      broker = EmbeddedKafka.start(s.kafkaPort(), null);
      kafka = KafkaConnection.of(broker.bootstrapServers());
    }
    TopicSetup.ensure(kafka, s.topics());
    PrometheusMeterRegistry registry = Metrics.newRegistry();
    Path state = Files.createTempDirectory("distill-ingest-");
    state.toFile().deleteOnExit();
    IngestStage stage =
        IngestStage.start(
            kafka,
            new BlockInference(ingestTeacher, teacherId, s.block()),
            s.ingest(),
            registry,
            state.toString(),
            s.streamThreads());
    List<StreamingLearner.Event> events = new CopyOnWriteArrayList<>();
    // The learner's own teacher copy (its own native handles) for the agreement gate's suffix.
    DjlTeacher learnerTeacher =
        DjlTeacher.load(s.teacherDir(), FashionMnist.CLASSES.length, TeacherProvider.BATCH);
    // A key pair for this run only: the learner signs, serving trusts nothing else.
    ReleaseSigner signer = new ReleaseSigner(ReleaseKeys.generate().getPrivate());
    StreamingLearner l =
        new StreamingLearner(
            kafka,
            s.learner(),
            registry,
            TeacherSuffix.of(learnerTeacher, s.block()),
            signer,
            List.of());
    l.addListener(events::add);
    l.start();
    ReleasePolicy policy =
        ReleasePolicy.permissive()
            .withVerifier(new ReleaseVerifier(List.of(signer.publicKey())))
            .withTeacherId(teacherId);
    Path golden = GoldenImages.of(s.teacherDir());
    if (Files.isDirectory(golden)) {
      policy =
          policy.withGolden(
              GoldenImages.load(servingTeacher, s.block(), golden),
              ReleasePolicy.DEFAULT_MIN_GOLDEN_AGREEMENT);
    }
    ServingNode node =
        ServingNode.start(
            kafka, servingTeacher, s.block(), s.modelId(), s.serving(), registry, policy);
    Map<Long, Long> live = new ConcurrentHashMap<>();
    node.registry().onSwap(m -> live.putIfAbsent(m.version(), System.currentTimeMillis()));
    return new LocalStack(
        broker,
        kafka,
        ingestTeacher,
        servingTeacher,
        learnerTeacher,
        stage,
        l,
        node,
        registry,
        events,
        live);
  }

  /** The bootstrap servers the roles use (the embedded broker's when there is one). */
  public String bootstrap() {
    return kafka.bootstrapServers();
  }

  @Override
  public void close() {
    serving.close();
    learner.close();
    ingest.close();
    servingTeacher.close();
    learnerTeacher.close();
    ingestTeacher.close();
    if (broker != null) {
      broker.close();
    }
  }

  /** Starts simulated devices publishing {@code images} on a daemon thread. */
  public Thread devices(
      Images images,
      int devices,
      double rate,
      boolean loop,
      AtomicBoolean stop,
      SimulatedDevices[] handle) {
    DevicePublisher p = DevicePublisher.builder().setKafka(kafka).build();
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

  /** Teacher predictions of {@code images} (the reference the hybrid is compared with). */
  public static int[] teacherPredictions(DjlTeacher teacher, Images images) {
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
