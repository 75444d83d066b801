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
}
