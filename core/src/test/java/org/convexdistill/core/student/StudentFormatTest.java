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
    resealChecksum(bytes);
    assertThatThrownBy(() -> StudentFormat.decode(bytes))
        .isInstanceOf(StudentFormatException.class)
        .hasMessageContaining("unit 0 uses missing gate 5");
  }

  static StudentBlock randomSharedStudent(long seed) {
    Random r = new Random(seed);
    int d = 6;
    int c = 4;
    int h = 3;
    float[] scales = new float[d];
    float[] gates = new float[2 * d];
    float[] first = new float[h * d];
    float[] second = new float[h * c];
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
    return StudentBlock.sharedOutput(d, c, scales, gates, new int[] {0, 1, 1}, first, second);
  }

  @Test
  void shouldRoundTripASharedOutputStudent() throws Exception {
    StudentBlock s = randomSharedStudent(4);
    byte[] bytes = StudentFormat.encode(s);
    assertThat(bytes[4]).as("version").isEqualTo((byte) 3);
    assertThat(bytes[6]).as("shared-output flag").isEqualTo((byte) 1);
    StudentBlock back = StudentFormat.decode(bytes);
    assertThat(back.isSharedOutput()).isTrue();
    assertThat(back.secondLayer()).containsExactly(s.secondLayer());
    assertThat(back.firstLayer()).containsExactly(s.firstLayer());
    assertThat(back.unitGates()).containsExactly(s.unitGates());
    assertThat(back.parameterCount()).isEqualTo(3L * (6 + 4));
    assertThat(StudentFormat.encode(back)).isEqualTo(bytes);
  }

  @Test
  void shouldStillLoadAVersion1File() throws Exception {
    StudentBlock s = randomStudent(5);
    byte[] bytes = StudentFormat.encode(s);
    // A version-1 file is the same per-output body with version 1 and flags 0.
    rewriteHeader(bytes, 1, 0);
    StudentBlock back = StudentFormat.decode(bytes);
    assertThat(back.isSharedOutput()).isFalse();
    assertThat(back.unitOutputs()).containsExactly(s.unitOutputs());
    assertThat(back.secondLayer()).containsExactly(s.secondLayer());
    // ... and a version-1 file may not carry the shared-output flag.
    rewriteHeader(bytes, 1, 1);
    assertThatThrownBy(() -> StudentFormat.decode(bytes))
        .hasMessageContaining("unknown student flags");
  }

  /** Rewrites the trailing CRC-32 so that only the edit under test is wrong. */
  private static void resealChecksum(byte[] bytes) {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(bytes, 0, bytes.length - 4);
    java.nio.ByteBuffer.wrap(bytes)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putInt(bytes.length - 4, (int) crc.getValue());
  }

  private static void rewriteHeader(byte[] bytes, int version, int flags) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putShort(4, (short) version).putShort(6, (short) flags);
    resealChecksum(bytes);
  }

  @Test
  void shouldStillLoadAVersion2SharedOutputFile() throws Exception {
    StudentBlock s = randomSharedStudent(6);
    byte[] bytes = StudentFormat.encode(s);
    rewriteHeader(bytes, 2, 1);
    StudentBlock back = StudentFormat.decode(bytes);
    assertThat(back.isSharedOutput()).isTrue();
    assertThat(back.secondLayer()).containsExactly(s.secondLayer());
  }

  @Test
  void shouldRoundTripAnOutputBasisAndComputeTheSameOutputs() throws Exception {
    OutputBasis basis = OutputBasisTest.randomBasis(3, 2, 8);
    StudentBlock s = randomStudent(7).inBasis(basis);
    byte[] bytes = StudentFormat.encode(s);
    assertThat(bytes[6]).as("output-basis flag").isEqualTo((byte) 2);
    StudentBlock back = StudentFormat.decode(bytes);
    assertThat(back.outputBasis()).isEqualTo(basis);
    assertThat(back.parameterCount()).isEqualTo(5L * (7 + 1) + 2L * (3 + 1));
    float[] z = new float[4 * 7];
    Random r = new Random(9);
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) r.nextGaussian();
    }
    float[] a = new float[4 * 3];
    float[] b = new float[4 * 3];
    s.forward(z, 4, a, s.newWorkspace(4));
    back.forward(z, 4, b, back.newWorkspace(4));
    assertThat(b).containsExactly(a);
    assertThat(StudentFormat.encode(back)).isEqualTo(bytes);
    // A version-2 reader's layout has no basis: the flag is refused there, not misread.
    rewriteHeader(bytes, 2, 2);
    assertThatThrownBy(() -> StudentFormat.decode(bytes))
        .hasMessageContaining("unknown student flags");
  }

  @Test
  void shouldRefuseAForgedOutputBasisEvenWithAValidChecksum() {
    StudentBlock s = randomStudent(8).inBasis(OutputBasisTest.randomBasis(3, 2, 9));
    byte[] bytes = StudentFormat.encode(s);
    // The first reflector starts 2·(3 + 1) floats and the checksum before the end.
    int first = bytes.length - 4 - 4 * 2 * (3 + 1);
    java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(first, 7f);
    resealChecksum(bytes);
    assertThatThrownBy(() -> StudentFormat.decode(bytes))
        .isInstanceOf(StudentFormatException.class)
        .hasMessageContaining("reflector 0 has squared norm");
  }
}
