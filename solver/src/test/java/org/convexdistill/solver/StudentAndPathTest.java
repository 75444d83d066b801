package org.convexdistill.solver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.convexdistill.core.npy.NpyArray;
import org.convexdistill.core.student.StudentBlock;
import org.junit.jupiter.api.Test;

class StudentAndPathTest {

  @Test
  void shouldGiveAStudentWhoseForwardPassEqualsTheConvexPrediction() {
    NpyArray[] data = SlowReference.randomData(400, 20, 4, 10, 3);
    GatedReluProblem problem = SlowReference.problem(data);
    try (RFista solver = new RFista(problem)) {
      SolverResult r =
          solver.solve(SolverOptions.builder().setLambda(0.1 * solver.lambdaMax()).build());
      StudentBlock student = StudentFactory.fromSolution(problem, r.weights());
      assertThat(student.hiddenUnits()).isEqualTo(r.nonzeroGroups()).isLessThan(r.totalGroups());
      assertThat(student.parameterCount()).isEqualTo((long) r.nonzeroGroups() * 21);

      float[] convex = solver.predict(r.weights());
      float[] out = new float[convex.length];
      // Raw Z: the student must apply the stored column normalisation itself.
      student.forward(data[0].data(), 400, out, student.newWorkspace(400));
      double scale = 0;
      for (float v : convex) {
        scale = Math.max(scale, Math.abs(v));
      }
      for (int i = 0; i < out.length; i++) {
        assertThat(out[i]).isCloseTo(convex[i], within((float) (1e-5 * scale)));
      }
    }
  }

  @Test
  void shouldWalkThePathAndSelectTheLargestStudentWithinTheBudget() {
    NpyArray[] data = SlowReference.randomData(400, 16, 4, 8, 5);
    GatedReluProblem problem = SlowReference.problem(data);
    try (RFista solver = new RFista(problem)) {
      SolverOptions base = SolverOptions.builder().setLambda(1).build();
      RegularizationPath.Path full = new RegularizationPath(solver, base).run(8, 0.01, 0);
      assertThat(full.points()).hasSize(8);
      assertThat(full.points().get(0).result().nonzeroGroups()).isZero();
      assertThat(full.points().get(7).lambda()).isCloseTo(0.01 * solver.lambdaMax(), within(1e-9));
      for (RegularizationPath.Point p : full.points()) {
        assertThat(p.result().converged()).isTrue();
      }

      int target = 9;
      RegularizationPath.Path budget = new RegularizationPath(solver, base).run(8, 0.01, target);
      RegularizationPath.Point chosen = budget.selectedPoint();
      assertThat(chosen).isNotNull();
      assertThat(chosen.result().nonzeroGroups()).isLessThanOrEqualTo(target);
      for (RegularizationPath.Point p : budget.points()) {
        if (p.result().nonzeroGroups() <= target) {
          assertThat(p.result().nonzeroGroups())
              .isLessThanOrEqualTo(chosen.result().nonzeroGroups());
        }
      }
      assertThat(budget.points().get(budget.points().size() - 1).result().nonzeroGroups())
          .isGreaterThan(target);
    }
  }

  @Test
  void shouldListTheGeometricGridFromLambdaMax() {
    double[] grid = RegularizationPath.geometricGrid(2.0, 3, 0.25);
    assertThat(grid).containsExactly(new double[] {2.0, 1.0, 0.5}, within(1e-12));
  }
}
