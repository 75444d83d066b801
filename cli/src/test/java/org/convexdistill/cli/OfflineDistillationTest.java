package org.convexdistill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.convexdistill.broker.EmbeddedKafka;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.core.data.Preprocessing;
import org.convexdistill.core.npy.Npy;
import org.convexdistill.core.release.ReleaseKeys;
import org.convexdistill.core.release.ReleaseVerifier;
import org.convexdistill.core.stream.StudentRelease;
import org.convexdistill.core.student.ConvStudent;
import org.convexdistill.core.student.ProjectedStudent;
import org.convexdistill.core.student.Student;
import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.core.student.StudentFormat;
import org.convexdistill.core.teacher.Hybrid;
import org.convexdistill.learner.evaluation.HybridEvaluation;
import org.convexdistill.learner.offline.Activations;
import org.convexdistill.learner.offline.DistillOptions;
import org.convexdistill.learner.offline.DistilledBlock;
import org.convexdistill.learner.offline.OfflineDistiller;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.runtime.topics.StudentLog;
import org.convexdistill.teacher.CnnStudent;
import org.convexdistill.teacher.DjlTeacher;
import org.convexdistill.teacher.ModelCard;
import org.convexdistill.teacher.TeacherId;
import org.convexdistill.teacher.TeacherTrainer;
import org.convexdistill.teacher.TrainingOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offline method end to end on the repository's fixture, with a real DJL teacher trained for a
 * few seconds: split/hybrid plumbing, the student against a trivial one, and the commands.
 */
class OfflineDistillationTest {
  @TempDir static Path dir;
  static Path fixture;
  static Path teacherDir;
  static DjlTeacher teacher;
  static LabeledImages train;
  static LabeledImages test;

  @BeforeAll
  static void trainASmallTeacher() throws Exception {
    fixture = FixtureDir.find();
    train = FashionMnist.load(fixture, FashionMnist.Split.TRAIN);
    test = FashionMnist.load(fixture, FashionMnist.Split.TEST);
    teacher = DjlTeacher.create(10, 5, 128);
    TeacherTrainer.train(
        teacher, train, null, new TrainingOptions(4, 32, 0.03f, 5e-4f, 5, 0), null);
    teacherDir = dir.resolve("teacher");
    teacher.save(teacherDir);
    new ModelCard(
            "resnet18", 4, 5, 32, 0.03, 1000, 0, 0, 0, teacher.totalParameters(), "fixture", "now")
        .write(teacherDir);
  }

  @AfterAll
  static void close() {
    teacher.close();
  }

  @Test
  void shouldReproduceTheTeacherWhenTheHybridUsesTheTeachersOwnBlocks() {
    int n = 50;
    float[] x = new float[n * 1024];
    Preprocessing.toTensor(test.images(), 0, n, x);
    float[] expected = teacher.logits(x, n);
    for (int k = 1; k <= 4; k++) {
      Hybrid h = new Hybrid(teacher, Map.of(k, Hybrid.Replacement.teacherBlock(teacher, k)));
      assertThat(h.logits(x, n)).as("block %d", k).containsExactly(expected);
      assertThat(h.totalParameters()).isEqualTo(teacher.totalParameters());
    }
    Hybrid both =
        new Hybrid(
            teacher,
            Map.of(
                3,
                Hybrid.Replacement.teacherBlock(teacher, 3),
                4,
                Hybrid.Replacement.teacherBlock(teacher, 4)));
    assertThat(both.logits(x, n)).containsExactly(expected);
    Hybrid.Replacement threeThenFour =
        new Hybrid.Replacement() {
          @Override
          public float[] apply(float[] z, int rows) {
            return teacher.block(4, teacher.block(3, z, rows), rows);
          }

          @Override
          public long parameters() {
            return teacher.blockParameters(3) + teacher.blockParameters(4);
          }
        };
    Hybrid span = Hybrid.ofSpan(teacher, 3, 4, threeThenFour);
    assertThat(span.logits(x, n)).containsExactly(expected);
    assertThat(span.totalParameters()).isEqualTo(teacher.totalParameters());
    assertThat(span.firstBlock()).isEqualTo(3);
    assertThat(span.lastBlock()).isEqualTo(4);
  }

  @Test
  void aJointStudentOfBlocks3And4ReplacesTheSpanAndBeatsAMeanOne() {
    Images images = train.images().slice(0, 400);
    DistillOptions options =
        DistillOptions.builder()
            .setBlock(4)
            .optCompression(8)
            .optGapTolerance(1e-2)
            .optPathPoints(6)
            .optMinRatio(0.002)
            .optGates(8)
            .optHeadWeight(Double.POSITIVE_INFINITY)
            .build();
    DistilledBlock joint = OfflineDistiller.distillSpan(teacher, images, 3, options, null);
    assertThat(joint.label()).isEqualTo("3-4");
    assertThat(joint.blockParameters())
        .isEqualTo(teacher.blockParameters(3) + teacher.blockParameters(4));
    assertThat(joint.student().inputDim()).isEqualTo(teacher.blockInputShape(3).size());
    assertThat(joint.student().outputDim()).isEqualTo(teacher.blockOutputShape(4).size());
    assertThat(joint.student().hiddenUnits()).isPositive();
    assertThat(joint.compression()).isGreaterThanOrEqualTo(8);
    // A block-4-shaped student cannot stand in for the span.
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> Hybrid.ofSpan(teacher, 4, 4, joint.student()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("student for block 4 maps");

    Activations a = Activations.extractSpan(teacher, images, 3, 4);
    LabeledImages eval = test.head(300);
    Hybrid hybrid = Hybrid.ofSpan(teacher, 3, 4, joint.student());
    var convex = HybridEvaluation.evaluate(teacher, hybrid, eval, 150);
    var mean =
        HybridEvaluation.evaluate(
            teacher, Hybrid.ofSpan(teacher, 3, 4, meanReplacement(a)), eval, 150);
    assertThat(hybrid.totalParameters())
        .isEqualTo(
            teacher.totalParameters() - joint.blockParameters() + joint.student().parameterCount());
    assertThat(convex.hybridAccuracy()).isGreaterThan(mean.hybridAccuracy() + 0.2);
    assertThat(convex.agreement()).isGreaterThan(mean.agreement() + 0.2);
  }

  @Test
  void admmStudentsOfBothPenaltiesFitTheBudgetAndBeatAMeanOne() {
    Images images = train.images().slice(0, 400);
    Activations a = Activations.extract(teacher, images, 4);
    LabeledImages eval = test.head(300);
    var mean =
        HybridEvaluation.evaluate(
            teacher, new Hybrid(teacher, Map.of(4, meanReplacement(a))), eval, 150);
    for (boolean nuclear : new boolean[] {false, true}) {
      DistillOptions.Builder b =
          DistillOptions.builder()
              .setBlock(4)
              .optCompression(8)
              .optGapTolerance(1e-3)
              .optMinRatio(0.001)
              .optGates(8)
              .optHeadWeight(Double.POSITIVE_INFINITY)
              .optAdmm(true);
      if (nuclear) {
        b.optNuclear(0.001);
      }
      DistilledBlock d = OfflineDistiller.distill(teacher, images, b.build(), null);
      assertThat(d.compression()).as("nuclear=%s", nuclear).isGreaterThanOrEqualTo(8);
      assertThat(d.student().hiddenUnits()).isPositive();
      assertThat(d.student().isSharedOutput()).isEqualTo(nuclear);
      assertThat(d.solution().relativeGap()).isLessThanOrEqualTo(1e-3);
      var convex =
          HybridEvaluation.evaluate(
              teacher, Hybrid.ofStudents(teacher, Map.of(4, d.student())), eval, 150);
      assertThat(convex.hybridAccuracy()).isGreaterThan(mean.hybridAccuracy() + 0.2);
      assertThat(convex.agreement()).isGreaterThan(mean.agreement() + 0.2);
    }
    // ADMM's prox has no shared-layer polish to follow it: a clear error, not a silent skip.
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                DistillOptions.builder()
                    .setBlock(4)
                    .optCompression(8)
                    .optAdmm(true)
                    .optSharedPolish(true)
                    .build())
        .hasMessageContaining("--shared-polish");
  }

  @Test
  void aJointStudentBehindAChannelProjectionPaysForItReadsRawInputsAndRoundTrips()
      throws Exception {
    Images images = train.images().slice(0, 400);
    int channels = teacher.blockInputShape(3).channels();
    int k = Math.max(1, channels / 4);
    DistillOptions options =
        DistillOptions.builder()
            .setBlock(4)
            .optCompression(8)
            .optGapTolerance(1e-3)
            .optMinRatio(0.001)
            .optGates(16)
            .optHeadWeight(Double.POSITIVE_INFINITY)
            .optAdmm(true)
            .optProjectChannels(k)
            .build();
    DistilledBlock joint = OfflineDistiller.distillSpan(teacher, images, 3, options, null);
    assertThat(joint.projection()).isNotNull();
    assertThat(joint.projection().width()).isEqualTo(k);
    assertThat(joint.explainedVariance()).isBetween(0.0, 1.0);
    // The gated units read k·S projected values; the served student reads the raw span input.
    int positions = teacher.blockInputShape(3).size() / channels;
    assertThat(joint.student().inputDim()).isEqualTo(k * positions);
    var served = (ProjectedStudent) joint.served();
    assertThat(served.inputDim()).isEqualTo(teacher.blockInputShape(3).size());
    // The projection's k·(C_in + 1) numbers are paid from the same budget.
    assertThat(joint.studentParameters())
        .isEqualTo((long) k * (channels + 1) + joint.student().parameterCount());
    assertThat(joint.compression()).isGreaterThanOrEqualTo(8);
    assertThat(joint.student().hiddenUnits()).isPositive();

    Activations a = Activations.extractSpan(teacher, images, 3, 4);
    LabeledImages eval = test.head(300);
    var convex =
        HybridEvaluation.evaluate(teacher, Hybrid.ofSpan(teacher, 3, 4, served), eval, 150);
    var mean =
        HybridEvaluation.evaluate(
            teacher, Hybrid.ofSpan(teacher, 3, 4, meanReplacement(a)), eval, 150);
    assertThat(convex.hybridAccuracy()).isGreaterThan(mean.hybridAccuracy() + 0.2);
    assertThat(convex.agreement()).isGreaterThan(mean.agreement() + 0.2);

    // The file holds the projection: read back, the same outputs bit for bit.
    Path file = dir.resolve("projected.cdst");
    StudentFormat.write(file, served);
    var back = StudentFormat.readAny(file);
    assertThat(back).isInstanceOf(ProjectedStudent.class);
    float[] z = Arrays.copyOf(a.inputs().data(), 20 * served.inputDim());
    assertThat(back.apply(z, 20)).containsExactly(served.apply(z, 20));

    // More projected channels than the input has: one clear line, before any solve.
    DistillOptions tooWide =
        DistillOptions.builder()
            .setBlock(4)
            .optCompression(8)
            .optAdmm(true)
            .optProjectChannels(channels + 1)
            .build();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> OfflineDistiller.distillSpan(teacher, images, 3, tooWide, null))
        .hasMessageContaining("--project-channels must be 1.." + channels);
  }

  @Test
  void shouldBeatATrivialMeanActivationStudent() {
    Images images = train.images().slice(0, 400);
    DistillOptions options =
        DistillOptions.builder()
            .setBlock(4)
            .optCompression(6)
            .optGapTolerance(1e-2)
            .optPathPoints(6)
            .optMinRatio(0.01)
            .build();
    DistilledBlock distilled = OfflineDistiller.distill(teacher, images, options, null);
    assertThat(distilled.student().hiddenUnits())
        .isPositive()
        .isLessThanOrEqualTo(distilled.targetGroups());
    assertThat(distilled.compression()).isGreaterThanOrEqualTo(6);

    // Trivial student: the mean training activation, whatever the input.
    Activations a = Activations.extract(teacher, images, 4);
    LabeledImages eval = test.head(300);
    var convex =
        HybridEvaluation.evaluate(
            teacher, Hybrid.ofStudents(teacher, Map.of(4, distilled.student())), eval, 150);
    var mean =
        HybridEvaluation.evaluate(
            teacher, new Hybrid(teacher, Map.of(4, meanReplacement(a))), eval, 150);
    assertThat(convex.teacherAccuracy())
        .as("teacher must have learned something")
        .isGreaterThan(0.5);
    // Measured: MSE 0.148 vs 1.218, accuracy 0.547 vs 0.090, agreement 0.633 vs 0.087.
    assertThat(convex.activationMse()).isLessThan(0.5 * mean.activationMse());
    assertThat(convex.hybridAccuracy()).isGreaterThan(mean.hybridAccuracy() + 0.2);
    assertThat(convex.agreement()).isGreaterThan(mean.agreement() + 0.2);
  }

  private static Hybrid.Replacement meanReplacement(Activations a) {
    int n = a.samples();
    int c = a.outputs().dim(1);
    float[] mean = new float[c];
    for (int r = 0; r < n; r++) {
      for (int k = 0; k < c; k++) {
        mean[k] += a.outputs().data()[r * c + k] / n;
      }
    }
    return new Hybrid.Replacement() {
      @Override
      public float[] apply(float[] z, int rows) {
        float[] out = new float[rows * c];
        for (int r = 0; r < rows; r++) {
          System.arraycopy(mean, 0, out, r * c, c);
        }
        return out;
      }

      @Override
      public long parameters() {
        return c;
      }
    };
  }

  @Test
  void shouldRunTheOfflineAndActivationsCommandsAndWriteAStudent() throws Exception {
    Path out = dir.resolve("offline");
    DistillCommandTest.Run r =
        DistillCommandTest.run(
            "offline",
            "--model",
            teacherDir.toString(),
            "--data",
            fixture.toString(),
            "--samples",
            "200",
            "--compression",
            "8",
            "--gates",
            "4",
            "--points",
            "4",
            "--min-ratio",
            "0.05",
            "--gap-tol",
            "1e-2",
            "--test-limit",
            "100",
            "--out",
            out.toString(),
            "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode json = r.json();
    assertThat(json.get("blocks").get(0).get("block").asInt()).isEqualTo(4);
    assertThat(json.get("blocks").get(0).get("compression").asDouble()).isGreaterThanOrEqualTo(8);
    assertThat(json.get("model_compression").asDouble()).isGreaterThan(1);
    for (String key :
        new String[] {
          "teacher_accuracy",
          "hybrid_accuracy",
          "agreement",
          "activation_mse",
          "teacher_params",
          "hybrid_params"
        }) {
      assertThat(json.has(key)).as(key).isTrue();
    }
    StudentBlock s = StudentFormat.read(out.resolve("student-block4.cdst"));
    assertThat(s.inputDim()).isEqualTo(1024);
    assertThat(s.outputDim()).isEqualTo(512);
    assertThat(Files.readString(out.resolve("result.json"))).contains("\"hybrid_accuracy\"");

    Path acts = dir.resolve("acts");
    DistillCommandTest.Run a =
        DistillCommandTest.run(
            "activations",
            "--block",
            "3",
            "--samples",
            "20",
            "--model",
            teacherDir.toString(),
            "--data",
            fixture.toString(),
            "--out",
            acts.toString());
    assertThat(a.exitCode()).as(a.err()).isZero();
    assertThat(Npy.read(acts.resolve("Z.npy")).shape()).containsExactly(20, 2048);
    assertThat(Npy.read(acts.resolve("Y.npy")).shape()).containsExactly(20, 1024);
  }

  @Test
  void trainsACnnStudentAndPublishesItAsTheNextSignedRelease() throws Exception {
    Path file = dir.resolve("cnn").resolve("student-block4.cdsc");
    DistillCommandTest.Run r =
        DistillCommandTest.run(
            "cnn-student",
            "--model",
            teacherDir.toString(),
            "--data",
            fixture.toString(),
            "--samples",
            "100",
            "--filters",
            "8",
            "--steps",
            "20",
            "--test-limit",
            "50",
            "--out",
            file.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("gated (eq. 8) CNN student of block 4: 8 filters", "agreement");
    Student s = StudentFormat.readAny(file);
    assertThat(s).isInstanceOf(ConvStudent.class);
    assertThat(s.parameterCount()).isEqualTo(CnnStudent.parameters(256, 512, 8, true));

    Path keys = dir.resolve("keys");
    assertThat(DistillCommandTest.run("keys", "generate", "--out", keys.toString()).exitCode())
        .isZero();
    Path privateKey = keys.resolve("release-signing.key");
    Path publicKey = keys.resolve("release-signing.pub");
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      String[] publish = {
        "publish",
        file.toString(),
        "--bootstrap-servers",
        kafka.bootstrapServers(),
        "--model-id",
        "cnn-model",
        "--model",
        teacherDir.toString(),
        "--release-signing-key",
        privateKey.toString()
      };
      DistillCommandTest.Run first = DistillCommandTest.run(publish);
      assertThat(first.exitCode()).as(first.err()).isZero();
      assertThat(first.out()).contains("published cnn-model version 1 (parent 0): CNN student");
      DistillCommandTest.Run second = DistillCommandTest.run(publish);
      assertThat(second.out()).contains("version 2 (parent 1)");
      // What a serving node trusting the key reads back: the CNN student, signed, in lineage.
      ReleaseVerifier verifier = new ReleaseVerifier(List.of(ReleaseKeys.readPublic(publicKey)));
      StudentRelease latest =
          StudentLog.latest(KafkaConnection.of(kafka.bootstrapServers()), "cnn-model", verifier)
              .orElseThrow();
      assertThat(latest.version()).isEqualTo(2);
      assertThat(latest.parentVersion()).isEqualTo(1);
      assertThat(latest.teacherId()).isEqualTo(TeacherId.of(teacherDir));
      assertThat(latest.student()).isInstanceOf(ConvStudent.class);
      assertThat(latest.relativeGap()).isNaN();

      // A file of the wrong block is refused with one line before anything is published.
      DistillCommandTest.Run wrong =
          DistillCommandTest.run(
              "publish",
              file.toString(),
              "--bootstrap-servers",
              kafka.bootstrapServers(),
              "--block",
              "3",
              "--model",
              teacherDir.toString());
      assertThat(wrong.exitCode()).isEqualTo(2);
      assertThat(wrong.err()).contains("block 3 of this teacher maps");
    }
  }

  @Test
  void shouldExplainMissingDataAndMissingTeacher() {
    DistillCommandTest.Run noData =
        DistillCommandTest.run(
            "teacher",
            "eval",
            "--model",
            teacherDir.toString(),
            "--data",
            dir.resolve("none").toString());
    assertThat(noData.exitCode()).isEqualTo(2);
    assertThat(noData.err())
        .contains("apt-get install dataset-fashion-mnist")
        .doesNotContain("\tat ");
    DistillCommandTest.Run noTeacher =
        DistillCommandTest.run(
            "teacher",
            "eval",
            "--model",
            dir.resolve("nothing").toString(),
            "--data",
            fixture.toString());
    assertThat(noTeacher.exitCode()).isEqualTo(2);
    assertThat(noTeacher.err()).contains("no teacher in").contains("distill teacher train");
  }
}
