package org.convexdistill.core.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.convexdistill.core.data.ImageFolder;
import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.core.teacher.TensorShape;
import org.junit.jupiter.api.Test;

class WireFormatTest {
  private static ActivationRecord record() {
    float[] z = {1f, -2.5f, 0.1f, 1e-6f};
    float[] y = {3f, 0f};
    return new ActivationRecord(
        "resnet18-abc",
        4,
        new TensorShape(4, 1, 1),
        new TensorShape(2, 1, 1),
        z,
        y,
        "images",
        3,
        42L);
  }

  @Test
  void activationRecordRoundTripsExactlyInFloat32() throws Exception {
    ActivationRecord a = record();
    ActivationRecord b = ActivationRecord.decode(a.encode(ActivationRecord.Precision.FLOAT32));
    assertThat(b.z()).containsExactly(a.z());
    assertThat(b.y()).containsExactly(a.y());
    assertThat(b.teacherId()).isEqualTo("resnet18-abc");
    assertThat(b.block()).isEqualTo(4);
    assertThat(b.zShape()).isEqualTo(new TensorShape(4, 1, 1));
    assertThat(b.sourcePartition()).isEqualTo(3);
    assertThat(b.sourceOffset()).isEqualTo(42L);
  }

  @Test
  void float16IsIeeeHalfWithRoundToNearestEven() throws Exception {
    assertThat(Half.fromFloat(1f)).isEqualTo((short) 0x3C00);
    assertThat(Half.fromFloat(-2f)).isEqualTo((short) 0xC000);
    assertThat(Half.fromFloat(65504f)).isEqualTo((short) 0x7BFF);
    assertThat(Half.fromFloat(1e6f)).isEqualTo((short) 0x7C00); // overflow → +inf
    assertThat(Half.fromFloat(5.9604645e-8f)).isEqualTo((short) 0x0001); // smallest subnormal
    assertThat(Half.fromFloat(1f + 1f / 2048)).isEqualTo((short) 0x3C00); // tie → even
    assertThat(Half.fromFloat(1f + 3f / 2048)).isEqualTo((short) 0x3C02); // tie → even (up)
    assertThat(Half.toFloat((short) 0x3555)).isEqualTo(0.33325195f);
    assertThat(Float.isNaN(Half.toFloat(Half.fromFloat(Float.NaN)))).isTrue();
    ActivationRecord a = record();
    byte[] half = a.encode(ActivationRecord.Precision.FLOAT16);
    assertThat(half.length).isLessThan(a.encode(ActivationRecord.Precision.FLOAT32).length);
    ActivationRecord b = ActivationRecord.decode(half);
    for (int i = 0; i < a.z().length; i++) {
      assertThat(b.z()[i]).isCloseTo(a.z()[i], org.assertj.core.data.Offset.offset(1e-3f));
    }
  }

  @Test
  void badActivationRecordsSayWhatIsWrong() {
    byte[] ok = record().encode(ActivationRecord.Precision.FLOAT32);
    assertThatThrownBy(() -> ActivationRecord.decode(new byte[] {1, 2, 3}))
        .hasMessageContaining("truncated activation record: 3 bytes");
    byte[] magic = ok.clone();
    magic[0] = 'X';
    assertThatThrownBy(() -> ActivationRecord.decode(magic)).hasMessageContaining("bad magic");
    byte[] version = ok.clone();
    version[4] = 9;
    assertThatThrownBy(() -> ActivationRecord.decode(version))
        .hasMessageContaining("version 9 is not supported");
    assertThatThrownBy(() -> ActivationRecord.decode(Arrays.copyOf(ok, ok.length - 4)))
        .hasMessageContaining("value bytes");
  }

  private static StudentRelease release() {
    int d = 3;
    StudentBlock s =
        new StudentBlock(
            d,
            2,
            new float[] {1, 2, 1},
            new float[] {1, 0, -1},
            new int[] {0, 0},
            new int[] {0, 1},
            new float[] {1, 2, 3, 4, 5, 6},
            new float[] {0.5f, 2f});
    return new StudentRelease(
        "m",
        "t",
        4,
        7,
        6,
        0.25,
        1.5,
        1e-3,
        0.02,
        0.96,
        2.5,
        123,
        4.5,
        2,
        8,
        1_700_000_000_000L,
        true,
        List.of(new OffsetRange(0, 10, 20), new OffsetRange(1, 5, 4)),
        s);
  }

  @Test
  void studentReleaseRoundTripsWithLineageAndCertificate() throws Exception {
    StudentRelease a = release();
    StudentRelease b = StudentRelease.decode(a.encode());
    assertThat(b.version()).isEqualTo(7);
    assertThat(b.parentVersion()).isEqualTo(6);
    assertThat(b.lambda()).isEqualTo(0.25);
    assertThat(b.relativeGap()).isEqualTo(1e-3);
    assertThat(b.warmStarted()).isTrue();
    assertThat(b.window()).containsExactly(new OffsetRange(0, 10, 20), new OffsetRange(1, 5, 4));
    assertThat(b.windowSize()).isEqualTo(11);
    assertThat(b.mlpStudent().firstLayer()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(b.mlpStudent().secondLayer()).containsExactly(0.5f, 2f);
    assertThat(b.teacherAgreement()).isEqualTo(0.96);
    assertThat(b.selectionLambda()).isEqualTo(2.5);
  }

  @Test
  void aFormatOneReleaseStillDecodesWithoutAnAgreement() throws Exception {
    // Format 1 is format 2 without agreement and selection λ (16 bytes after the held-out MSE).
    byte[] v2 = release().encode();
    int at = 8 + (2 + "m".length()) + (2 + "t".length()) + 4 + 8 + 8 + 8 * 4;
    byte[] v1 = new byte[v2.length - 16];
    System.arraycopy(v2, 0, v1, 0, at);
    System.arraycopy(v2, at + 16, v1, at, v2.length - at - 16);
    v1[4] = 1; // format version, little-endian
    v1[5] = 0;
    StudentRelease b = StudentRelease.decode(v1);
    assertThat(Double.isNaN(b.teacherAgreement())).isTrue();
    assertThat(b.selectionLambda()).isEqualTo(0.25);
    assertThat(b.heldOutMse()).isEqualTo(0.02);
    assertThat(b.iterations()).isEqualTo(123);
    assertThat(b.mlpStudent().secondLayer()).containsExactly(0.5f, 2f);
    v1[4] = 3;
    assertThatThrownBy(() -> StudentRelease.decode(v1)).hasMessageContaining("version 3");
  }

  @Test
  void aCorruptStudentInsideAReleaseIsRejected() {
    byte[] bytes = release().encode();
    bytes[bytes.length - 10] ^= 0x40; // inside the student's weights
    assertThatThrownBy(() -> StudentRelease.decode(bytes)).hasMessageContaining("checksum");
    assertThatThrownBy(() -> StudentRelease.decode(Arrays.copyOf(bytes, 50)))
        .isInstanceOf(RecordFormatException.class);
    assertThatThrownBy(() -> new OffsetRange(0, 5, 3)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void imagePayloadsAreRawOrExactSizePngWithSniffing() throws Exception {
    byte[] raw = new byte[784];
    raw[5] = (byte) 200;
    byte[] png = ImageFolder.encodePng(raw, 28);
    assertThat(ImagePayload.decode(png, null)).isEqualTo(raw); // sniffed as PNG
    assertThat(ImagePayload.decode(png, "image/png")).isEqualTo(raw);
    assertThat(ImagePayload.decode(raw, null)).isEqualTo(raw); // sniffed as raw
    assertThatThrownBy(() -> ImagePayload.decode(ImageFolder.encodePng(new byte[900], 30), null))
        .hasMessage("image is 30×30; expected 28×28");
    assertThatThrownBy(() -> ImagePayload.decode(png, "text/plain"))
        .hasMessageContaining("unsupported content-type 'text/plain'");
  }
}
