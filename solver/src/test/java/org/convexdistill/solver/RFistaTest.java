package org.convexdistill.solver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.convexdistill.core.npy.NpyArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RFistaTest {
  private static NpyArray[] data;
  private static GatedReluProblem problem;
  private static RFista solver;
  private static SlowReference reference;

  @BeforeAll
  static void setUp() {
    data = SlowReference.randomData(300, 12, 3, 8, 11);
    problem = SlowReference.problem(data);
    solver = new RFista(problem, 2);
    reference = new SlowReference(data[0], data[1], data[2], true);
  }

  @AfterAll
  static void tearDown() {
    solver.close();
  }

  private static ConvexWeights randomWeights(long seed, double scale) {
    Random random = new Random(seed);
    float[] u = new float[3 * 8 * 12];
    for (int i = 0; i < u.length; i++) {
      u[i] = (float) (scale * random.nextGaussian());
    }
    return new ConvexWeights(3, 8, 12, u);
  }

  @Test
  void shouldSoftThresholdGroupByHandComputedAmount() {
    // x = v − η·g = (3, 4) − 0.5·(0, 0) has norm 5; threshold 1 shrinks it by 1/5.
    float[] v = {3f, 4f};
    float[] g = {0f, 0f};
    float[] out = new float[2];
    double moved = RFista.proxMetric(v, g, 0.5, 2.0, out, 0, 2, new float[2], 0, 0, 1);
    assertThat(out).containsExactly(2.4f, 3.2f);
    assertThat(moved).isCloseTo(0.6 * 0.6 + 0.8 * 0.8, within(1e-6));

    // v = (1, 1), g = (2, 0), η = 0.5 → x = (0, 1), norm 1; threshold 0.25 → (0, 0.75).
    RFista.proxMetric(
        new float[] {1f, 1f}, new float[] {2f, 0f}, 0.5, 0.5, out, 0, 2, new float[2], 0, 0, 1);
    assertThat(out[0]).isEqualTo(0f);
    assertThat(out[1]).isCloseTo(0.75f, within(1e-7f));
  }

  @Test
  void shouldTakeTheGroupSoftThresholdInTheEuclideanMetric() {
    Random random = new Random(12);
    for (int trial = 0; trial < 20; trial++) {
      int len = 9;
      float[] v = gaussian(random, len);
      float[] g = gaussian(random, len);
      float[] q = gaussian(random, len);
      double lambda = trial % 4 == 0 ? 50 : trial % 4 == 1 ? 1e-6 : 0.3;
      float[] plain = new float[len];
      float[] metric = new float[len];
      double quadPlain = softThreshold(v, g, 0.5f, 0.5 * lambda, plain, 0, len);
      double quadMetric = RFista.proxMetric(v, g, 0.5, lambda, metric, 0, len, q, 0, 0, 1);
      for (int i = 0; i < len; i++) {
        assertThat(metric[i]).as("trial %d entry %d", trial, i).isCloseTo(plain[i], within(1e-5f));
      }
      assertThat(quadMetric).isCloseTo(quadPlain, within(1e-5 * (1 + quadPlain)));
    }
  }

  @Test
  void shouldSatisfyTheOptimalityConditionOfTheProxInItsMetric() {
    // u minimises ⟨g, u − v⟩ + (u − v)ᵀM(u − v)/(2η) + λ‖u‖ with M = β(I + a·q qᵀ):
    // M(u − v)/η + g + λu/‖u‖ = 0 when u ≠ 0, and ‖Mv/η − g‖ ≤ λ when u = 0.
    Random random = new Random(21);
    int len = 7;
    for (int trial = 0; trial < 20; trial++) {
      float[] v = gaussian(random, len);
      float[] g = gaussian(random, len);
      float[] q = gaussian(random, len);
      double qn = 0;
      for (float x : q) {
        qn += (double) x * x;
      }
      for (int i = 0; i < len; i++) {
        q[i] = (float) (q[i] / Math.sqrt(qn));
      }
      double a = 0.5 + 20 * random.nextDouble();
      double beta = 0.05 + random.nextDouble();
      double eta = 0.7;
      double lambda = trial % 5 == 0 ? 40 : 0.4;
      float[] u = new float[len];
      RFista.proxMetric(v, g, eta, lambda, u, 0, len, q, 0, a, beta);
      double[] diff = new double[len];
      double dq = 0;
      double un = 0;
      for (int i = 0; i < len; i++) {
        diff[i] = (double) u[i] - v[i];
        dq += diff[i] * q[i];
        un += (double) u[i] * u[i];
      }
      un = Math.sqrt(un);
      if (un > 0) {
        for (int i = 0; i < len; i++) {
          double residual = beta * (diff[i] + a * dq * q[i]) / eta + g[i] + lambda * u[i] / un;
          assertThat(residual).as("trial %d entry %d", trial, i).isCloseTo(0, within(1e-4));
        }
      } else {
        double vq = 0;
        for (int i = 0; i < len; i++) {
          vq += (double) v[i] * q[i];
        }
        double norm2 = 0;
        for (int i = 0; i < len; i++) {
          double s = beta * (v[i] + a * vq * q[i]) / eta - g[i];
          norm2 += s * s;
        }
        assertThat(Math.sqrt(norm2)).as("trial %d", trial).isLessThanOrEqualTo(lambda * 1.0001);
      }
    }
  }

  /**
   * The group soft-threshold of one gradient step (the reference for the metric prox at a = 0):
   * with {@code x = v − η·grad} on [off, off+len), {@code out = x·max(0, 1 − threshold/‖x‖)}.
   * Returns {@code ‖out − v‖²} on that range.
   */
  private static double softThreshold(
      float[] v, float[] grad, float eta, double threshold, float[] out, int off, int len) {
    double norm2 = 0;
    for (int i = off; i < off + len; i++) {
      float x = v[i] - eta * grad[i];
      norm2 += (double) x * x;
    }
    double norm = Math.sqrt(norm2);
    double moved = 0;
    if (!(norm > threshold)) {
      // Exact zeros (not -0.0 or denormals): zero groups are what make the student small.
      for (int i = off; i < off + len; i++) {
        out[i] = 0f;
        moved += (double) v[i] * v[i];
      }
      return moved;
    }
    float scale = (float) (1 - threshold / norm);
    for (int i = off; i < off + len; i++) {
      float next = scale * (v[i] - eta * grad[i]);
      out[i] = next;
      float delta = next - v[i];
      moved += (double) delta * delta;
    }
    return moved;
  }

  private static float[] gaussian(Random random, int len) {
    float[] x = new float[len];
    for (int i = 0; i < len; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return x;
  }

  @Test
  void shouldZeroGroupWhoseNormIsBelowThreshold() {
    float[] out = {9f, 9f, 9f};
    RFista.proxMetric(
        new float[] {0.1f, -0.2f, 0.2f}, new float[3], 1, 0.31, out, 0, 3, new float[3], 0, 0, 1);
    assertThat(out).containsExactly(0f, 0f, 0f);
  }

  @Test
  void shouldComputeLossAndPenaltyLikeTheSlowReference() {
    ConvexWeights u = randomWeights(3, 0.3);
    double lambda = 0.01;
    Certificate c = solver.certify(u, lambda);
    double[] ud = SlowReference.toDouble(u.toNpy().data());
    assertThat(c.loss()).isCloseTo(reference.loss(ud), within(1e-5 * reference.loss(ud)));
    assertThat(c.penalty())
        .isCloseTo(reference.penalty(ud, lambda), within(1e-5 * reference.penalty(ud, lambda)));
  }

  @Test
  void shouldMatchFiniteDifferencesOfTheSlowReferenceLoss() {
    ConvexWeights u = randomWeights(5, 0.2);
    ConvexWeights grad = solver.gradientAt(u);
    double[] ud = SlowReference.toDouble(u.toNpy().data());
    Random random = new Random(9);
    for (int trial = 0; trial < 12; trial++) {
      assertGradientEntry(reference, ud, grad.toNpy().data(), random.nextInt(ud.length));
    }
  }

  /** Entry idx of {@code grad} equals the central difference of the slow reference's loss. */
  private static void assertGradientEntry(SlowReference slow, double[] ud, float[] grad, int idx) {
    double h = 1e-4;
    double[] plus = ud.clone();
    double[] minus = ud.clone();
    plus[idx] += h;
    minus[idx] -= h;
    double fd = (slow.loss(plus) - slow.loss(minus)) / (2 * h);
    assertThat((double) grad[idx])
        .as("gradient entry %d", idx)
        .isCloseTo(fd, within(2e-4 * Math.abs(fd) + 1e-7));
  }

  @Test
  void shouldComputeLambdaMaxAndReturnExactZerosAtOrAboveIt() {
    assertThat(solver.lambdaMax())
        .isCloseTo(reference.lambdaMax(), within(1e-5 * reference.lambdaMax()));
    SolverResult r =
        solver.solve(
            SolverOptions.builder()
                .setLambda(solver.lambdaMax())
                .optWarmStart(randomWeights(1, 1))
                .build());
    assertThat(r.stopReason()).isEqualTo(StopReason.ZERO_SOLUTION);
    assertThat(r.weights().toNpy().data()).containsOnly(0f);
    assertThat(r.relativeGap()).isCloseTo(0, within(1e-6));

    // Just below λ_max at least one group becomes active.
    SolverResult below =
        solver.solve(SolverOptions.builder().setLambda(0.9 * solver.lambdaMax()).build());
    assertThat(below.nonzeroGroups()).isPositive();
  }

  @Test
  void shouldHaveNonNegativeGapAtRandomPoints() {
    for (long seed = 0; seed < 10; seed++) {
      ConvexWeights u = randomWeights(100 + seed, seed % 2 == 0 ? 0.05 : 1.0);
      double lambda = solver.lambdaMax() * (0.01 + 0.1 * seed);
      Certificate c = solver.certify(u, lambda);
      assertThat(c.gap()).as("seed %d", seed).isGreaterThanOrEqualTo(-1e-7 * c.objective());
      assertThat(c.relativeGap()).isGreaterThan(1e-4);
    }
  }

  @Test
  void shouldDriveGapToZeroAndSatisfyKktAtTheOptimum() {
    double lambda = 0.1 * solver.lambdaMax();
    SolverResult r =
        solver.solve(
            SolverOptions.builder()
                .setLambda(lambda)
                .optGapTolerance(1e-6)
                .optSubgradientTolerance(0)
                .build());
    assertThat(r.stopReason()).isEqualTo(StopReason.DUALITY_GAP);
    assertThat(r.relativeGap()).isBetween(-1e-6, 1e-6);
    assertThat(r.nonzeroGroups()).isBetween(1, r.totalGroups() - 1);

    // KKT: ∇_g + λ·u_g/‖u_g‖ = 0 for active groups, ‖∇_g‖ ≤ λ for zero groups.
    ConvexWeights u = r.weights();
    ConvexWeights g = solver.gradientAt(u);
    for (int k = 0; k < 3; k++) {
      for (int j = 0; j < 8; j++) {
        double norm = u.groupNorm(k, j);
        if (norm > 0) {
          double res = 0;
          for (int i = 0; i < 12; i++) {
            double e = g.get(k, j, i) + lambda * u.get(k, j, i) / norm;
            res += e * e;
          }
          assertThat(Math.sqrt(res)).as("active group %d,%d", k, j).isLessThan(0.02 * lambda);
        } else {
          assertThat(g.groupNorm(k, j)).as("zero group %d,%d", k, j).isLessThan(1.001 * lambda);
        }
      }
    }
    // The certificate bounds the distance to any other point's objective from below.
    Certificate other = solver.certify(randomWeights(77, 0.1), lambda);
    assertThat(other.objective()).isGreaterThan(r.certificate().dualValue());
  }

  @Test
  void shouldMatchLeastSquaresWhenLambdaIsZero() {
    // Over-determined: n = 300 rows, P·d = 96 unknowns per output.
    SolverResult r =
        solver.solve(
            SolverOptions.builder()
                .setLambda(0)
                .optSubgradientTolerance(1e-10)
                .optMaxIterations(20000)
                .build());
    assertThat(r.stopReason()).isEqualTo(StopReason.SUBGRADIENT);
    double lsq = leastSquaresLoss();
    assertThat(r.certificate().loss()).isCloseTo(lsq, within(1e-4 * lsq));
  }

  /** Normal equations per output, solved in double by Cholesky-free Gaussian elimination. */
  private static double leastSquaresLoss() {
    int cols = reference.p * reference.d;
    double total = 0;
    for (int k = 0; k < reference.c; k++) {
      double[][] a = new double[cols][cols + 1];
      for (int r = 0; r < reference.n; r++) {
        double[] x = new double[cols];
        for (int j = 0; j < reference.p; j++) {
          if (reference.mask[r][j]) {
            for (int i = 0; i < reference.d; i++) {
              x[j * reference.d + i] = reference.zn[r][i];
            }
          }
        }
        for (int s = 0; s < cols; s++) {
          for (int t = 0; t < cols; t++) {
            a[s][t] += x[s] * x[t];
          }
          a[s][cols] += x[s] * reference.y[r][k];
        }
      }
      double[] sol = gaussSolve(a, cols);
      for (int r = 0; r < reference.n; r++) {
        double pred = 0;
        for (int j = 0; j < reference.p; j++) {
          if (reference.mask[r][j]) {
            for (int i = 0; i < reference.d; i++) {
              pred += reference.zn[r][i] * sol[j * reference.d + i];
            }
          }
        }
        double e = pred - reference.y[r][k];
        total += e * e;
      }
    }
    return total / (2.0 * reference.n * reference.c);
  }

  private static double[] gaussSolve(double[][] a, int n) {
    for (int col = 0; col < n; col++) {
      int pivot = col;
      for (int r = col + 1; r < n; r++) {
        if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
          pivot = r;
        }
      }
      double[] tmp = a[col];
      a[col] = a[pivot];
      a[pivot] = tmp;
      for (int r = col + 1; r < n; r++) {
        double f = a[r][col] / a[col][col];
        for (int c = col; c <= n; c++) {
          a[r][c] -= f * a[col][c];
        }
      }
    }
    double[] x = new double[n];
    for (int r = n - 1; r >= 0; r--) {
      double s = a[r][n];
      for (int c = r + 1; c < n; c++) {
        s -= a[r][c] * x[c];
      }
      x[r] = s / a[r][r];
    }
    return x;
  }

  @Test
  void shouldStopAtIterationLimitAndSayWhy() {
    SolverResult r =
        solver.solve(
            SolverOptions.builder()
                .setLambda(0.05 * solver.lambdaMax())
                .optGapTolerance(0)
                .optSubgradientTolerance(0)
                .optMaxIterations(7)
                .build());
    assertThat(r.stopReason()).isEqualTo(StopReason.MAX_ITERATIONS);
    assertThat(r.converged()).isFalse();
    assertThat(r.iterations()).isEqualTo(7);
    assertThat(r.relativeGap()).isPositive();
  }

  @Test
  void shouldSolveTheProblemRestrictedToAllowedGroups() {
    double lambda = 0.1 * solver.lambdaMax();
    SolverOptions options = SolverOptions.builder().setLambda(lambda).optGapTolerance(1e-6).build();
    SolverResult full = solver.solve(options);
    boolean[] support = full.weights().support();

    // Restricted to the optimum's own support, the optimum is the same.
    SolverResult same = solver.solve(options.withAllowedGroups(support));
    assertThat(Math.abs(same.objective() - full.objective()) / full.objective()).isLessThan(1e-5);

    // Restricted to half of it: the other groups stay exactly zero and the objective rises.
    boolean[] half = support.clone();
    int kept = 0;
    for (int g = 0; g < half.length; g++) {
      if (half[g] && kept++ % 2 == 1) {
        half[g] = false;
      }
    }
    SolverResult r = solver.solve(options.withAllowedGroups(half));
    for (int g = 0; g < half.length; g++) {
      if (!half[g]) {
        assertThat(r.weights().groupNorm(g / 8, g % 8)).as("group %d", g).isZero();
      }
    }
    assertThat(r.converged()).isTrue();
    assertThat(r.objective()).isGreaterThan(full.objective() * (1 + 1e-4));
  }

  @Test
  void shouldReachTheSameCertifiedOptimumOnWorkingSetsAsOnAllGroups() {
    // 16 outputs × 16 gates = 256 groups: enough for working sets smaller than the problem.
    NpyArray[] wide = SlowReference.randomData(240, 6, 16, 16, 21);
    try (RFista wideSolver = new RFista(SlowReference.problem(wide), 2)) {
      for (double ratio : new double[] {0.5, 0.1}) {
        double lambda = ratio * wideSolver.lambdaMax();
        SolverOptions.Builder b = SolverOptions.builder().setLambda(lambda).optGapTolerance(1e-6);
        SolverResult everyGroup = wideSolver.solve(b.optWorkingSet(false).build());
        SolverResult workingSets = wideSolver.solve(b.optWorkingSet(true).build());

        assertThat(everyGroup.outerIterations()).isEqualTo(1);
        assertThat(everyGroup.workingSetPeak()).isEqualTo(256);
        // The first set holds every group violating optimality at zero, so one outer step may
        // do; the restricted solves still touch fewer groups than the problem has.
        assertThat(workingSets.workingSetPeak()).as("ratio %s", ratio).isLessThan(256);
        assertThat(workingSets.stopReason()).isEqualTo(StopReason.DUALITY_GAP);
        // The working-set result is certified on the whole problem: recompute it independently.
        Certificate recomputed = wideSolver.certify(workingSets.weights(), lambda);
        assertThat(recomputed.relativeGap()).isLessThan(2e-6);
        assertThat(Math.abs(workingSets.objective() - everyGroup.objective()))
            .isLessThan(2e-6 * everyGroup.objective());
        assertThat(workingSets.weights().support()).isEqualTo(everyGroup.weights().support());
      }
    }
  }

  @Test
  void shouldComputeTheSameProductsOnEachGatesOwnRowsAsWithMasks() {
    // 64 outputs × 4 gates: every gate has ≥ 32 columns, so products run on each gate's own rows
    // (GateRows) instead of the masked Zn; they must be the model's products all the same.
    NpyArray[] many = SlowReference.randomData(200, 7, 64, 4, 31);
    SlowReference slow = new SlowReference(many[0], many[1], many[2], true);
    try (RFista manySolver = new RFista(SlowReference.problem(many), 2)) {
      Random random = new Random(4);
      float[] u = new float[64 * 4 * 7];
      for (int i = 0; i < u.length; i++) {
        u[i] = (float) (0.3 * random.nextGaussian());
      }
      ConvexWeights weights = new ConvexWeights(64, 4, 7, u);
      float[] fast = manySolver.predict(weights);
      double[][] expected = slow.predict(SlowReference.toDouble(u));
      for (int r = 0; r < 200; r++) {
        for (int k = 0; k < 64; k++) {
          assertThat((double) fast[r * 64 + k])
              .as("row %d output %d", r, k)
              .isCloseTo(expected[r][k], within(1e-4 * (1 + Math.abs(expected[r][k]))));
        }
      }
      double[] ud = SlowReference.toDouble(u);
      float[] grad = manySolver.gradientAt(weights).toNpy().data();
      for (int idx : new int[] {0, 5, 100, 777, 1500, u.length - 1}) {
        assertGradientEntry(slow, ud, grad, idx);
      }
    }
  }

  @Test
  void shouldReportTheCertificateOfTheWeightsItReturnsWhenOutputsFreezeEarly() {
    // Outputs of very different difficulty (some targets nearly zero) freeze at different
    // iterations and leave the products; the certificate the solve reports must still be the
    // exact one of the weights it returns, recomputed from scratch.
    NpyArray[] many = SlowReference.randomData(240, 6, 48, 4, 41);
    float[] y = many[1].data();
    for (int r = 0; r < 240; r++) {
      for (int k = 0; k < 48; k += 3) {
        y[r * 48 + k] *= 1e-3f;
      }
    }
    NpyArray targets = NpyArray.of(y, 240, 48);
    GatedReluProblem p =
        GatedReluProblem.builder().setInputs(many[0]).setTargets(targets).setGates(many[2]).build();
    try (RFista manySolver = new RFista(p, 2)) {
      for (double ratio : new double[] {0.3, 0.05}) {
        double lambda = ratio * manySolver.lambdaMax();
        SolverOptions.Builder b = SolverOptions.builder().setLambda(lambda).optGapTolerance(1e-6);
        SolverResult workingSets = manySolver.solve(b.build());
        SolverResult everyGroup = manySolver.solve(b.optWorkingSet(false).build());
        for (SolverResult r : new SolverResult[] {workingSets, everyGroup}) {
          assertThat(r.stopReason()).isEqualTo(StopReason.DUALITY_GAP);
          Certificate recomputed = manySolver.certify(r.weights(), lambda);
          assertThat(recomputed.objective()).isCloseTo(r.objective(), within(1e-6 * r.objective()));
          assertThat(recomputed.relativeGap()).isLessThan(2e-6);
        }
        assertThat(Math.abs(workingSets.objective() - everyGroup.objective()))
            .isLessThan(2e-6 * everyGroup.objective());
      }
    }
  }
}
