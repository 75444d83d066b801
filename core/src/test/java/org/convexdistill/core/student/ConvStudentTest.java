package org.convexdistill.core.student;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.convexdistill.core.stream.OffsetRange;
import org.convexdistill.core.stream.StudentRelease;
import org.junit.jupiter.api.Test;

/** The engine-free CNN student: its forward pass against a direct convolution, and its format. */
class ConvStudentTest {
  private static final ConvStudent.Shape SHAPE = new ConvStudent.Shape(3, 5, 4, 6, 7, 2);

  @Test
  void forwardEqualsADirectConvolutionForBothArchitectures() {
    for (ConvStudent.Architecture a : ConvStudent.Architecture.values()) {
      ConvStudent s = random(a, 1);
      assertThat(s.inputDim()).isEqualTo(3 * 5 * 4);
      assertThat(s.outputDim()).isEqualTo(7 * 3 * 2);
      int n = 70; // more than one chunk of 64 rows
      float[] z = gaussian(n * s.inputDim(), 2);
      float[] got = s.apply(z, n);
      float[] want = direct(s, z, n);
      for (int i = 0; i < want.length; i++) {
        assertThat(got[i]).as(a + " output " + i).isCloseTo(want[i], within(want[i]));
      }
    }
  }

  @Test
  void roundTripsThroughTheStudentFormatAndARelease() throws Exception {
    ConvStudent s = random(ConvStudent.Architecture.GATED, 3);
    byte[] bytes = StudentFormat.encode(s);
    Student back = StudentFormat.decodeAny(bytes, 0, bytes.length);
    assertThat(back).isInstanceOf(ConvStudent.class);
    float[] z = gaussian(4 * s.inputDim(), 4);
    assertThat(back.apply(z, 4)).containsExactly(s.apply(z, 4));
    assertThat(back.parameterCount()).isEqualTo(1234);
    assertThat(back.storedParameterCount()).isEqualTo(2L * 6 * (27 + 1) + 7 * (6 + 1));
    assertThat(4L * back.storedParameterCount() + 44).isEqualTo(bytes.length);

    StudentRelease r =
        new StudentRelease(
            "m",
            "t",
            4,
            2,
            1,
            0,
            0,
            0,
            0,
            0.97,
            0,
            0,
            0,
            6,
            1234,
            5,
            false,
            List.of(new OffsetRange(0, 0, 10)),
            s);
    StudentRelease decoded = StudentRelease.decode(r.encode());
    assertThat(decoded.student()).isInstanceOf(ConvStudent.class);
    assertThat(decoded.mlpStudent()).isNull();
    assertThat(decoded.student().apply(z, 4)).containsExactly(s.apply(z, 4));
  }

  @Test
  void refusesCorruptTruncatedOrForeignBytes() {
    byte[] bytes = StudentFormat.encode(random(ConvStudent.Architecture.RELU, 5));
    byte[] flipped = bytes.clone();
    flipped[60] ^= 1;
    assertThatThrownBy(() -> StudentFormat.decodeAny(flipped, 0, flipped.length))
        .isInstanceOf(StudentFormatException.class)
        .hasMessageContaining("checksum");
    assertThatThrownBy(() -> StudentFormat.decodeAny(bytes, 0, bytes.length - 8))
        .isInstanceOf(StudentFormatException.class)
        .hasMessageContaining("truncated CNN student");
    byte[] version = bytes.clone();
    version[4] = 9;
    assertThatThrownBy(() -> StudentFormat.decodeAny(version, 0, version.length))
        .isInstanceOf(StudentFormatException.class)
        .hasMessageContaining("version 9");
    // The MLP reader names the CNN magic as foreign rather than misreading it.
    assertThatThrownBy(() -> StudentFormat.decode(bytes))
        .isInstanceOf(StudentFormatException.class)
        .hasMessageContaining("bad magic");
  }

  @Test
  void namesTheFirstNonFiniteArrayAndRejectsInconsistentShapes() {
    ConvStudent ok = random(ConvStudent.Architecture.GATED, 6);
    assertThat(ok.firstNonFinite()).isNull();
    float[] project = new float[7 * 6];
    project[3] = Float.NaN;
    ConvStudent bad =
        new ConvStudent(
            ConvStudent.Architecture.RELU,
            SHAPE,
            null,
            null,
            new float[6 * 27],
            new float[6],
            project,
            new float[7],
            10);
    assertThat(bad.firstNonFinite()).isEqualTo("projection weights");
    assertThatThrownBy(
            () ->
                new ConvStudent(
                    ConvStudent.Architecture.GATED,
                    SHAPE,
                    null,
                    null,
                    new float[6 * 27],
                    new float[6],
                    new float[42],
                    new float[7],
                    10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gate weights");
  }

  private static org.assertj.core.data.Offset<Float> within(float v) {
    return org.assertj.core.data.Offset.offset(1e-4f * (1 + Math.abs(v)));
  }

  private static ConvStudent random(ConvStudent.Architecture a, long seed) {
    Random r = new Random(seed);
    boolean gated = a == ConvStudent.Architecture.GATED;
    int f = SHAPE.filters();
    return new ConvStudent(
        a,
        SHAPE,
        gated ? gaussian(f * 27, r.nextLong()) : null,
        gated ? gaussian(f, r.nextLong()) : null,
        gaussian(f * 27, r.nextLong()),
        gaussian(f, r.nextLong()),
        gaussian(7 * f, r.nextLong()),
        gaussian(7, r.nextLong()),
        1234);
  }

  /** The definition: each output (c, y, x) from the 3×3 taps at (y·s − 1 + ky, x·s − 1 + kx). */
  private static float[] direct(ConvStudent s, float[] z, int n) {
    ConvStudent.Shape sh = s.shape();
    int oh = sh.outHeight();
    int ow = sh.outWidth();
    float[] out = new float[n * s.outputDim()];
    for (int i = 0; i < n; i++) {
      for (int y = 0; y < oh; y++) {
        for (int x = 0; x < ow; x++) {
          double[] h = new double[sh.filters()];
          for (int f = 0; f < sh.filters(); f++) {
            double conv = s.convBias()[f];
            double gate = s.gateBias() == null ? 0 : s.gateBias()[f];
            for (int c = 0; c < sh.inChannels(); c++) {
              for (int ky = 0; ky < 3; ky++) {
                for (int kx = 0; kx < 3; kx++) {
                  int iy = y * sh.stride() - 1 + ky;
                  int ix = x * sh.stride() - 1 + kx;
                  if (iy < 0 || ix < 0 || iy >= sh.height() || ix >= sh.width()) {
                    continue;
                  }
                  double v = z[i * s.inputDim() + (c * sh.height() + iy) * sh.width() + ix];
                  int w = ((f * sh.inChannels() + c) * 3 + ky) * 3 + kx;
                  conv += s.convWeights()[w] * v;
                  if (s.gateWeights() != null) {
                    gate += s.gateWeights()[w] * v;
                  }
                }
              }
            }
            h[f] = s.gateWeights() != null ? (gate > 0 ? conv : 0) : Math.max(0, conv);
          }
          for (int o = 0; o < sh.outChannels(); o++) {
            double v = s.projectBias()[o];
            for (int f = 0; f < sh.filters(); f++) {
              v += s.projectWeights()[o * sh.filters() + f] * h[f];
            }
            out[i * s.outputDim() + (o * oh + y) * ow + x] = (float) v;
          }
        }
      }
    }
    return out;
  }

  private static float[] gaussian(int n, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }
}
