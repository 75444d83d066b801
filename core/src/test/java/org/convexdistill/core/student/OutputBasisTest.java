package org.convexdistill.core.student;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class OutputBasisTest {
  /** A basis of r random unit reflectors in dimension c with scales in [1, 5). */
  static OutputBasis randomBasis(int c, int r, long seed) {
    Random random = new Random(seed);
    float[] v = new float[r * c];
    float[] s = new float[r];
    for (int i = 0; i < r; i++) {
      double norm = 0;
      for (int j = 0; j < c; j++) {
        v[i * c + j] = (float) random.nextGaussian();
        norm += v[i * c + j] * v[i * c + j];
      }
      for (int j = 0; j < c; j++) {
        v[i * c + j] /= (float) Math.sqrt(norm);
      }
      s[i] = 1 + 4 * random.nextFloat();
    }
    return new OutputBasis(c, v, s);
  }

  @Test
  void shouldMapBackToTheSameRows() {
    OutputBasis b = randomBasis(9, 3, 1);
    Random r = new Random(2);
    float[] rows = new float[5 * 9];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = (float) r.nextGaussian();
    }
    float[] x = rows.clone();
    b.toBasis(x, 5);
    assertThat(x).isNotEqualTo(rows);
    b.fromBasis(x, 5);
    for (int i = 0; i < rows.length; i++) {
      assertThat(x[i]).isCloseTo(rows[i], within(1e-5f));
    }
  }

  @Test
  void shouldBeAnIsometryWhenEveryScaleIsOne() {
    // Unit scales leave only the reflections: lengths are kept, so only the weights change the
    // metric.
    OutputBasis weighted = randomBasis(6, 2, 3);
    OutputBasis plain = new OutputBasis(6, weighted.reflectors(), new float[] {1, 1});
    float[] row = {1, -2, 0.5f, 3, 0, -1};
    float[] x = row.clone();
    plain.toBasis(x, 1);
    assertThat(norm(x)).isCloseTo(norm(row), within(1e-5));
    float[] y = row.clone();
    weighted.toBasis(y, 1);
    assertThat(norm(y)).isGreaterThan(norm(row));
  }

  @Test
  void shouldRefuseReflectorsThatAreNotUnitVectors() {
    assertThatThrownBy(() -> new OutputBasis(2, new float[] {1, 1}, new float[] {2}))
        .hasMessageContaining("squared norm");
    assertThatThrownBy(() -> new OutputBasis(2, new float[] {1, 0}, new float[] {0}))
        .hasMessageContaining("scale 0");
  }

  @Test
  void shouldFoldIntoASharedSecondLayer() {
    OutputBasis b = randomBasis(4, 2, 5);
    StudentBlock s = StudentFormatTest.randomSharedStudent(6);
    StudentBlock folded = s.inBasis(b);
    assertThat(folded.outputBasis()).isNull();
    assertThat(folded.parameterCount()).isEqualTo(s.parameterCount());
    float[] z = gaussian(3 * 6, 7);
    float[] plain = new float[3 * 4];
    s.forward(z, 3, plain, s.newWorkspace(3));
    b.fromBasis(plain, 3);
    float[] out = new float[3 * 4];
    folded.forward(z, 3, out, folded.newWorkspace(3));
    for (int i = 0; i < out.length; i++) {
      assertThat(out[i]).isCloseTo(plain[i], within(1e-4f));
    }
  }

  @Test
  void shouldReadAStudentOfTheLeadingCoordinatesWithTheOthersZero() {
    OutputBasis b = randomBasis(3, 2, 11);
    // randomStudent has 3 outputs; one of 2 outputs stands for a fit of the 2 leading coordinates.
    StudentBlock full = StudentFormatTest.randomStudent(12);
    int[] outputs = full.unitOutputs();
    for (int u = 0; u < outputs.length; u++) {
      outputs[u] %= 2;
    }
    StudentBlock narrow =
        new StudentBlock(
            full.inputDim(),
            2,
            full.columnScales(),
            full.gates(),
            full.unitGates(),
            outputs,
            full.firstLayer(),
            full.secondLayer());
    StudentBlock wide = narrow.inBasis(b);
    assertThat(wide.outputDim()).isEqualTo(3);
    float[] z = gaussian(2 * 7, 13);
    float[] two = new float[2 * 2];
    narrow.forward(z, 2, two, narrow.newWorkspace(2));
    float[] expected = {two[0], two[1], 0, two[2], two[3], 0};
    b.fromBasis(expected, 2);
    float[] out = new float[2 * 3];
    wide.forward(z, 2, out, wide.newWorkspace(2));
    for (int i = 0; i < out.length; i++) {
      assertThat(out[i]).isCloseTo(expected[i], within(1e-5f));
    }
  }

  @Test
  void shouldKeepASharedStudentOfTheLeadingCoordinatesCompact() throws Exception {
    OutputBasis b = randomBasis(9, 4, 21);
    // randomSharedStudent has d = 6 and 4 outputs: here, the basis's 4 leading coordinates.
    StudentBlock narrow = StudentFormatTest.randomSharedStudent(22);
    StudentBlock compact = narrow.inBasis(b);
    assertThat(compact.outputDim()).isEqualTo(9);
    assertThat(compact.isSharedOutput()).isTrue();
    assertThat(compact.parameterCount()).isEqualTo(3L * (6 + 4) + 4L * (9 + 1));
    StudentBlock back = StudentFormat.decode(StudentFormat.encode(compact));
    assertThat(back.outputBasis()).isEqualTo(b);
    assertThat(back.secondLayer()).containsExactly(narrow.secondLayer());
    float[] z = gaussian(2 * 6, 23);
    float[] four = new float[2 * 4];
    narrow.forward(z, 2, four, narrow.newWorkspace(2));
    float[] expected = new float[2 * 9];
    for (int i = 0; i < 2; i++) {
      System.arraycopy(four, i * 4, expected, i * 9, 4);
    }
    b.fromBasis(expected, 2);
    float[] out = new float[2 * 9];
    back.forward(z, 2, out, back.newWorkspace(2));
    for (int i = 0; i < out.length; i++) {
      assertThat(out[i]).isCloseTo(expected[i], within(1e-5f));
    }
  }

  private static float[] gaussian(int n, long seed) {
    Random r = new Random(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }

  private static double norm(float[] x) {
    double s = 0;
    for (float v : x) {
      s += v * v;
    }
    return Math.sqrt(s);
  }
}
