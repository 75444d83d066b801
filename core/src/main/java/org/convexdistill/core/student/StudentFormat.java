package org.convexdistill.core.student;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * The versioned binary format of a {@link StudentBlock}, the unit the service ships over Kafka and
 * stores on disk. Little-endian:
 *
 * <pre>
 *   offset  size        field
 *   0       4           magic "CDST"
 *   4       2           format version (3; 1 and 2 are read too)
 *   6       2           flags: bit 0 = shared-output second layer (version ≥ 2),
 *                       bit 1 = output basis (version 3)
 *   8       4           d, input dimension
 *   12      4           C, output dimension
 *   16      4           h, hidden units
 *   20      4           G, stored gate vectors
 *   24      4           r, rank of the output basis                with an output basis only
 *   24/28   4·d         column scales s (float32)
 *   …       4·G·d       gates, row-major G×d (float32)
 *   …       4·h         unit → gate row (int32)
 *   …       4·h         unit → output index (int32)            per-output layout only
 *   …       4·h·d       first layer, row-major h×d (float32)
 *   …       4·h         second layer (float32)                  per-output layout
 *           4·h·C       second layer, row-major h×C (float32)   shared-output layout
 *                       (h×r with an output basis)
 *   …       4·r·C       Householder reflectors, row-major r×C   with an output basis only
 *   …       4·r         direction weights (float32)
 *   end−4   4           CRC-32 of every byte before it
 * </pre>
 *
 * A version-1 file is the per-output layout with flags 0, a version-2 file has no output basis;
 * this code reads both unchanged ({@link OutputBasis}).
 */
public final class StudentFormat {
  /** "CDST". */
  public static final int MAGIC = 0x54534443;

  /** The version this code writes; it reads versions up to this one. */
  public static final int VERSION = 3;

  /** Flag bit: the second layer is shared across outputs (h × C). */
  static final int SHARED_OUTPUT = 1;

  /** Flag bit: the units' outputs are coordinates in a stored {@link OutputBasis}. */
  static final int OUTPUT_BASIS = 2;

  private static final int HEADER = 24;

  private StudentFormat() {}

  /**
   * Encodes any kind of student: this layout for an MLP, {@link ConvStudentFormat}'s for a CNN,
   * {@link ProjectedStudentFormat}'s for an MLP behind a channel projection.
   */
  public static byte[] encode(Student s) {
    if (s instanceof ConvStudent cnn) {
      return ConvStudentFormat.encode(cnn);
    }
    if (s instanceof ProjectedStudent projected) {
      return ProjectedStudentFormat.encode(projected);
    }
    return encode((StudentBlock) s);
  }

  /**
   * Decodes any kind of student in {@code bytes[offset, offset + length)}, by its magic.
   *
   * @throws StudentFormatException saying what is wrong
   */
  public static Student decodeAny(byte[] bytes, int offset, int length)
      throws StudentFormatException {
    int magic =
        length >= 4 ? ByteBuffer.wrap(bytes, offset, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() : 0;
    if (magic == ConvStudentFormat.MAGIC) {
      return ConvStudentFormat.decode(bytes, offset, length);
    }
    if (magic == ProjectedStudentFormat.MAGIC) {
      return ProjectedStudentFormat.decode(bytes, offset, length);
    }
    return decode(bytes, offset, length);
  }

  /** Encodes an MLP student. */
  public static byte[] encode(StudentBlock s) {
    int d = s.inputDim();
    int h = s.hiddenUnits();
    int g = s.numGates();
    boolean shared = s.isSharedOutput();
    OutputBasis basis = s.outputBasis();
    int width = basis != null && shared ? basis.rank() : s.outputDim();
    long size = HEADER + bodyBytes(d, width, h, g, shared) + basisBytes(basis, s.outputDim()) + 4;
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("student too large to encode: " + size + " bytes");
    }
    ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    int flags = (shared ? SHARED_OUTPUT : 0) | (basis != null ? OUTPUT_BASIS : 0);
    b.putInt(MAGIC).putShort((short) VERSION).putShort((short) flags);
    b.putInt(d).putInt(s.outputDim()).putInt(h).putInt(g);
    if (basis != null) {
      b.putInt(basis.rank());
    }
    for (float v : s.columnScales()) {
      b.putFloat(v);
    }
    for (float v : s.gates()) {
      b.putFloat(v);
    }
    for (int v : s.unitGates()) {
      b.putInt(v);
    }
    if (!shared) {
      for (int v : s.unitOutputs()) {
        b.putInt(v);
      }
    }
    for (float v : s.firstLayer()) {
      b.putFloat(v);
    }
    for (float v : s.secondLayer()) {
      b.putFloat(v);
    }
    if (basis != null) {
      for (float v : basis.reflectors()) {
        b.putFloat(v);
      }
      for (float v : basis.scales()) {
        b.putFloat(v);
      }
    }
    seal(b);
    return b.array();
  }

  /**
   * Decodes a student, checking magic, version, shapes, length and checksum.
   *
   * @throws StudentFormatException saying what is wrong
   */
  public static StudentBlock decode(byte[] bytes) throws StudentFormatException {
    return decode(bytes, 0, bytes.length);
  }

  /**
   * Decodes a student stored in {@code bytes[offset, offset + length)}, without copying it out
   * first (a release carries its student inside a larger record).
   *
   * @throws StudentFormatException saying what is wrong
   */
  public static StudentBlock decode(byte[] bytes, int offset, int length)
      throws StudentFormatException {
    if (length < HEADER + 4) {
      throw new StudentFormatException("truncated student: " + length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes, offset, length).slice().order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt() != MAGIC) {
      throw new StudentFormatException("not a student file (bad magic; expected CDST)");
    }
    int version = b.getShort() & 0xffff;
    if (version < 1 || version > VERSION) {
      throw new StudentFormatException(
          "student format version "
              + version
              + " is not supported (this build reads 1.."
              + VERSION
              + ")");
    }
    int flags = b.getShort() & 0xffff;
    int known = version == 1 ? 0 : version == 2 ? SHARED_OUTPUT : SHARED_OUTPUT | OUTPUT_BASIS;
    if ((flags & ~known) != 0) {
      throw new StudentFormatException(
          "unknown student flags 0x" + Integer.toHexString(flags) + " for version " + version);
    }
    boolean shared = (flags & SHARED_OUTPUT) != 0;
    boolean hasBasis = (flags & OUTPUT_BASIS) != 0;
    int d = b.getInt();
    int c = b.getInt();
    int h = b.getInt();
    int g = b.getInt();
    if (d <= 0 || c <= 0 || h < 0 || g < 0) {
      throw new StudentFormatException(
          "bad student shape: d=" + d + ", C=" + c + ", units=" + h + ", gates=" + g);
    }
    int rank = 0;
    if (hasBasis) {
      if (length < HEADER + 8) {
        throw new StudentFormatException("truncated student: " + length + " bytes");
      }
      rank = b.getInt();
      if (rank < 0 || rank > c) {
        throw new StudentFormatException("bad output basis rank " + rank + " for C=" + c);
      }
    }
    int width = hasBasis && shared ? rank : c;
    long expected =
        HEADER
            + (hasBasis ? 4 : 0)
            + bodyBytes(d, width, h, g, shared)
            + (hasBasis ? 4L * rank * (c + 1) : 0)
            + 4;
    if (length != expected) {
      throw new StudentFormatException(
          (length < expected ? "truncated" : "oversized")
              + " student: shape needs "
              + expected
              + " bytes, got "
              + length);
    }
    requireChecksum(bytes, offset, length);
    try {
      float[] scales = floats(b, d);
      float[] gates = floats(b, g * d);
      int[] unitGate = ints(b, h);
      StudentBlock s;
      if (shared) {
        float[] first = floats(b, h * d);
        float[] second = floats(b, h * width);
        s = StudentBlock.sharedOutput(d, width, scales, gates, unitGate, first, second);
      } else {
        int[] unitOutput = ints(b, h);
        float[] first = floats(b, h * d);
        float[] second = floats(b, h);
        s = new StudentBlock(d, c, scales, gates, unitGate, unitOutput, first, second);
      }
      if (!hasBasis) {
        return s;
      }
      float[] reflectors = floats(b, rank * c);
      float[] weights = floats(b, rank);
      return s.inBasis(new OutputBasis(c, reflectors, weights));
    } catch (IllegalArgumentException | BufferUnderflowException e) {
      throw new StudentFormatException("inconsistent student: " + e.getMessage());
    }
  }

  /** Bytes between the header and the checksum. */
  private static long bodyBytes(int d, int c, int h, int g, boolean shared) {
    long perUnit = shared ? 1L + d + c : 3L + d;
    return 4L * (d + (long) g * d + h * perUnit);
  }

  /** The rank field in the header and the reflectors and weights at the end. */
  private static long basisBytes(OutputBasis basis, int c) {
    return basis == null ? 0 : 4 + 4L * basis.rank() * (c + 1);
  }

  /** Writes a student file of either kind. */
  public static void write(Path path, Student s) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.write(path, encode(s));
  }

  /** Reads a student file of either kind. */
  public static Student readAny(Path path) throws IOException {
    byte[] bytes = Files.readAllBytes(path);
    try {
      return decodeAny(bytes, 0, bytes.length);
    } catch (StudentFormatException e) {
      throw new StudentFormatException(path + ": " + e.getMessage());
    }
  }

  /** Reads an MLP student file. */
  public static StudentBlock read(Path path) throws IOException {
    try {
      return decode(Files.readAllBytes(path));
    } catch (StudentFormatException e) {
      throw new StudentFormatException(path + ": " + e.getMessage());
    }
  }

  /** Appends the CRC-32 of every byte written so far: the last field of every student layout. */
  static void seal(ByteBuffer b) {
    CRC32 crc = new CRC32();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
  }

  /** Checks the trailing CRC-32 of a record in {@code bytes[offset, offset + length)}. */
  static void requireChecksum(byte[] bytes, int offset, int length) throws StudentFormatException {
    CRC32 crc = new CRC32();
    crc.update(bytes, offset, length - 4);
    int stored =
        ByteBuffer.wrap(bytes, offset + length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if (stored != (int) crc.getValue()) {
      throw new StudentFormatException("student checksum mismatch: the data is corrupt");
    }
  }

  /** Reads n floats at b's position and moves past them. */
  static float[] floats(ByteBuffer b, int n) {
    float[] out = new float[n];
    b.asFloatBuffer().get(out);
    b.position(b.position() + 4 * n);
    return out;
  }

  private static int[] ints(ByteBuffer b, int n) {
    int[] out = new int[n];
    b.asIntBuffer().get(out);
    b.position(b.position() + 4 * n);
    return out;
  }
}
