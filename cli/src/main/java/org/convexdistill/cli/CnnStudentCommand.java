package org.convexdistill.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.convexdistill.app.UserException;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.core.student.ConvStudent;
import org.convexdistill.core.student.StudentFormat;
import org.convexdistill.core.teacher.Hybrid;
import org.convexdistill.core.teacher.TensorShape;
import org.convexdistill.learner.evaluation.HybridEvaluation;
import org.convexdistill.learner.offline.Activations;
import org.convexdistill.teacher.AdamSteps;
import org.convexdistill.teacher.CnnStudent;
import org.convexdistill.teacher.DjlTeacher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code distill cnn-student}: the paper's CNN students of one block, trained label-free. */
@Command(
    name = "cnn-student",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train a CNN student of a teacher block by Adam on the block's own activations (no labels):"
          + " the paper's gated CNN (eq. 8) or the non-convex ReLU one; write it as a student"
          + " file that 'distill publish' releases and serving runs, and score the hybrid on the"
          + " test set."
    })
final class CnnStudentCommand implements Callable<Integer> {
  /** The paper's Table 1 filters for blocks 1–4. */
  private static final int[] TABLE1_FILTERS = {60, 128, 256, 256};

  @Option(names = "--block", description = "Block to replace, 1..4 (default: ${DEFAULT-VALUE}).")
  int block = 4;

  @Option(
      names = "--architecture",
      description = "GATED (eq. 8) or RELU (default: ${DEFAULT-VALUE}).")
  ConvStudent.Architecture architecture = ConvStudent.Architecture.GATED;

  @Option(
      names = "--filters",
      paramLabel = "F",
      description = "Filters F (default: the paper's Table 1, 60/128/256/256 for blocks 1-4).")
  int filters;

  @Option(names = "--steps", description = "Adam steps (default: ${DEFAULT-VALUE}).")
  int steps = 2000;

  @Option(names = "--batch", description = "Rows per Adam step (default: ${DEFAULT-VALUE}).")
  int batch = 50;

  @Option(names = "--lr", description = "Adam's step size (default: ${DEFAULT-VALUE}).")
  float learningRate = 3e-3f;

  @Option(names = "--seed", description = "Seed (default: ${DEFAULT-VALUE}).")
  long seed = 0;

  @Option(
      names = "--test-limit",
      description = "Evaluate on the first N test images (default: all).")
  int testLimit;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      required = true,
      description = "Student file to write (e.g. student-block4.cdsc).")
  Path out;

  @Mixin ImageSource source;

  @Mixin TeacherOptions teacherOptions;

  @Mixin DataOptions data;

  @Override
  public Integer call() throws Exception {
    if (block < 1 || block > 4) {
      throw new UserException("--block must be 1..4, got " + block);
    }
    if (filters < 0 || steps < 1 || batch < 2 || !(learningRate > 0) || testLimit < 0) {
      throw new UserException(
          "--filters must be >= 1, --steps >= 1, --batch >= 2, --lr > 0, --test-limit >= 0");
    }
    int f = filters > 0 ? filters : TABLE1_FILTERS[block - 1];
    Images images = source.load(data);
    LabeledImages test = data.load(FashionMnist.Split.TEST);
    if (testLimit > 0) {
      test = test.head(testLimit);
    }
    try (DjlTeacher teacher = teacherOptions.load()) {
      Activations a = Activations.extract(teacher, images, block);
      TensorShape in = teacher.blockInputShape(block);
      TensorShape outShape = teacher.blockOutputShape(block);
      int n = a.samples();
      int epochs = AdamSteps.epochsFor(steps, n, batch);
      long t0 = System.nanoTime();
      ConvStudent frozen;
      long withoutGate;
      try (CnnStudent s =
          CnnStudent.train(
              a.inputs().data(),
              a.outputs().data(),
              n,
              in,
              outShape,
              in.height() / outShape.height(),
              new CnnStudent.Options(architecture, f, epochs, batch, learningRate, seed))) {
        frozen = s.toStudent();
        withoutGate = s.parametersWithoutGate();
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      StudentFormat.write(out, frozen);
      HybridEvaluation.Figures fig =
          HybridEvaluation.evaluate(
              teacher,
              new Hybrid(teacher, Map.of(block, Hybrid.Replacement.of(frozen))),
              test,
              500);
      System.out.printf(
          Locale.ROOT,
          "%s CNN student of block %d: %d filters, %,d parameters (%,d without the gate"
              + " convolution; the block has %,d), %d unlabeled images, %d epochs, %.1f s%n"
              + "hybrid %.2f %% (teacher %.2f %%), top-1 agreement with the teacher %.2f %% on %d"
              + " test images%nwrote %s%n",
          architecture == ConvStudent.Architecture.GATED ? "gated (eq. 8)" : "ReLU",
          block,
          f,
          frozen.parameterCount(),
          withoutGate,
          teacher.blockParameters(block),
          n,
          epochs,
          seconds,
          100 * fig.hybridAccuracy(),
          100 * fig.teacherAccuracy(),
          100 * fig.agreement(),
          fig.images(),
          out);
    }
    return 0;
  }
}
