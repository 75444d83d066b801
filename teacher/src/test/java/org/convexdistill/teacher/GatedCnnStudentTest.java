package org.convexdistill.teacher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.convexdistill.core.teacher.TensorShape;
import org.junit.jupiter.api.Test;

/** The paper's gated-CNN student (eq. 8): its Table 1 sizes, and it learns a real block. */
class GatedCnnStudentTest {
  @Test
  void hasThePapersTable1StudentCounts() {
    // F = 60 / 128 / 256 / 256 for blocks 1-4, the gate convolution counted as the table does.
    assertThat(GatedCnnStudent.parameters(64, 64, 60, true)).isEqualTo(73_328);
    assertThat(GatedCnnStudent.parameters(64, 128, 128, true)).isEqualTo(164_608);
    assertThat(GatedCnnStudent.parameters(128, 256, 256, true)).isEqualTo(656_896);
    assertThat(GatedCnnStudent.parameters(256, 512, 256, true)).isEqualTo(1_312_768);
    assertThat(GatedCnnStudent.parameters(256, 512, 256, false)).isEqualTo(1_312_768 - 590_336);
  }

  @Test
  void learnsATeacherBlockFromItsActivationsAndCountsWhatItHolds() {
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
      try (GatedCnnStudent s =
          GatedCnnStudent.train(
              z, y, n, in, out, 2, new GatedCnnStudent.Options(32, 150, 20, 3e-3f, 1))) {
        assertThat(s.parameters()).isEqualTo(GatedCnnStudent.parameters(256, 512, 32, true));
        assertThat(s.parametersWithoutGate())
            .isEqualTo(GatedCnnStudent.parameters(256, 512, 32, false));
        float[] fit = s.apply(z, n);
        assertThat(fit).hasSameSizeAs(y);
        assertThat(mse(fit, y)).isLessThan(0.5 * variance(y));
      }
      assertThatThrownBy(
              () ->
                  GatedCnnStudent.train(
                      z, y, n, in, out, 1, new GatedCnnStudent.Options(8, 1, 20, 1e-3f, 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("stride 1");
    }
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
