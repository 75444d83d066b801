package org.convexdistill.solver;

import java.util.List;
import org.convexdistill.core.student.StudentBlock;

/**
 * The paper's polishing of a one-vs-all student (appendix A.2): keep its gates and first layer,
 * refit a second layer shared across outputs by the group elastic net of {@link SharedLayerFit} on
 * the training rows, and keep the largest student within a parameter budget (units·(d + C)).
 */
public final class SharedLayerPolish {
  private SharedLayerPolish() {}

  /**
   * How to polish.
   *
   * @param maxParams the budget in weights, units·(d + C)
   * @param alpha the group-lasso share of the elastic-net penalty
   */
  public record Options(
      long maxParams,
      double alpha,
      int pathPoints,
      double minRatio,
      double gapTolerance,
      int maxIterations) {
    /** A 30-point path down to 1e-5·λmax, α = 0.95, gap 1e-4, 2,000 iterations a point. */
    public static Options forBudget(long maxParams) {
      return new Options(maxParams, 0.95, 30, 1e-5, 1e-4, 2000);
    }
  }

  /**
   * The polished student and the solve that produced it.
   *
   * @param path every point solved, from λmax down
   */
  public record Polished(
      StudentBlock student, SharedLayerFit.Result result, List<SharedLayerFit.Result> path) {}

  /**
   * Polishes {@code oneVsAll} (a per-output student) on n rows of its block's inputs {@code z} and
   * outputs {@code y}.
   */
  public static Polished polish(StudentBlock oneVsAll, float[] z, float[] y, int n, Options o) {
    int h = oneVsAll.hiddenUnits();
    int d = oneVsAll.inputDim();
    int c = oneVsAll.outputDim();
    float[] phi = features(oneVsAll, z, n);
    int maxUnits = (int) Math.min(h, o.maxParams() / (d + c));
    if (maxUnits < 1) {
      throw new InvalidProblemException(
          "a budget of " + o.maxParams() + " weights holds no shared-output unit of " + (d + c));
    }
    try (SharedLayerFit fit = new SharedLayerFit(phi, y, n, h, c)) {
      List<SharedLayerFit.Result> path =
          fit.path(
              o.alpha(),
              o.pathPoints(),
              o.minRatio(),
              maxUnits,
              o.gapTolerance(),
              o.maxIterations());
      SharedLayerFit.Result chosen = null;
      for (SharedLayerFit.Result r : path) {
        if (r.nonzeroRows() <= maxUnits && r.nonzeroRows() > 0) {
          chosen = r;
        }
      }
      if (chosen == null) {
        throw new InvalidProblemException(
            "no λ on the polishing path keeps a unit within the budget");
      }
      return new Polished(oneVsAll.withSharedSecondLayer(chosen.weights()), chosen, path);
    }
  }

  /**
   * Polishes {@code oneVsAll} at one λ, {@code ratio}·λmax of the polishing problem, starting from
   * its own (one-hot) second layer: the learner's refit, where the unit budget was already kept by
   * the one-vs-all solve and a small ratio mainly removes the group lasso's shrinkage and lets
   * every unit feed every output.
   */
  public static Polished atRatio(
      StudentBlock oneVsAll,
      float[] z,
      float[] y,
      int n,
      double ratio,
      double alpha,
      double gapTolerance,
      int maxIterations) {
    int h = oneVsAll.hiddenUnits();
    float[] phi = features(oneVsAll, z, n);
    try (SharedLayerFit fit = new SharedLayerFit(phi, y, n, h, oneVsAll.outputDim())) {
      SharedLayerFit.Result r =
          fit.solve(
              ratio * fit.lambdaMax(alpha),
              alpha,
              oneHotSecondLayer(oneVsAll),
              gapTolerance,
              maxIterations);
      if (r.nonzeroRows() == 0) {
        throw new InvalidProblemException("the shared-layer refit dropped every unit");
      }
      return new Polished(oneVsAll.withSharedSecondLayer(r.weights()), r, List.of(r));
    }
  }

  /** Φ: the student's hidden activations on the rows, n × h. */
  public static float[] features(StudentBlock s, float[] z, int n) {
    int h = s.hiddenUnits();
    int d = s.inputDim();
    float[] phi = new float[n * h];
    int chunk = 256;
    StudentBlock.Workspace ws = s.newWorkspace(chunk);
    float[] zc = new float[chunk * d];
    float[] hc = new float[chunk * h];
    for (int from = 0; from < n; from += chunk) {
      int b = Math.min(chunk, n - from);
      System.arraycopy(z, from * d, zc, 0, b * d);
      s.hidden(zc, b, hc, ws);
      System.arraycopy(hc, 0, phi, from * h, b * h);
    }
    return phi;
  }

  /** The one-vs-all student's second layer as an h × C matrix (one non-zero a row). */
  public static float[] oneHotSecondLayer(StudentBlock oneVsAll) {
    int h = oneVsAll.hiddenUnits();
    int c = oneVsAll.outputDim();
    float[] w = new float[h * c];
    int[] outputs = oneVsAll.unitOutputs();
    float[] second = oneVsAll.secondLayer();
    for (int u = 0; u < h; u++) {
      w[u * c + outputs[u]] = second[u];
    }
    return w;
  }
}
