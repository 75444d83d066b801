package org.convexdistill.teacher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.convexdistill.core.student.ConvStudent;
import org.convexdistill.core.student.Student;
import org.convexdistill.core.student.StudentFormat;
import org.convexdistill.core.teacher.TensorShape;
import org.junit.jupiter.api.Test;

/**
 * The paper's CNN students: the gated one's (eq. 8) Table 1 sizes; both architectures learn a real
 * block, and the frozen, engine-free copy serving runs answers what the trained network answers.
 */
class CnnStudentTest {
  @Test
  void hasThePapersTable1StudentCounts() {
    // F = 60 / 128 / 256 / 256 for blocks 1-4, the gate convolution counted as the table does.
    assertThat(CnnStudent.parameters(64, 64, 60, true)).isEqualTo(73_328);
    assertThat(CnnStudent.parameters(64, 128, 128, true)).isEqualTo(164_608);
    assertThat(CnnStudent.parameters(128, 256, 256, true)).isEqualTo(656_896);
    assertThat(CnnStudent.parameters(256, 512, 256, true)).isEqualTo(1_312_768);
    assertThat(CnnStudent.parameters(256, 512, 256, false)).isEqualTo(1_312_768 - 590_336);
  }

  @Test
  void learnsATeacherBlockFromItsActivationsAndCountsWhatItHolds() throws Exception {
    int n = 120;
    try (DjlTeacher teacher = DjlTeacher.create(10, 11, 40)) {
      float[] images = new float[n * 32 * 32];
      Random r = new Random(4);
      for (int i = 0; i < images.length; i++) {
        images[i] = (float) r.nextGaussian();
      }
      TensorShape in = teacher.blockInputShape(4);
      TensorShape out = teacher.blockOutputShape(4);
      float[] z = teacher.prefix(4, images, n);
      float[] y = teacher.block(4, z, n);
      for (ConvStudent.Architecture a : ConvStudent.Architecture.values()) {
        boolean gated = a == ConvStudent.Architecture.GATED;
        try (CnnStudent s =
            CnnStudent.train(
                z, y, n, in, out, 2, new CnnStudent.Options(a, 32, 150, 20, 3e-3f, 1))) {
          assertThat(s.parameters()).isEqualTo(CnnStudent.parameters(256, 512, 32, gated));
          assertThat(s.parametersWithoutGate())
              .isEqualTo(CnnStudent.parameters(256, 512, 32, false));
          float[] fit = s.apply(z, n);
          assertThat(fit).hasSameSizeAs(y);
          assertThat(mse(fit, y)).as(a.name()).isLessThan(0.5 * variance(y));

          // Frozen (BatchNorm folded), written and read back: the same outputs without the engine.
          ConvStudent frozen = s.toStudent();
          Student back =
              StudentFormat.decodeAny(
                  StudentFormat.encode(frozen), 0, StudentFormat.encode(frozen).length);
          assertThat(back).isInstanceOf(ConvStudent.class);
          assertThat(back.parameterCount()).isEqualTo(s.parameters());
          assertThat(back.hiddenUnits()).isEqualTo(32);
          float[] served = back.apply(z, n);
          assertThat(maxAbs(served, fit))
              .as(a.name())
              .isLessThan(1e-3 * maxAbs(fit, new float[fit.length]) + 1e-4);
        }
      }
      assertThatThrownBy(
              () ->
                  CnnStudent.train(
                      z,
                      y,
                      n,
                      in,
                      out,
                      1,
                      new CnnStudent.Options(ConvStudent.Architecture.GATED, 8, 1, 20, 1e-3f, 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("stride 1");
    }
  }

  private static double maxAbs(float[] a, float[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  private static double mse(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return s / a.length;
  }

  /** Per-coordinate variance around each output coordinate's mean (the trivial student's MSE). */
  private static double variance(float[] y) {
    int c = 512;
    int n = y.length / c;
    double total = 0;
    for (int k = 0; k < c; k++) {
      double mean = 0;
      for (int i = 0; i < n; i++) {
        mean += y[i * c + k];
      }
      mean /= n;
      for (int i = 0; i < n; i++) {
        total += (y[i * c + k] - mean) * (y[i * c + k] - mean);
      }
    }
    return total / y.length;
  }
}
