package org.convexdistill.core.student;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudentFormatTest {
  @TempDir Path dir;

  static StudentBlock randomStudent(long seed) {
    Random r = new Random(seed);
    int d = 7;
    int c = 3;
    int h = 5;
    int g = 2;
    float[] scales = new float[d];
    float[] gates = new float[g * d];
    float[] first = new float[h * d];
    float[] second = new float[h];
    int[] unitGate = new int[h];
    int[] unitOutput = new int[h];
    for (int i = 0; i < d; i++) {
      scales[i] = 0.5f + r.nextFloat();
    }
    for (int i = 0; i < gates.length; i++) {
      gates[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < first.length; i++) {
      first[i] = (float) r.nextGaussian();
    }
    for (int u = 0; u < h; u++) {
      second[u] = r.nextFloat();
      unitGate[u] = r.nextInt(g);
      unitOutput[u] = r.nextInt(c);
    }
    return new StudentBlock(d, c, scales, gates, unitGate, unitOutput, first, second);
  }

  @Test
  void shouldRoundTripEveryField() throws Exception {
    StudentBlock s = randomStudent(1);
    Path f = dir.resolve("s.cdst");
    StudentFormat.write(f, s);
    StudentBlock back = StudentFormat.read(f);
    assertThat(back.inputDim()).isEqualTo(7);
    assertThat(back.outputDim()).isEqualTo(3);
    assertThat(back.columnScales()).containsExactly(s.columnScales());
    assertThat(back.gates()).containsExactly(s.gates());
    assertThat(back.unitGates()).containsExactly(s.unitGates());
    assertThat(back.unitOutputs()).containsExactly(s.unitOutputs());
    assertThat(back.firstLayer()).containsExactly(s.firstLayer());
    assertThat(back.secondLayer()).containsExactly(s.secondLayer());
    byte[] bytes = Files.readAllBytes(f);
    assertThat(new String(bytes, 0, 4, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("CDST");
    assertThat(StudentFormat.encode(back)).isEqualTo(bytes);
  }

  @Test
  void shouldRejectCorruptTruncatedAndForeignBytes() {
    byte[] good = StudentFormat.encode(randomStudent(2));
    byte[] flipped = good.clone();
    flipped[60] ^= 0x10;
    assertThatThrownBy(() -> StudentFormat.decode(flipped))
        .isInstanceOf(StudentFormatException.class)
        .hasMessageContaining("checksum mismatch");
    assertThatThrownBy(() -> StudentFormat.decode(Arrays.copyOf(good, good.length - 9)))
        .hasMessageContaining("truncated student");
    assertThatThrownBy(() -> StudentFormat.decode(Arrays.copyOf(good, 10)))
        .hasMessageContaining("truncated student: 10 bytes");
    byte[] foreign = good.clone();
    foreign[0] = 'X';
    assertThatThrownBy(() -> StudentFormat.decode(foreign)).hasMessageContaining("bad magic");
    byte[] future = good.clone();
    future[4] = 9;
    assertThatThrownBy(() -> StudentFormat.decode(future))
        .hasMessageContaining("version 9 is not supported");
  }

  @Test
  void shouldRejectAUnitPointingAtAMissingGateEvenWithAValidChecksum() {
    StudentBlock s = randomStudent(3);
    byte[] bytes = StudentFormat.encode(s);
    // unit 0's gate index lives right after scales (7) and gates (14) floats.
    int off = 24 + 4 * (7 + 14);
    java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(off, 5);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(bytes, 0, bytes.length - 4);
    java.nio.ByteBuffer.wrap(bytes)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putInt(bytes.length - 4, (int) crc.getValue());
    assertThatThrownBy(() -> StudentFormat.decode(bytes))
        .isInstanceOf(StudentFormatException.class)
        .hasMessageContaining("unit 0 uses missing gate 5");
  }
}
