package org.convexdistill.solver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.convexdistill.core.npy.Npy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of the test resource {@code solver-reference/{small,medium}}: our float32 objective
 * must be within 1e-4 relative of the optimum an independent float64 solver found.
 */
class ReferenceProblemsTest {

  /**
   * The reference problems, copied into this module's test resources (see the README there for
   * where they came from) so a clone needs nothing beside it.
   */
  static Path referenceRoot() {
    URL url = ReferenceProblemsTest.class.getResource("/solver-reference/small/reference.json");
    if (url == null) {
      throw new IllegalStateException("test resource solver-reference/ is missing");
    }
    try {
      return Path.of(url.toURI()).getParent().getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    for (String name : List.of("small", "medium")) {
      JsonNode ref =
          new ObjectMapper().readTree(referenceRoot().resolve(name + "/reference.json").toFile());
      for (JsonNode c : ref.get("cases")) {
        cases.add(
            Arguments.of(
                name,
                c.get("lambda").asDouble(),
                c.get("optimum").get("objective").asDouble(),
                c.get("optimum").get("nonzero_groups").asInt(),
                ref.get("lambda_max").asDouble()));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} lambda={1}")
  @MethodSource("cases")
  void shouldReachTheReferenceOptimum(
      String name, double lambda, double optimum, int nonzeroGroups, double lambdaMax)
      throws IOException {
    Path dir = referenceRoot().resolve(name);
    GatedReluProblem problem =
        GatedReluProblem.builder()
            .setInputs(Npy.read(dir.resolve("Z.npy")))
            .setTargets(Npy.read(dir.resolve("Y.npy")))
            .setGates(Npy.read(dir.resolve("G.npy")))
            .build();
    try (RFista solver = new RFista(problem)) {
      assertThat(solver.lambdaMax())
          .isCloseTo(lambdaMax, org.assertj.core.data.Percentage.withPercentage(1e-3));
      SolverResult r = solver.solve(SolverOptions.builder().setLambda(lambda).build());
      assertThat(r.converged()).isTrue();
      assertThat(Math.abs(r.objective() - optimum) / optimum).isLessThan(1e-4);
      assertThat(r.relativeGap()).isLessThanOrEqualTo(SolverOptions.DEFAULT_GAP_TOLERANCE);
      // The certificate is honest: the true optimum lies between the dual and primal values.
      assertThat(r.certificate().dualValue()).isLessThanOrEqualTo(optimum * (1 + 1e-6));
      assertThat(r.nonzeroGroups()).isEqualTo(nonzeroGroups);
    }
  }
}
