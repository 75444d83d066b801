package org.convexdistill.core.student;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StudentBlockTest {
  // d = 2, C = 2, scales (2, 4); gates g0 = (1, 0), g1 = (0, 1);
  // unit 0: gate g0 → output 0, W1 = (1, 1), w2 = 2
  // unit 1: gate g1 → output 1, W1 = (1, -1), w2 = 3
  private final StudentBlock student =
      new StudentBlock(
          2,
          2,
          new float[] {2, 4},
          new float[] {1, 0, 0, 1},
          new int[] {0, 1},
          new int[] {0, 1},
          new float[] {1, 1, 1, -1},
          new float[] {2, 3});

  @Test
  void shouldComputeTheHandWorkedForwardPass() {
    // z = (2, -4) → zn = (1, -1). Gate 0: 1 > 0 open; gate 1: -1 closed.
    // out0 = 2·(1 − 1) = 0; out1 = 0 (closed).
    // z = (4, 8) → zn = (2, 2). Both open. out0 = 2·4 = 8; out1 = 3·0 = 0.
    // z = (-2, 4) → zn = (-1, 1). Gate 0 closed; gate 1 open: out1 = 3·(−1 − 1) = −6.
    float[] z = {2, -4, 4, 8, -2, 4};
    float[] out = new float[6];
    student.forward(z, 3, out, student.newWorkspace(4));
    assertThat(out).containsExactly(new float[] {0, 0, 8, 0, 0, -6}, within(1e-6f));
  }

  @Test
  void shouldTreatAZeroScaleColumnAsZero() {
    StudentBlock s =
        new StudentBlock(
            2,
            1,
            new float[] {0, 1},
            new float[] {1, 1},
            new int[] {0},
            new int[] {0},
            new float[] {5, 1},
            new float[] {1});
    float[] out = new float[1];
    s.forward(new float[] {100, 2}, 1, out, s.newWorkspace(1));
    assertThat(out[0]).isEqualTo(2f);
  }

  @Test
  void shouldCountParametersLikeThePaper() {
    assertThat(student.parameterCount()).isEqualTo(2 * 3);
    assertThat(student.storedParameterCount()).isEqualTo(6 + 4 + 2);
    assertThat(student.hiddenUnits()).isEqualTo(2);
  }

  @Test
  void shouldCheckDimensions() {
    assertThatThrownBy(
            () -> student.forward(new float[3], 2, new float[4], student.newWorkspace(2)))
        .hasMessageContaining("input has 3 values, batch needs 4");
    assertThatThrownBy(
            () -> student.forward(new float[4], 2, new float[4], student.newWorkspace(1)))
        .hasMessageContaining("batch 2 exceeds workspace capacity 1");
    assertThatThrownBy(
            () ->
                new StudentBlock(
                    2,
                    1,
                    new float[] {1, 1},
                    new float[] {1, 1},
                    new int[] {1},
                    new int[] {0},
                    new float[2],
                    new float[1]))
        .hasMessageContaining("unit 0 uses missing gate 1");
  }

  @Test
  void sharedOutputForwardShouldEqualHiddenActivationsTimesTheSecondLayer() {
    StudentBlock s = StudentFormatTest.randomSharedStudent(7);
    int n = 5;
    float[] z = new float[n * 6];
    java.util.Random r = new java.util.Random(8);
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) r.nextGaussian();
    }
    float[] hidden = new float[n * 3];
    s.hidden(z, n, hidden, s.newWorkspace(n));
    float[] w2 = s.secondLayer();
    float[] out = new float[n * 4];
    s.forward(z, n, out, s.newWorkspace(n));
    boolean someOpen = false;
    for (int b = 0; b < n; b++) {
      for (int c = 0; c < 4; c++) {
        float expected = 0;
        for (int u = 0; u < 3; u++) {
          expected += hidden[b * 3 + u] * w2[u * 4 + c];
          someOpen |= hidden[b * 3 + u] != 0;
        }
        assertThat(out[b * 4 + c]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5f));
      }
    }
    assertThat(someOpen).as("the test must exercise open gates").isTrue();
    assertThat(s.gateParameters()).isEqualTo(2L * 6);
    assertThat(s.storedParameterCount()).isEqualTo(3L * 10 + 12 + 6);
  }

  @Test
  void aBatchOfManyTilesEqualsTheDefinitionRowByRow() {
    // Rows cross several tiles of the kernel; half the inputs are zero, as after a ReLU.
    int d = 37;
    int c = 5;
    int h = 23;
    int gates = 4;
    int n = 3 * StudentBlock.Workspace.TILE + 5;
    java.util.Random r = new java.util.Random(11);
    float[] scales = new float[d];
    for (int i = 0; i < d; i++) {
      scales[i] = 0.5f + r.nextFloat();
    }
    float[] g = randoms(r, gates * d);
    int[] unitGate = new int[h];
    int[] unitOutput = new int[h];
    for (int u = 0; u < h; u++) {
      unitGate[u] = r.nextInt(gates);
      unitOutput[u] = r.nextInt(c);
    }
    float[] w1 = randoms(r, h * d);
    float[] w2 = randoms(r, h);
    StudentBlock vector = new StudentBlock(d, c, scales, g, unitGate, unitOutput, w1, w2);
    float[] z = randoms(r, n * d);
    for (int i = 0; i < z.length; i++) {
      z[i] = Math.max(0f, z[i]);
    }
    // Both forwards: the Vector API's dot products, and the scalar one over W1ᵀ.
    for (StudentBlock s : new StudentBlock[] {vector, vector.withScalarForward()}) {
      assertDefinition(s, z, n, d, c, h, scales, g, unitGate, unitOutput, w1, w2);
    }
  }

  private static void assertDefinition(
      StudentBlock s,
      float[] z,
      int n,
      int d,
      int c,
      int h,
      float[] scales,
      float[] g,
      int[] unitGate,
      int[] unitOutput,
      float[] w1,
      float[] w2) {
    float[] out = new float[n * c];
    s.forward(z, n, out, s.newWorkspace(n));
    int open = 0;
    for (int b = 0; b < n; b++) {
      double[] expected = new double[c];
      for (int u = 0; u < h; u++) {
        double gate = 0;
        double pre = 0;
        for (int i = 0; i < d; i++) {
          double zn = z[b * d + i] / scales[i];
          gate += zn * g[unitGate[u] * d + i];
          pre += zn * w1[u * d + i];
        }
        if (gate > 0) {
          expected[unitOutput[u]] += w2[u] * pre;
          open++;
        }
      }
      for (int k = 0; k < c; k++) {
        assertThat(out[b * c + k])
            .as("row %d output %d", b, k)
            .isCloseTo((float) expected[k], within(1e-4f));
      }
    }
    assertThat(open).as("some gates must open and some stay closed").isBetween(1, n * h - 1);
  }

  private static float[] randoms(java.util.Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }
}
