package org.convexdistill.core.student;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class ProjectedStudentTest {
  private static final int CHANNELS = 5;
  private static final int POSITIONS = 4;
  private static final int WIDTH = 3;

  static ChannelProjection randomProjection(Random r) {
    float[] w = new float[WIDTH * CHANNELS];
    float[] b = new float[WIDTH];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) r.nextGaussian();
    }
    for (int j = 0; j < WIDTH; j++) {
      b[j] = (float) r.nextGaussian();
    }
    return new ChannelProjection(CHANNELS, POSITIONS, w, b);
  }

  static StudentBlock randomInner(Random r, int d) {
    int c = 3;
    int h = 6;
    int g = 2;
    float[] scales = new float[d];
    float[] gates = new float[g * d];
    float[] first = new float[h * d];
    float[] second = new float[h * c];
    int[] unitGate = new int[h];
    for (int i = 0; i < d; i++) {
      scales[i] = 0.5f + r.nextFloat();
    }
    for (int i = 0; i < gates.length; i++) {
      gates[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < first.length; i++) {
      first[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < second.length; i++) {
      second[i] = (float) r.nextGaussian();
    }
    for (int u = 0; u < h; u++) {
      unitGate[u] = r.nextInt(g);
    }
    return StudentBlock.sharedOutput(d, c, scales, gates, unitGate, first, second);
  }

  static ProjectedStudent randomStudent(long seed) {
    Random r = new Random(seed);
    return new ProjectedStudent(randomProjection(r), randomInner(r, WIDTH * POSITIONS));
  }

  @Test
  void theProjectionIsOneMatrixAtEveryPositionMinusItsOffset() {
    Random r = new Random(3);
    ChannelProjection p = randomProjection(r);
    int n = 4;
    float[] z = new float[n * CHANNELS * POSITIONS];
    for (int i = 0; i < z.length; i++) {
      z[i] = r.nextFloat() < 0.4 ? 0f : (float) r.nextGaussian();
    }
    float[] y = p.apply(z, n);
    float[] w = p.weights();
    float[] b = p.offsets();
    for (int i = 0; i < n; i++) {
      for (int s = 0; s < POSITIONS; s++) {
        for (int j = 0; j < WIDTH; j++) {
          double expected = -b[j];
          for (int c = 0; c < CHANNELS; c++) {
            expected += (double) w[j * CHANNELS + c] * z[(i * CHANNELS + c) * POSITIONS + s];
          }
          assertThat(y[(i * WIDTH + j) * POSITIONS + s]).isCloseTo((float) expected, within());
        }
      }
    }
    assertThat(p.parameterCount()).isEqualTo(WIDTH * (CHANNELS + 1L));
  }

  private static org.assertj.core.data.Offset<Float> within() {
    return org.assertj.core.data.Offset.offset(1e-4f);
  }

  @Test
  void theStudentIsItsInnerStudentOnProjectedInputsAndCountsTheProjection() {
    ProjectedStudent s = randomStudent(7);
    int n = 3;
    float[] z = new float[n * s.inputDim()];
    Random r = new Random(8);
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) r.nextGaussian();
    }
    assertThat(s.apply(z, n)).containsExactly(s.student().apply(s.projection().apply(z, n), n));
    assertThat(s.inputDim()).isEqualTo(CHANNELS * POSITIONS);
    assertThat(s.parameterCount())
        .isEqualTo(WIDTH * (CHANNELS + 1L) + s.student().parameterCount());
    assertThat(s.storedParameterCount())
        .isEqualTo(WIDTH * (CHANNELS + 1L) + s.student().storedParameterCount());
    assertThat(s.firstNonFinite()).isNull();
    float[] w = s.projection().weights();
    w[1] = Float.NaN;
    ProjectedStudent bad =
        new ProjectedStudent(
            new ChannelProjection(CHANNELS, POSITIONS, w, s.projection().offsets()), s.student());
    assertThat(bad.firstNonFinite()).isEqualTo("channel projection");
    assertThatThrownBy(() -> new ProjectedStudent(s.projection(), randomInner(new Random(1), 5)))
        .hasMessageContaining("projection gives 12 values per row but the student reads 5");
  }

  @Test
  void roundTripsThroughTheStudentFormatWithTheSameOutputs() throws Exception {
    ProjectedStudent s = randomStudent(11);
    byte[] bytes = StudentFormat.encode(s);
    assertThat(new String(bytes, 0, 4, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("CDSP");
    Student back = StudentFormat.decodeAny(bytes, 0, bytes.length);
    assertThat(back).isInstanceOf(ProjectedStudent.class);
    ProjectedStudent p = (ProjectedStudent) back;
    assertThat(p.projection().weights()).containsExactly(s.projection().weights());
    assertThat(p.projection().offsets()).containsExactly(s.projection().offsets());
    float[] z = new float[2 * s.inputDim()];
    Random r = new Random(12);
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) r.nextGaussian();
    }
    assertThat(back.apply(z, 2)).containsExactly(s.apply(z, 2));
  }

  @Test
  void refusesCorruptTruncatedAndForgedRecordsWithoutAllocatingWhatTheyAskFor() {
    byte[] bytes = StudentFormat.encode(randomStudent(13));
    byte[] flipped = bytes.clone();
    flipped[30] ^= 1;
    assertThatThrownBy(() -> StudentFormat.decodeAny(flipped, 0, flipped.length))
        .hasMessageContaining("checksum");
    assertThatThrownBy(() -> StudentFormat.decodeAny(bytes, 0, bytes.length - 9))
        .isInstanceOf(StudentFormatException.class);
    // A forged k of 2^29 in a short record: refused by its length, checksum resealed.
    byte[] forged = bytes.clone();
    ByteBuffer.wrap(forged).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 1 << 29);
    reseal(forged);
    assertThatThrownBy(() -> StudentFormat.decodeAny(forged, 0, forged.length))
        .hasMessageContaining("truncated projected student");
    // An inner length that disagrees with the record.
    byte[] inner = bytes.clone();
    int at = 20 + 4 * WIDTH * (CHANNELS + 1);
    ByteBuffer.wrap(inner).order(ByteOrder.LITTLE_ENDIAN).putInt(at, 7);
    reseal(inner);
    assertThatThrownBy(() -> StudentFormat.decodeAny(inner, 0, inner.length))
        .hasMessageContaining("declares an inner student of 7 bytes");
  }

  private static void reseal(byte[] bytes) {
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 4);
    ByteBuffer.wrap(bytes)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putInt(bytes.length - 4, (int) crc.getValue());
  }
}
