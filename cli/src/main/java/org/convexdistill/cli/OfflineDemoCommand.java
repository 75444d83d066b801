package org.convexdistill.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.convexdistill.app.DataLocation;
import org.convexdistill.app.OfflinePipeline;
import org.convexdistill.app.SolverCheck;
import org.convexdistill.app.TeacherProvider;
import org.convexdistill.app.UserException;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.learner.offline.DistillOptions;
import org.convexdistill.teacher.DjlTeacher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code distill offline-demo}: the offline pipeline on bundled defaults — a solver check on the
 * bundled reference problem, then the teacher (cached after its first training) and label-free
 * distillation of block 4 with the hybrid compared against the teacher.
 */
@Command(
    name = "offline-demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "The offline pipeline on bundled defaults: (1) check the solver on the bundled reference problem"
          + " against an independent float64 optimum; (2) load the cached teacher or train one"
          + " (first run only); (3) distil block 4 from unlabeled images, swap the student in and"
          + " compare the hybrid with the teacher."
    })
final class OfflineDemoCommand implements Callable<Integer> {
  @Option(
      names = "--target-groups",
      paramLabel = "N",
      description = "Hidden-unit budget of the solver check (default: ${DEFAULT-VALUE}).")
  int targetGroups = 10;

  @Option(
      names = "--teacher-epochs",
      description = "Epochs when the demo must train a teacher (default: ${DEFAULT-VALUE}).")
  int teacherEpochs = 2;

  @Option(
      names = "--samples",
      description = "Unlabeled images to distil from (default: ${DEFAULT-VALUE}).")
  int samples = 1000;

  @Option(names = "--compression", description = "Block-4 compression (default: ${DEFAULT-VALUE}).")
  double compression = 6;

  @Option(names = "--skip-solver-check", description = "Go straight to the distillation.")
  boolean skipSolverCheck;

  @Option(
      names = "--retrain",
      description = "Train a new teacher even when a cached one fits this data.")
  boolean retrain;

  @Option(
      names = "--min-teacher-accuracy",
      description =
          "Refuse to distil a teacher below this test accuracy (default: ${DEFAULT-VALUE}).")
  double minTeacherAccuracy = TeacherProvider.DEFAULT_ACCURACY_FLOOR;

  @Mixin TeacherOptions teacherOptions;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Fashion-MNIST folder (default: Debian's dataset-fashion-mnist, installed when missing).")
  Path data;

  @Override
  public Integer call() throws IOException {
    if (targetGroups <= 0 || teacherEpochs <= 0 || samples <= 0 || compression < 1) {
      throw new UserException(
          "--target-groups, --teacher-epochs, --samples must be > 0 and --compression >= 1");
    }
    PrintStream out = System.out;
    if (!skipSolverCheck) {
      out.println("== 1. Solver check on the bundled reference problem");
      SolverCheck.run(out, targetGroups);
      out.println();
    }
    Path dataDir = DataLocation.resolve(data, out);
    LabeledImages train = FashionMnist.load(dataDir, FashionMnist.Split.TRAIN);
    LabeledImages test = FashionMnist.load(dataDir, FashionMnist.Split.TEST);

    out.println("== 2. Teacher: ResNet-18 (torchvision layout) on Fashion-MNIST, 32x32");
    TeacherProvider.Provided provided =
        TeacherProvider.ensure(
            out,
            new TeacherProvider.Request(teacherOptions.model, teacherEpochs, retrain),
            train,
            test,
            dataDir);
    DjlTeacher teacher = provided.teacher();
    try {
      TeacherProvider.requireAccuracy(provided.card(), minTeacherAccuracy, teacherOptions.model);
    } catch (UserException e) {
      teacher.close();
      throw e;
    }
    out.println();
    try (teacher) {
      out.printf(
          "== 3. Label-free convex distillation of block 4 (%d unlabeled images, 1/%.0f of its"
              + " parameters)%n",
          Math.min(samples, train.count()), compression);
      ImageSource source = new ImageSource();
      source.samples = Math.min(samples, train.count());
      Images images = source.from(train);
      DistillOptions.Builder options =
          DistillOptions.builder().optCompression(compression).optMinRatio(1e-3).optPathPoints(12);
      OfflinePipeline.Result r =
          OfflinePipeline.run(teacher, images, test, List.of(4), options, System.err);
      OfflinePipeline.print(out, r);
    }
    return 0;
  }
}
