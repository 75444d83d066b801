package org.convexdistill.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.convexdistill.app.GoldenImages;
import org.convexdistill.app.StudentPublisher;
import org.convexdistill.app.TopicSetup;
import org.convexdistill.app.UserException;
import org.convexdistill.core.release.ReleaseSigner;
import org.convexdistill.core.release.ReleaseVerifier;
import org.convexdistill.core.stream.StudentRelease;
import org.convexdistill.core.student.ConvStudent;
import org.convexdistill.core.student.Student;
import org.convexdistill.core.student.StudentFormat;
import org.convexdistill.core.student.StudentFormatException;
import org.convexdistill.teacher.DjlTeacher;
import org.convexdistill.teacher.TeacherId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code distill publish FILE}: an offline student as the next signed release of a model. */
@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description = {
      "Publish a student file (an MLP from 'distill offline --out', a CNN from 'distill"
          + " cnn-student') as the next version of --model-id on the students topic, signed with"
          + " --release-signing-key; serving nodes check it and swap to it like any release. Run"
          + " it while no learner publishes under the same model id."
    },
    footer = StreamCommands.ENV_FOOTER)
final class PublishCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "Student file (.cdst or .cdsc).")
  Path file;

  @Mixin StreamOptions.Kafka kafka;
  @Mixin TeacherOptions teacherOptions;
  @Mixin ReleaseOptions.Signing signing;

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(file)) {
      throw new UserException(file + ": no such student file");
    }
    Student student;
    try {
      student = StudentFormat.readAny(file);
    } catch (StudentFormatException e) {
      throw new UserException(e.getMessage());
    }
    var connection = kafka.connection();
    ReleaseSigner signer = signing.signer();
    List<PublicKey> trusted = new ArrayList<>(signing.previousKeys());
    if (signer != null) {
      trusted.add(signer.publicKey());
    }
    String teacherId = TeacherId.of(teacherOptions.model);
    double agreement;
    try (DjlTeacher teacher = teacherOptions.load()) {
      int d = teacher.blockInputShape(kafka.block).size();
      int c = teacher.blockOutputShape(kafka.block).size();
      if (student.inputDim() != d || student.outputDim() != c) {
        throw new UserException(
            String.format(
                Locale.ROOT,
                "%s maps %d -> %d values; block %d of this teacher maps %d -> %d (--block?)",
                file,
                student.inputDim(),
                student.outputDim(),
                kafka.block,
                d,
                c));
      }
      agreement = goldenAgreement(teacher, student);
    }
    TopicSetup.ensure(connection, kafka.topics());
    StudentRelease r =
        StudentPublisher.publish(
            connection,
            kafka.modelId,
            teacherId,
            kafka.block,
            student,
            agreement,
            signer,
            trusted.isEmpty() ? null : new ReleaseVerifier(trusted));
    System.out.printf(
        Locale.ROOT,
        "published %s version %d (parent %d): %s student, %d %s, %,d parameters%s%n",
        r.modelId(),
        r.version(),
        r.parentVersion(),
        student instanceof ConvStudent ? "CNN" : "MLP",
        student.hiddenUnits(),
        student instanceof ConvStudent ? "filters" : "units",
        student.parameterCount(),
        Double.isNaN(agreement)
            ? ""
            : String.format(Locale.ROOT, ", %.1f %% golden-set agreement", 100 * agreement));
    return 0;
  }

  /** Agreement on the teacher folder's golden images, NaN when it has none. */
  private double goldenAgreement(DjlTeacher teacher, Student student) throws IOException {
    Path golden = GoldenImages.of(teacherOptions.model);
    if (!Files.isDirectory(golden)) {
      return Double.NaN;
    }
    return GoldenImages.load(teacher, kafka.block, golden).agreement(student);
  }
}
