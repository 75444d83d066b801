package org.convexdistill.core.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
  @TempDir Path dir;

  /** Bytes laid out exactly as NumPy 1.x writes them (version 1.0, 64-byte aligned header). */
  private static byte[] numpyFile(String descr, String fortran, String shape, byte[] data) {
    String dict =
        "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
    int total = 10 + dict.length() + 1;
    String header = dict + " ".repeat((64 - total % 64) % 64) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    out.write(header.length() & 0xff);
    out.write(header.length() >> 8);
    out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(data);
    return out.toByteArray();
  }

  private static byte[] floats(ByteOrder order, float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(order);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  @Test
  void shouldReadANumpyFloat32Matrix() throws Exception {
    byte[] file =
        numpyFile("<f4", "False", "(2, 3)", floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6));
    NpyArray a = Npy.decode(file);
    assertThat(a.shape()).containsExactly(2, 3);
    assertThat(a.data()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(a.sourceDtype()).isEqualTo(NpyDtype.FLOAT32);
  }

  @Test
  void shouldReadFloat64AndBigEndian() throws Exception {
    ByteBuffer d =
        ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.5).putDouble(-2);
    NpyArray a = Npy.decode(numpyFile("<f8", "False", "(2,)", d.array()));
    assertThat(a.data()).containsExactly(0.5f, -2f);
    assertThat(a.sourceDtype()).isEqualTo(NpyDtype.FLOAT64);

    NpyArray b =
        Npy.decode(numpyFile(">f4", "False", "(1, 2)", floats(ByteOrder.BIG_ENDIAN, 7, 8)));
    assertThat(b.data()).containsExactly(7, 8);
  }

  @Test
  void shouldRoundTripThroughAFileInBothDtypes() throws Exception {
    NpyArray a = NpyArray.of(new float[] {1.5f, -2f, 3.25f, 0f, 1e-8f, 7f}, 1, 2, 3);
    Path f32 = dir.resolve("a.npy");
    Npy.write(f32, a);
    assertThat(Npy.read(f32)).isEqualTo(a);
    // Header padded so the data starts on a 64-byte boundary, as NumPy requires.
    assertThat((Files.size(f32) - 24) % 64).isZero();

    Path f64 = dir.resolve("b.npy");
    Npy.write(f64, a, NpyDtype.FLOAT64);
    NpyArray back = Npy.read(f64);
    assertThat(back.data()).containsExactly(a.data());
    assertThat(back.sourceDtype()).isEqualTo(NpyDtype.FLOAT64);
  }

  @Test
  void shouldRejectIntegerDtypeWithAHint() {
    byte[] file = numpyFile("<i8", "False", "(1,)", new byte[8]);
    assertThatThrownBy(() -> Npy.decode(file))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("dtype '<i8' is not supported; use float32 or float64");
  }

  @Test
  void shouldRejectFortranOrder() {
    byte[] file = numpyFile("<f4", "True", "(1, 1)", new byte[4]);
    assertThatThrownBy(() -> Npy.decode(file)).hasMessageContaining("Fortran order");
  }

  @Test
  void shouldRejectTruncatedAndOversizedData() {
    byte[] file = numpyFile("<f4", "False", "(2, 2)", new byte[12]);
    assertThatThrownBy(() -> Npy.decode(file))
        .hasMessageContaining("truncated data: shape needs 16 bytes, file has 12");
    byte[] extra = numpyFile("<f4", "False", "(1,)", new byte[8]);
    assertThatThrownBy(() -> Npy.decode(extra)).hasMessageContaining("trailing bytes");
    byte[] header = Arrays.copyOf(file, 20);
    assertThatThrownBy(() -> Npy.decode(header)).hasMessageContaining("truncated header");
  }

  @Test
  void shouldRejectFilesThatAreNotNpy() throws Exception {
    Path csv = dir.resolve("z.csv");
    Files.writeString(csv, "1,2,3\n4,5,6\n");
    assertThatThrownBy(() -> Npy.read(csv))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining("z.csv: not a .npy file (bad magic");
    assertThatThrownBy(() -> Npy.read(dir.resolve("missing.npy")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void shouldReportNonFiniteValues() {
    assertThat(NpyArray.of(new float[] {1, Float.NaN}, 2).firstNonFinite()).isEqualTo(1);
    assertThat(NpyArray.of(new float[] {1, 2}, 2).firstNonFinite()).isEqualTo(-1);
    assertThatThrownBy(() -> NpyArray.of(new float[3], 2, 2))
        .hasMessageContaining("shape [2, 2] needs 4 elements, got 3");
  }
}
