package org.convexdistill.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.Arrays;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.data.Preprocessing;
import org.convexdistill.core.stream.StudentRelease;
import org.convexdistill.core.student.ChannelProjection;
import org.convexdistill.core.student.ConvStudent;
import org.convexdistill.core.student.ProjectedStudent;
import org.convexdistill.core.student.Student;
import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.core.student.StudentFormat;
import org.convexdistill.teacher.CnnStudent;
import org.convexdistill.teacher.DjlTeacher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What serving refuses before a swap, each with its named reason, on a real (randomly initialised)
 * DJL teacher and the fixture's real images as the golden set. A refused release leaves the current
 * model serving.
 */
class ReleaseChecksTest {
  private static final String MODEL = "m";
  private static DjlTeacher teacher;
  private static int d;
  private static int c;

  @BeforeAll
  static void load() {
    teacher = DjlTeacher.create(10, 3, 16);
    d = teacher.blockInputShape(4).size();
    c = teacher.blockOutputShape(4).size();
  }

  @AfterAll
  static void close() {
    teacher.close();
  }

  static StudentBlock student(int units, long seed) {
    return TestStudents.random(d, c, units, seed);
  }

  static StudentRelease release(String teacherId, int block, long version, Student s) {
    return TestStudents.release(MODEL, teacherId, block, version, s);
  }

  private static ModelRegistry registry(ReleasePolicy policy) {
    return new ModelRegistry(MODEL, 4, d, c, 5, policy);
  }

  private static ReleasePolicy policy() {
    return ReleasePolicy.permissive().withTeacherId("t");
  }

  @Test
  void aGoodReleaseIsAcceptedAndEachDefectIsRefusedByName() {
    ModelRegistry reg = registry(policy().withLimits(20L * (d + 2 + 1) * 2, 10));
    assertThat(reg.offer(release("t", 4, 1, student(6, 1))).accepted()).isTrue();

    assertRefused(reg, release("other", 4, 2, student(6, 2)), "foreign-teacher");
    assertRefused(reg, release("t", 3, 2, student(6, 2)), "wrong-block");
    assertRefused(reg, release("t", 4, 2, student(0, 2)), "no-units");
    assertRefused(reg, release("t", 4, 2, student(200, 2)), "too-large");
    assertRefused(reg, release("t", 4, 1, student(6, 2)), "not-newer");
    assertRefused(reg, release("t", 4, 1L << 62, student(6, 2)), "version-gap");
    // The current version still serves after every refusal, and a genuine successor is taken.
    assertThat(reg.current().version()).isEqualTo(1);
    assertThat(reg.offer(release("t", 4, 11, student(6, 3))).accepted()).isTrue();
  }

  @Test
  void aNonFiniteWeightIsRefusedEvenBehindAGateThatAProbeLeavesClosed() {
    // One unit's first-layer row is NaN, and its gate is the zero vector: closed on every input,
    // so every forward pass is finite — the weights themselves are what must be checked.
    StudentBlock good = student(6, 4);
    float[] first = good.firstLayer();
    Arrays.fill(first, 0, d, Float.NaN);
    float[] gates = good.gates();
    Arrays.fill(gates, 0, d, 0f);
    StudentBlock hidden =
        new StudentBlock(
            d,
            c,
            good.columnScales(),
            gates,
            good.unitGates(),
            good.unitOutputs(),
            first,
            good.secondLayer());
    float[] y = new float[2 * c];
    float[] z = new float[2 * d];
    Arrays.fill(z, 1f);
    hidden.forward(z, 2, y, hidden.newWorkspace(2));
    for (float v : y) {
      assertThat(v).isFinite();
    }
    ModelRegistry reg = registry(policy());
    assertRefused(reg, release("t", 4, 1, hidden), "non-finite");
    assertThat(reg.current().isTeacher()).isTrue();
  }

  @Test
  void theGoldenSetRefusesAStudentThatDisagreesWithTheTeacher() throws Exception {
    Images images = fixtureImages(64);
    GoldenSet golden = new GoldenSet(teacher, 4, images);
    StudentBlock s = student(6, 5);
    double a = golden.agreement(s);
    assertThat(a).as("a random student must not agree everywhere").isLessThan(1.0);

    ModelRegistry strict = registry(policy().withGolden(golden, a + 1.0 / 128));
    ModelRegistry.Offer o = strict.offer(release("t", 4, 1, s));
    assertThat(o.tag()).isEqualTo("golden-set");
    assertThat(o.reason()).contains("64 golden images");
    assertThat(strict.current().isTeacher()).isTrue();
    // At a threshold it meets, the same student is taken.
    assertThat(registry(policy().withGolden(golden, a)).offer(release("t", 4, 1, s)).accepted())
        .isTrue();
  }

  @Test
  void aCnnStudentReleaseIsCheckedAndServedByTheHybrid() throws Exception {
    // A gated CNN (eq. 8) trained on the teacher's own block-4 activations of real images, frozen
    // for serving, travels as a release: the registry checks it like any student and the hybrid
    // runs it in place of the block.
    Images images = fixtureImages(64);
    float[] x = Preprocessing.toTensor(images);
    int n = images.count();
    float[] z = teacher.prefix(4, x, n);
    float[] y = teacher.block(4, z, n);
    ConvStudent frozen;
    float[] trained;
    try (CnnStudent s =
        CnnStudent.train(
            z,
            y,
            n,
            teacher.blockInputShape(4),
            teacher.blockOutputShape(4),
            2,
            new CnnStudent.Options(ConvStudent.Architecture.GATED, 16, 20, 16, 3e-3f, 1))) {
      frozen = s.toStudent();
      trained = teacher.suffix(4, s.apply(z, n), n);
    }
    GoldenSet golden = new GoldenSet(teacher, 4, images);
    double a = golden.agreement(frozen);
    ModelRegistry reg = registry(policy().withGolden(golden, a));
    // Over the wire and back, as the follower receives it.
    StudentRelease r = StudentRelease.decode(release("t", 4, 1, frozen).encode());
    ModelRegistry.Offer o = reg.offer(r);
    assertThat(o.accepted()).as(o.reason()).isTrue();
    assertThat(reg.current().student()).isInstanceOf(ConvStudent.class);
    byte[] pixels = Arrays.copyOf(images.pixels(), n * 784);
    float[] served = new HybridRunner(teacher, 4).logits(pixels, n, reg.current());
    for (int i = 0; i < served.length; i++) {
      assertThat(served[i]).isCloseTo(trained[i], within(1e-3f * (1 + Math.abs(trained[i]))));
    }
    // A CNN student with a non-finite weight is refused by name, like an MLP one.
    byte[] bytes = StudentFormat.encode(frozen);
    java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(40, Float.NaN);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(bytes, 0, bytes.length - 4);
    java.nio.ByteBuffer.wrap(bytes)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putInt(bytes.length - 4, (int) crc.getValue());
    Student poisoned = StudentFormat.decodeAny(bytes, 0, bytes.length);
    assertRefused(reg, release("t", 4, 2, poisoned), "non-finite");
    assertThat(reg.current().version()).isEqualTo(1);
  }

  @Test
  void aStudentBehindAChannelProjectionTravelsIsCheckedAndServedByTheHybrid() throws Exception {
    Images images = fixtureImages(32);
    int n = images.count();
    int channels = teacher.blockInputShape(4).channels();
    int positions = d / channels;
    int k = 2;
    java.util.Random r = new java.util.Random(9);
    float[] w = new float[k * channels];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) r.nextGaussian();
    }
    ProjectedStudent projected =
        new ProjectedStudent(
            new ChannelProjection(channels, positions, w, new float[] {0.1f, -0.2f}),
            TestStudents.random(k * positions, c, 6, 10));
    GoldenSet golden = new GoldenSet(teacher, 4, images);
    ModelRegistry reg = registry(policy().withGolden(golden, golden.agreement(projected)));
    StudentRelease back = StudentRelease.decode(release("t", 4, 1, projected).encode());
    ModelRegistry.Offer o = reg.offer(back);
    assertThat(o.accepted()).as(o.reason()).isTrue();
    assertThat(reg.current().student()).isInstanceOf(ProjectedStudent.class);
    float[] z = teacher.prefix(4, Preprocessing.toTensor(images), n);
    float[] expected = teacher.suffix(4, projected.apply(z, n), n);
    byte[] pixels = Arrays.copyOf(images.pixels(), n * 784);
    float[] served = new HybridRunner(teacher, 4).logits(pixels, n, reg.current());
    for (int i = 0; i < served.length; i++) {
      assertThat(served[i]).isCloseTo(expected[i], within(1e-4f * (1 + Math.abs(expected[i]))));
    }
    // A NaN in the projection alone is refused by name.
    w[3] = Float.NaN;
    ProjectedStudent poisoned =
        new ProjectedStudent(
            new ChannelProjection(channels, positions, w, new float[] {0.1f, -0.2f}),
            projected.student());
    assertRefused(reg, release("t", 4, 2, poisoned), "non-finite");
    assertThat(reg.current().version()).isEqualTo(1);
  }

  /** The first {@code n} images of the repository's mini Fashion-MNIST test set. */
  private static Images fixtureImages(int n) throws java.io.IOException {
    return FashionMnist.readImages(
            Path.of("..", "data", "fashion-mnist-mini", "t10k-images-idx3-ubyte.gz"))
        .slice(0, n);
  }

  private static void assertRefused(ModelRegistry reg, StudentRelease r, String tag) {
    ModelRegistry.Offer o = reg.offer(r);
    assertThat(o.accepted()).as(o.reason()).isFalse();
    assertThat(o.tag()).as(o.reason()).isEqualTo(tag);
  }
}
