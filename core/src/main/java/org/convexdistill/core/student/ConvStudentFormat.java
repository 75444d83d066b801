package org.convexdistill.core.student;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The binary layout of a {@link ConvStudent}, beside {@link StudentFormat}'s MLP layout (which
 * dispatches here on the magic). Little-endian:
 *
 * <pre>
 *   offset  size   field
 *   0       4      magic "CDSC"
 *   4       2      format version (1)
 *   6       2      flags: bit 0 = gated (eq. 8), else ReLU
 *   8       24     C_in, H, W, F, C_out, stride (int32 each)
 *   32      8      trained parameters (int64; the Table 1 count, BatchNorm included)
 *   40      …      [gated: gate weights F·C_in·9, gate bias F], conv weights F·C_in·9, conv bias F,
 *                  projection weights C_out·F, projection bias C_out (float32)
 *   end−4   4      CRC-32 of every byte before it
 * </pre>
 */
final class ConvStudentFormat {
  /** "CDSC". */
  static final int MAGIC = 0x43534443;

  static final int VERSION = 1;

  private static final int GATED = 1;
  private static final int HEADER = 40;

  private ConvStudentFormat() {}

  static byte[] encode(ConvStudent s) {
    ConvStudent.Shape sh = s.shape();
    boolean gated = s.architecture() == ConvStudent.Architecture.GATED;
    long size = HEADER + 4 * s.storedParameterCount() + 4;
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("student too large to encode: " + size + " bytes");
    }
    ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(MAGIC).putShort((short) VERSION).putShort((short) (gated ? GATED : 0));
    b.putInt(sh.inChannels()).putInt(sh.height()).putInt(sh.width());
    b.putInt(sh.filters()).putInt(sh.outChannels()).putInt(sh.stride());
    b.putLong(s.parameterCount());
    if (gated) {
      put(b, s.gateWeights());
      put(b, s.gateBias());
    }
    put(b, s.convWeights());
    put(b, s.convBias());
    put(b, s.projectWeights());
    put(b, s.projectBias());
    StudentFormat.seal(b);
    return b.array();
  }

  static ConvStudent decode(byte[] bytes, int offset, int length) throws StudentFormatException {
    if (length < HEADER + 4) {
      throw new StudentFormatException("truncated CNN student: " + length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes, offset, length).slice().order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt() != MAGIC) {
      throw new StudentFormatException("not a CNN student (bad magic; expected CDSC)");
    }
    int version = b.getShort() & 0xffff;
    if (version != VERSION) {
      throw new StudentFormatException(
          "CNN student format version " + version + " is not supported (this build reads 1)");
    }
    int flags = b.getShort() & 0xffff;
    if ((flags & ~GATED) != 0) {
      throw new StudentFormatException("unknown CNN student flags 0x" + Integer.toHexString(flags));
    }
    boolean gated = (flags & GATED) != 0;
    ConvStudent.Shape sh;
    try {
      sh =
          new ConvStudent.Shape(
              b.getInt(), b.getInt(), b.getInt(), b.getInt(), b.getInt(), b.getInt());
    } catch (IllegalArgumentException e) {
      throw new StudentFormatException("bad CNN student shape: " + e.getMessage());
    }
    long trained = b.getLong();
    long conv = (long) sh.filters() * (sh.inChannels() * 9L + 1);
    long stored = (gated ? 2 : 1) * conv + (long) sh.outChannels() * (sh.filters() + 1);
    long expected = HEADER + 4 * stored + 4;
    if (length != expected) {
      throw new StudentFormatException(
          (length < expected ? "truncated" : "oversized")
              + " CNN student: shape needs "
              + expected
              + " bytes, got "
              + length);
    }
    StudentFormat.requireChecksum(bytes, offset, length);
    int patch = sh.inChannels() * 9;
    int f = sh.filters();
    try {
      float[] gw = gated ? StudentFormat.floats(b, f * patch) : null;
      float[] gb = gated ? StudentFormat.floats(b, f) : null;
      float[] cw = StudentFormat.floats(b, f * patch);
      float[] cb = StudentFormat.floats(b, f);
      float[] pw = StudentFormat.floats(b, sh.outChannels() * f);
      float[] pb = StudentFormat.floats(b, sh.outChannels());
      return new ConvStudent(
          gated ? ConvStudent.Architecture.GATED : ConvStudent.Architecture.RELU,
          sh,
          gw,
          gb,
          cw,
          cb,
          pw,
          pb,
          trained);
    } catch (IllegalArgumentException e) {
      throw new StudentFormatException("inconsistent CNN student: " + e.getMessage());
    }
  }

  private static void put(ByteBuffer b, float[] values) {
    for (float v : values) {
      b.putFloat(v);
    }
  }
}
