package org.convexdistill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.convexdistill.app.DataLocation;
import org.convexdistill.app.OfflinePipeline;
import org.convexdistill.app.Progress;
import org.convexdistill.app.TeacherProvider;
import org.convexdistill.app.UserException;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.core.npy.Npy;
import org.convexdistill.core.npy.NpyArray;
import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.learner.offline.DistillOptions;
import org.convexdistill.solver.GatedReluProblem;
import org.convexdistill.solver.RFista;
import org.convexdistill.solver.RegularizationPath;
import org.convexdistill.solver.SolverOptions;
import org.convexdistill.solver.SolverResult;
import org.convexdistill.solver.StudentFactory;
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
      solverCheck(out);
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

  private void solverCheck(PrintStream out) throws IOException {
    GatedReluProblem problem =
        GatedReluProblem.builder()
            .setInputs(resource("Z.npy"))
            .setTargets(resource("Y.npy"))
            .setGates(resource("G.npy"))
            .build();
    JsonNode reference;
    try (InputStream in = OfflineDemoCommand.class.getResourceAsStream("/demo/reference.json")) {
      reference = new ObjectMapper().readTree(in);
    }
    out.printf(
        "Bundled problem: n=%d, d=%d, C=%d, %d gates (%s)%n%n",
        problem.samples(),
        problem.inputDim(),
        problem.outputs(),
        problem.gates(),
        reference.get("source").asText());
    try (RFista solver = new RFista(problem)) {
      out.printf(
          "lambda_max = %.6g (reference %.6g)%n%n",
          solver.lambdaMax(), reference.get("lambda_max").asDouble());
      out.printf(
          "%-10s %14s %14s %10s %10s %7s %6s %7s%n",
          "lambda", "objective", "optimum", "rel.err", "rel.gap", "groups", "iters", "seconds");
      for (JsonNode c : reference.get("cases")) {
        double lambda = c.get("lambda").asDouble();
        Progress progress = new Progress(System.err, "solve", SolverOptions.DEFAULT_GAP_TOLERANCE);
        SolverResult r =
            solver.solve(SolverOptions.builder().setLambda(lambda).optListener(progress).build());
        progress.finish();
        double optimum = c.get("optimum").asDouble();
        out.printf(
            "%-10.5g %14.10f %14.10f %10.1e %10.1e %3d/%-3d %6d %7.2f%n",
            lambda,
            r.objective(),
            optimum,
            (r.objective() - optimum) / optimum,
            r.relativeGap(),
            r.nonzeroGroups(),
            r.totalGroups(),
            r.iterations(),
            r.seconds());
      }
      out.println();
      out.println("rel.gap is the duality-gap certificate: a proof that the objective is within");
      out.println("that fraction of the true optimum, computed with every solution.");
      out.println();

      var base = SolverOptions.builder().setLambda(solver.lambdaMax()).build();
      RegularizationPath.Path path =
          new RegularizationPath(solver, base).run(12, 0.01, targetGroups);
      RegularizationPath.Point chosen = path.selectedPoint();
      out.printf(
          "Warm-started path for a budget of %d hidden units: %d solves, %d iterations in all%n",
          targetGroups,
          path.points().size(),
          path.points().stream().mapToInt(p -> p.result().iterations()).sum());
      if (chosen == null) {
        out.println("no lambda keeps the student within the budget");
        return;
      }
      SolverResult r = chosen.result();
      StudentBlock student = StudentFactory.fromSolution(problem, r.weights());
      float[] convex = solver.predict(r.weights());
      float[] z = resource("Z.npy").data();
      float[] y = new float[convex.length];
      student.forward(z, problem.samples(), y, student.newWorkspace(problem.samples()));
      double maxDiff = 0;
      for (int i = 0; i < y.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(y[i] - convex[i]));
      }
      out.printf(
          "chosen lambda %.5g (%.3f lambda_max): %d hidden units, %d parameters, rel. gap %.1e%n",
          r.lambda(),
          r.lambda() / r.lambdaMax(),
          student.hiddenUnits(),
          student.parameterCount(),
          r.relativeGap());
      out.printf(
          "student forward pass vs convex model on the training inputs: max |diff| = %.2e%n",
          maxDiff);
    }
  }

  private static NpyArray resource(String name) throws IOException {
    try (InputStream in = OfflineDemoCommand.class.getResourceAsStream("/demo/" + name)) {
      if (in == null) {
        throw new IOException("bundled demo file " + name + " is missing from the jar");
      }
      return Npy.decode(in.readAllBytes());
    }
  }
}
