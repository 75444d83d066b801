package org.convexdistill.ingest.stage;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.data.Preprocessing;
import org.convexdistill.core.stream.ActivationRecord;
import org.convexdistill.core.stream.ActivationRecord.Precision;
import org.convexdistill.core.stream.ImagePayload;
import org.convexdistill.core.teacher.Teacher;
import org.convexdistill.core.teacher.TensorShape;
import org.convexdistill.runtime.topics.DeadLetters;
import org.convexdistill.runtime.topics.Topics;
import org.convexdistill.teacher.DjlTeacher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class InferenceTopologyTest {
  private static DjlTeacher teacher;
  private static Images images;

  @BeforeAll
  static void setUp() {
    teacher = DjlTeacher.create(10, 11, 8);
    images = TestImages.fixture();
  }

  @AfterAll
  static void tearDown() {
    teacher.close();
  }

  private static TopologyTestDriver driver(int batch) {
    return driver(batch, teacher);
  }

  private static TopologyTestDriver driver(int batch, Teacher t) {
    return driver(batch, t, TeacherWorker.callerThread());
  }

  private static TopologyTestDriver driver(int batch, Teacher t, TeacherWorker worker) {
    StreamsBuilder b = new StreamsBuilder();
    BlockInference inference = new BlockInference(t, "test-teacher", 4);
    InferenceConfig config = new InferenceConfig(batch, Duration.ofMillis(100), Precision.FLOAT32);
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    return new TopologyTestDriver(
        InferenceTopology.buildTopology(b, inference, worker, config, new IngestMetrics()), p);
  }

  private static RecordHeaders type(String contentType) {
    RecordHeaders h = new RecordHeaders();
    h.add(Topics.CONTENT_TYPE, contentType.getBytes(StandardCharsets.UTF_8));
    return h;
  }

  @Test
  void batchesImagesThroughTheTeacherAndDeadLettersBadOnes() throws Exception {
    try (TopologyTestDriver d = driver(4)) {
      TestInputTopic<String, byte[]> in =
          d.createInputTopic(Topics.IMAGES, new StringSerializer(), new ByteArraySerializer());
      TestOutputTopic<String, byte[]> out =
          d.createOutputTopic(
              Topics.ACTIVATIONS, new StringDeserializer(), new ByteArrayDeserializer());
      TestOutputTopic<String, byte[]> dead =
          d.createOutputTopic(
              Topics.DEAD_LETTER, new StringDeserializer(), new ByteArrayDeserializer());
      byte[] garbage = "not an image".getBytes(StandardCharsets.UTF_8);
      in.pipeInput(new TestRecord<>("dev-0", TestImages.png(images, 0), type("image/png")));
      in.pipeInput(new TestRecord<>("dev-1", garbage, type("image/png")));
      in.pipeInput(new TestRecord<>("dev-2", TestImages.raw(images, 1), type(ImagePayload.RAW)));
      in.pipeInput(new TestRecord<>("dev-3", png(29), type("image/png")));
      in.pipeInput(new TestRecord<>("dev-4", TestImages.png(images, 2), type("image/png")));
      // Three valid images buffered: below the batch size, nothing is emitted yet.
      assertThat(out.isEmpty()).isTrue();
      in.pipeInput(new TestRecord<>("dev-5", TestImages.png(images, 3), type("image/png")));
      List<TestRecord<String, byte[]>> first = out.readRecordsToList();
      assertThat(first).hasSize(4);
      in.pipeInput(new TestRecord<>("dev-6", TestImages.raw(images, 4), new RecordHeaders()));
      assertThat(out.isEmpty()).isTrue();
      d.advanceWallClockTime(Duration.ofMillis(150)); // max wait flushes the partial batch
      List<TestRecord<String, byte[]>> second = out.readRecordsToList();
      assertThat(second).hasSize(1);

      // Keys, source offsets and values: z and y equal the teacher's own prefix and block.
      ActivationRecord a = ActivationRecord.decode(first.get(1).value());
      assertThat(first.get(1).key()).isEqualTo("dev-2");
      assertThat(a.sourceTopic()).isEqualTo(Topics.IMAGES);
      assertThat(a.sourceOffset()).isEqualTo(2);
      assertThat(a.teacherId()).isEqualTo("test-teacher");
      assertThat(a.block()).isEqualTo(4);
      float[] x = new float[Preprocessing.SIDE * Preprocessing.SIDE];
      Preprocessing.toTensor(images.slice(1, 1), 0, 1, x);
      float[] z = teacher.prefix(4, x, 1);
      float[] y = teacher.block(4, z, 1);
      assertThat(a.z()).containsExactly(z, org.assertj.core.data.Offset.offset(1e-4f));
      assertThat(a.y()).containsExactly(y, org.assertj.core.data.Offset.offset(1e-4f));
      assertThat(ActivationRecord.decode(second.get(0).value()).sourceOffset()).isEqualTo(6);

      List<TestRecord<String, byte[]>> bad = dead.readRecordsToList();
      assertThat(bad).hasSize(2);
      assertThat(bad.get(0).value()).isEqualTo(garbage);
      assertThat(DeadLetters.text(bad.get(0).headers(), DeadLetters.REASON))
          .contains("not a decodable image/png");
      assertThat(DeadLetters.text(bad.get(0).headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("1");
      assertThat(DeadLetters.text(bad.get(0).headers(), DeadLetters.STAGE)).isEqualTo("ingest");
      assertThat(DeadLetters.text(bad.get(0).headers(), Topics.CONTENT_TYPE))
          .isEqualTo("image/png");
      assertThat(DeadLetters.text(bad.get(1).headers(), DeadLetters.REASON))
          .isEqualTo("image is 29×29; expected 28×28");
    }
  }

  @Test
  void wrongSizeRawAndUnknownTypesAreDeadLettered() {
    try (TopologyTestDriver d = driver(1)) {
      TestInputTopic<String, byte[]> in =
          d.createInputTopic(Topics.IMAGES, new StringSerializer(), new ByteArraySerializer());
      TestOutputTopic<String, byte[]> dead =
          d.createOutputTopic(
              Topics.DEAD_LETTER, new StringDeserializer(), new ByteArrayDeserializer());
      in.pipeInput(new TestRecord<>("d", new byte[783], type(ImagePayload.RAW)));
      in.pipeInput(new TestRecord<>("d", new byte[784], type("image/gif")));
      in.pipeInput(new TestRecord<>("d", new byte[0], new RecordHeaders()));
      // A plain producer can send a null value: dead-lettered too, not skipped or crashed on.
      in.pipeInput(new TestRecord<>("d", (byte[]) null, new RecordHeaders()));
      List<String> reasons =
          dead.readRecordsToList().stream()
              .map(r -> DeadLetters.text(r.headers(), DeadLetters.REASON))
              .toList();
      assertThat(reasons)
          .containsExactly(
              "raw image has 783 bytes; expected 784 (28×28 grey)",
              "unsupported content-type 'image/gif' (use image/png, image/jpeg or"
                  + " application/x-raw-gray8)",
              "empty image payload",
              "empty image payload");
    }
  }

  /** The real teacher, made to fail (throw, or answer NaN) on demand: fault injection. */
  private static final class FaultyTeacher implements Teacher {
    final AtomicReference<String> fault = new AtomicReference<>("none");

    /** Each batch takes a permit here before the block runs (release permits to let them on). */
    volatile Semaphore gate = new Semaphore(Integer.MAX_VALUE);

    /** Threads the block ran on. */
    final java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public float[] block(int k, float[] z, int n) {
      threads.add(Thread.currentThread().getName());
      try {
        if (!gate.tryAcquire(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never opened the gate");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      switch (fault.get()) {
        case "throw" -> throw new IllegalStateException("native error in the block");
        case "nan" -> {
          float[] y = teacher.block(k, z, n);
          y[0] = Float.NaN;
          return y;
        }
        default -> {
          return teacher.block(k, z, n);
        }
      }
    }

    // Everything else is the real teacher's.
    @Override
    public int numBlocks() {
      return teacher.numBlocks();
    }

    @Override
    public int numClasses() {
      return teacher.numClasses();
    }

    @Override
    public TensorShape inputShape() {
      return teacher.inputShape();
    }

    @Override
    public TensorShape blockInputShape(int k) {
      return teacher.blockInputShape(k);
    }

    @Override
    public TensorShape blockOutputShape(int k) {
      return teacher.blockOutputShape(k);
    }

    @Override
    public long blockParameters(int k) {
      return teacher.blockParameters(k);
    }

    @Override
    public long totalParameters() {
      return teacher.totalParameters();
    }

    @Override
    public float[] prefix(int k, float[] x, int n) {
      return teacher.prefix(k, x, n);
    }

    @Override
    public float[] suffix(int k, float[] y, int n) {
      return teacher.suffix(k, y, n);
    }

    @Override
    public float[] logits(float[] x, int n) {
      return teacher.logits(x, n);
    }

    @Override
    public void close() {}
  }

  @Test
  void aTeacherFailureDeadLettersItsBatchAndTheStageGoesOn() {
    FaultyTeacher faulty = new FaultyTeacher();
    try (TopologyTestDriver d = driver(2, faulty)) {
      TestInputTopic<String, byte[]> in =
          d.createInputTopic(Topics.IMAGES, new StringSerializer(), new ByteArraySerializer());
      TestOutputTopic<String, byte[]> out =
          d.createOutputTopic(
              Topics.ACTIVATIONS, new StringDeserializer(), new ByteArrayDeserializer());
      TestOutputTopic<String, byte[]> dead =
          d.createOutputTopic(
              Topics.DEAD_LETTER, new StringDeserializer(), new ByteArrayDeserializer());
      byte[] raw = images.slice(0, 1).pixels();
      byte[] png = TestImages.png(images, 0);
      faulty.fault.set("throw");
      in.pipeInput(new TestRecord<>("a", raw, type(ImagePayload.RAW)));
      in.pipeInput(new TestRecord<>("b", png, type("image/png")));
      faulty.fault.set("nan");
      in.pipeInput(new TestRecord<>("c", raw, type(ImagePayload.RAW)));
      in.pipeInput(new TestRecord<>("d", raw, type(ImagePayload.RAW)));
      faulty.fault.set("none");
      in.pipeInput(new TestRecord<>("e", raw, type(ImagePayload.RAW)));
      in.pipeInput(new TestRecord<>("f", raw, type(ImagePayload.RAW)));
      List<TestRecord<String, byte[]>> deadRecords = dead.readRecordsToList();
      assertThat(deadRecords).extracting(TestRecord::key).containsExactly("a", "b", "c");
      assertThat(DeadLetters.text(deadRecords.get(0).headers(), DeadLetters.REASON))
          .contains("teacher failed on the batch", "native error in the block");
      assertThat(DeadLetters.text(deadRecords.get(2).headers(), DeadLetters.REASON))
          .contains("NaN");
      // The dead letter carries the image as the device sent it, with its content type, so it can
      // be replayed once the cause is fixed.
      assertThat(deadRecords.get(0).value()).isEqualTo(raw);
      assertThat(deadRecords.get(1).value()).isEqualTo(png);
      assertThat(DeadLetters.text(deadRecords.get(1).headers(), Topics.CONTENT_TYPE))
          .isEqualTo("image/png");
      // Only the first image of the NaN batch had a NaN; every other image got through.
      assertThat(out.readRecordsToList())
          .extracting(TestRecord::key)
          .containsExactly("d", "e", "f");
    }
  }

  @Test
  void theTeacherRunsOnItsOwnThreadWhileTheStreamThreadBuffersTheNextBatch() throws Exception {
    FaultyTeacher held = new FaultyTeacher();
    held.gate = new Semaphore(0);
    try (TeacherWorker worker = TeacherWorker.ownThread();
        TopologyTestDriver d = driver(2, held, worker)) {
      TestInputTopic<String, byte[]> in =
          d.createInputTopic(Topics.IMAGES, new StringSerializer(), new ByteArraySerializer());
      TestOutputTopic<String, byte[]> out =
          d.createOutputTopic(
              Topics.ACTIVATIONS, new StringDeserializer(), new ByteArrayDeserializer());
      byte[] raw = images.slice(0, 1).pixels();
      // Batch 1 goes to the teacher, which is held; the images of batch 2 are still read and
      // buffered (pipeInput returns): the stream thread does not wait for the teacher.
      for (String k : List.of("a", "b", "c")) {
        in.pipeInput(new TestRecord<>(k, raw, type(ImagePayload.RAW)));
      }
      assertThat(out.isEmpty()).isTrue();
      // Batch 1 goes on; the next batch ("c") waits for the test, so whether it is emitted below
      // does not depend on how fast the teacher is.
      held.gate.release(1);
      // The driver's clock: past the max wait the processor waits for the running batch.
      d.advanceWallClockTime(Duration.ofMillis(150));
      assertThat(out.readRecordsToList()).extracting(TestRecord::key).containsExactly("a", "b");
      held.gate.release(2);
      in.pipeInput(new TestRecord<>("d", raw, type(ImagePayload.RAW)));
      d.advanceWallClockTime(Duration.ofMillis(150)); // "d" is due: it goes to the teacher
      d.advanceWallClockTime(Duration.ofMillis(150)); // and is overdue: waited for
      assertThat(out.readRecordsToList()).extracting(TestRecord::key).containsExactly("c", "d");
      assertThat(held.threads).containsExactly("distill-teacher");
    }
  }

  private static byte[] png(int side) throws Exception {
    BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }
}
