package org.convexdistill.core.stream;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.convexdistill.core.teacher.TensorShape;

/**
 * One image's teacher activations at block k: the block's input z and output y, with where they
 * came from. The value of the {@code activations} topic.
 *
 * <pre>
 * offset  size  field (little-endian)
 * 0       4     magic "CDAR"
 * 4       2     format version (1)
 * 6       1     precision: 0 = float32, 1 = float16
 * 7       1     reserved (0)
 * 8       2+n   teacher id (length-prefixed UTF-8)
 *         4     block k
 *         12    z shape (C, H, W)      12   y shape (C, H, W)
 *         2+n   source topic           4    source partition     8   source offset
 *         ...   z then y, each C·H·W values of the precision
 * </pre>
 */
public record ActivationRecord(
    String teacherId,
    int block,
    TensorShape zShape,
    TensorShape yShape,
    float[] z,
    float[] y,
    String sourceTopic,
    int sourcePartition,
    long sourceOffset) {
  /** "CDAR". */
  public static final int MAGIC = 0x52414443;

  /** The version this code writes and reads. */
  public static final int VERSION = 1;

  /** Value precision on the wire. */
  public enum Precision {
    FLOAT32,
    FLOAT16
  }

  public ActivationRecord {
    Objects.requireNonNull(teacherId, "teacherId");
    Objects.requireNonNull(sourceTopic, "sourceTopic");
    if (z.length != zShape.size() || y.length != yShape.size()) {
      throw new IllegalArgumentException(
          "z has "
              + z.length
              + " values for shape "
              + zShape
              + ", y has "
              + y.length
              + " for "
              + yShape);
    }
  }

  /** Encodes with the given precision. */
  public byte[] encode(Precision precision) {
    byte[] teacher = teacherId.getBytes(StandardCharsets.UTF_8);
    byte[] topic = sourceTopic.getBytes(StandardCharsets.UTF_8);
    int bytesPer = precision == Precision.FLOAT16 ? 2 : 4;
    int size = 8 + 2 + teacher.length + 4 + 24 + 2 + topic.length + 12;
    size += bytesPer * (z.length + y.length);
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(MAGIC).putShort((short) VERSION);
    b.put((byte) precision.ordinal()).put((byte) 0);
    WireStrings.put(b, teacher);
    b.putInt(block);
    putShape(b, zShape);
    putShape(b, yShape);
    WireStrings.put(b, topic);
    b.putInt(sourcePartition).putLong(sourceOffset);
    putValues(b, z, precision);
    putValues(b, y, precision);
    return b.array();
  }

  /**
   * Decodes a record.
   *
   * @throws RecordFormatException saying what is wrong (magic, version, shapes, length)
   */
  public static ActivationRecord decode(byte[] bytes) throws RecordFormatException {
    if (bytes == null || bytes.length < 8) {
      throw new RecordFormatException(
          "truncated activation record: " + (bytes == null ? 0 : bytes.length) + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt() != MAGIC) {
      throw new RecordFormatException("not an activation record (bad magic; expected CDAR)");
    }
    int version = b.getShort() & 0xffff;
    if (version != VERSION) {
      throw new RecordFormatException(
          "activation record version " + version + " is not supported (this build reads 1)");
    }
    int p = b.get();
    if (p < 0 || p > 1) {
      throw new RecordFormatException("unknown precision code " + p);
    }
    Precision precision = Precision.values()[p];
    b.get();
    try {
      String teacher = WireStrings.get(b);
      int block = b.getInt();
      TensorShape zs = getShape(b);
      TensorShape ys = getShape(b);
      String topic = WireStrings.get(b);
      int partition = b.getInt();
      long offset = b.getLong();
      long expected = (long) (precision == Precision.FLOAT16 ? 2 : 4) * (zs.size() + ys.size());
      if (b.remaining() != expected) {
        throw new RecordFormatException(
            "activation record holds "
                + b.remaining()
                + " value bytes; shapes "
                + zs
                + " and "
                + ys
                + " need "
                + expected);
      }
      float[] z = getValues(b, zs.size(), precision);
      float[] y = getValues(b, ys.size(), precision);
      return new ActivationRecord(teacher, block, zs, ys, z, y, topic, partition, offset);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new RecordFormatException("truncated or inconsistent activation record");
    }
  }

  private static void putShape(ByteBuffer b, TensorShape s) {
    b.putInt(s.channels()).putInt(s.height()).putInt(s.width());
  }

  private static TensorShape getShape(ByteBuffer b) {
    int c = b.getInt();
    int h = b.getInt();
    int w = b.getInt();
    if (c <= 0 || h <= 0 || w <= 0 || (long) c * h * w > (1 << 24)) {
      throw new IllegalArgumentException("bad shape");
    }
    return new TensorShape(c, h, w);
  }

  private static void putValues(ByteBuffer b, float[] v, Precision p) {
    if (p == Precision.FLOAT16) {
      for (float x : v) {
        b.putShort(Half.fromFloat(x));
      }
    } else {
      for (float x : v) {
        b.putFloat(x);
      }
    }
  }

  private static float[] getValues(ByteBuffer b, int n, Precision p) {
    float[] v = new float[n];
    if (p == Precision.FLOAT16) {
      for (int i = 0; i < n; i++) {
        v[i] = Half.toFloat(b.getShort());
      }
    } else {
      b.asFloatBuffer().get(v);
      b.position(b.position() + 4 * n);
    }
    return v;
  }
}
