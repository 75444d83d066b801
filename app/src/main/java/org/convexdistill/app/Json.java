package org.convexdistill.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.convexdistill.solver.SolverResult;

/** JSON rendering of results, with stable snake_case keys other tools depend on. */
public final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The fields of one solve, in the order of {@code distill solve --json}. */
  public static Map<String, Object> solution(SolverResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("objective", r.objective());
    m.put("loss", r.certificate().loss());
    m.put("penalty", r.certificate().penalty());
    m.put("dual_value", r.certificate().dualValue());
    m.put("relative_gap", r.relativeGap());
    double sub = r.certificate().subgradientNormSquared();
    // ADMM certifies by its dual bound alone and has no subgradient at hand: null, not NaN.
    m.put("subgradient_norm_sq", Double.isFinite(sub) ? sub : null);
    m.put("iterations", r.iterations());
    m.put("backtracks", r.backtracks());
    m.put("restarts", r.restarts());
    m.put("outer_iterations", r.outerIterations());
    m.put("working_set_peak", r.workingSetPeak());
    m.put("stop_reason", r.stopReason().jsonName());
    m.put("converged", r.converged());
    m.put("seconds", r.seconds());
    m.put("nonzero_groups", r.nonzeroGroups());
    m.put("total_groups", r.totalGroups());
    m.put("student_params", (long) r.nonzeroGroups() * (r.weights().inputDim() + 1));
    m.put("lambda", r.lambda());
    m.put("lambda_max", r.lambdaMax());
    m.put("gflops", r.gflops());
    return m;
  }
}
