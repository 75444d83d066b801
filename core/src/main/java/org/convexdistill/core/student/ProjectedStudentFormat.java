package org.convexdistill.core.student;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The binary layout of a {@link ProjectedStudent}, beside {@link StudentFormat}'s MLP layout (which
 * dispatches here on the magic). Little-endian:
 *
 * <pre>
 *   offset  size     field
 *   0       4        magic "CDSP"
 *   4       2        format version (1)
 *   6       2        flags (0)
 *   8       12       C_in, S, k (int32 each)
 *   20      4·k·C_in projection weights, row-major k × C_in (float32)
 *   …       4·k      projection offsets (float32)
 *   …       4        L, the inner student's length in bytes (int32)
 *   …       L        the inner student, in {@link StudentFormat}'s MLP layout (own checksum)
 *   end−4   4        CRC-32 of every byte before it
 * </pre>
 */
final class ProjectedStudentFormat {
  /** "CDSP". */
  static final int MAGIC = 0x50534443;

  static final int VERSION = 1;

  private static final int HEADER = 20;

  private ProjectedStudentFormat() {}

  static byte[] encode(ProjectedStudent s) {
    ChannelProjection p = s.projection();
    byte[] inner = StudentFormat.encode(s.student());
    long size = HEADER + 4 * p.parameterCount() + 4 + inner.length + 4;
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("student too large to encode: " + size + " bytes");
    }
    ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(MAGIC).putShort((short) VERSION).putShort((short) 0);
    b.putInt(p.channels()).putInt(p.positions()).putInt(p.width());
    for (float v : p.weights()) {
      b.putFloat(v);
    }
    for (float v : p.offsets()) {
      b.putFloat(v);
    }
    b.putInt(inner.length).put(inner);
    StudentFormat.seal(b);
    return b.array();
  }

  static ProjectedStudent decode(byte[] bytes, int offset, int length)
      throws StudentFormatException {
    if (length < HEADER + 8) {
      throw new StudentFormatException("truncated projected student: " + length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes, offset, length).slice().order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt() != MAGIC) {
      throw new StudentFormatException("not a projected student (bad magic; expected CDSP)");
    }
    int version = b.getShort() & 0xffff;
    if (version != VERSION) {
      throw new StudentFormatException(
          "projected student format version " + version + " is not supported (this build reads 1)");
    }
    int flags = b.getShort() & 0xffff;
    if (flags != 0) {
      throw new StudentFormatException(
          "unknown projected student flags 0x" + Integer.toHexString(flags));
    }
    int channels = b.getInt();
    int positions = b.getInt();
    int k = b.getInt();
    if (channels <= 0 || positions <= 0 || k <= 0) {
      throw new StudentFormatException(
          "bad projection shape: C_in=" + channels + ", S=" + positions + ", k=" + k);
    }
    // Bounded by the record before anything is allocated: a forged shape cannot ask for more.
    long projectionBytes = 4L * k * (channels + 1L);
    if (HEADER + projectionBytes + 8 > length) {
      throw new StudentFormatException(
          "truncated projected student: the projection needs "
              + (HEADER + projectionBytes + 8)
              + " bytes, got "
              + length);
    }
    int innerLength = b.getInt(HEADER + (int) projectionBytes);
    long expected = HEADER + projectionBytes + 4 + (long) innerLength + 4;
    if (innerLength < 0 || length != expected) {
      throw new StudentFormatException(
          "projected student of "
              + length
              + " bytes declares an inner student of "
              + innerLength
              + " bytes (expected "
              + expected
              + " in all)");
    }
    StudentFormat.requireChecksum(bytes, offset, length);
    float[] weights = StudentFormat.floats(b, k * channels);
    float[] offsets = StudentFormat.floats(b, k);
    int innerOffset = offset + HEADER + (int) projectionBytes + 4;
    StudentBlock inner = StudentFormat.decode(bytes, innerOffset, innerLength);
    try {
      return new ProjectedStudent(
          new ChannelProjection(channels, positions, weights, offsets), inner);
    } catch (IllegalArgumentException e) {
      throw new StudentFormatException("inconsistent projected student: " + e.getMessage());
    }
  }
}
