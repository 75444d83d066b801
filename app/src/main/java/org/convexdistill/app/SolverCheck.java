package org.convexdistill.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import org.convexdistill.core.npy.Npy;
import org.convexdistill.core.npy.NpyArray;
import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.solver.GatedReluProblem;
import org.convexdistill.solver.RFista;
import org.convexdistill.solver.RegularizationPath;
import org.convexdistill.solver.SolverOptions;
import org.convexdistill.solver.SolverResult;
import org.convexdistill.solver.StudentFactory;

/**
 * Step 1 of {@code offline-demo}: the solver on the bundled reference problem against an
 * independent float64 optimum (resources {@code /demo/}).
 */
public final class SolverCheck {
  private SolverCheck() {}

  /**
   * Solves the bundled problem at each reference λ and prints objective vs optimum and the
   * certificate, then a warm-started path to {@code targetGroups} hidden units and the student
   * conversion check.
   */
  public static void run(PrintStream out, int targetGroups) throws IOException {
    GatedReluProblem problem =
        GatedReluProblem.builder()
            .setInputs(resource("Z.npy"))
            .setTargets(resource("Y.npy"))
            .setGates(resource("G.npy"))
            .build();
    JsonNode reference;
    try (InputStream in = SolverCheck.class.getResourceAsStream("/demo/reference.json")) {
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
    try (InputStream in = SolverCheck.class.getResourceAsStream("/demo/" + name)) {
      if (in == null) {
        throw new IOException("bundled demo file " + name + " is missing from the jar");
      }
      return Npy.decode(in.readAllBytes());
    }
  }
}
