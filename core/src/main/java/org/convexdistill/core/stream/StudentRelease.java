package org.convexdistill.core.stream;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.convexdistill.core.student.Student;
import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.core.student.StudentFormat;
import org.convexdistill.core.student.StudentFormatException;

/**
 * One published student version: the student itself (the {@link StudentFormat} bytes) with its
 * lineage (parent version, the window's offset ranges) and certificate. The value of the compacted
 * {@code students} topic, keyed by {@link #modelId()}.
 *
 * <pre>
 * magic "CDSR" (4), format version (2), flags (2: bit 0 = warm-started), then little-endian:
 * model id, teacher id (length-prefixed UTF-8), block (4), version (8), parent version (8; 0 =
 * none), λ (8), objective (8), relative gap (8), held-out MSE (8), [format 2: top-1 agreement
 * with the teacher (8; NaN = not measured), selection λ (8)], iterations (4), solver seconds (8), non-zero groups
 * (4), parameters (8), created-at epoch ms (8), ranges (4 + 20 each: partition, from, to), student
 * length (4) + student bytes (CDST for an MLP student, CDSC for a CNN one, each with its own
 * CRC-32)
 * </pre>
 *
 * Format 1 (neither field) still decodes, with agreement NaN and selection λ = λ.
 *
 * @param lambda λ of the solve whose weights are served; {@code objective} and {@code relativeGap}
 *     are that solve's certificate
 * @param selectionLambda λ of the solve that chose the support within the budget (the warm start of
 *     the next refit; equal to {@code lambda} when no support refit ran)
 * @param teacherAgreement fraction of held-out window rows on which the student's block output, run
 *     through the teacher's suffix, gives the teacher's own top-1 class (NaN = not measured)
 */
public record StudentRelease(
    String modelId,
    String teacherId,
    int block,
    long version,
    long parentVersion,
    double lambda,
    double objective,
    double relativeGap,
    double heldOutMse,
    double teacherAgreement,
    double selectionLambda,
    int iterations,
    double solverSeconds,
    int nonzeroGroups,
    long parameters,
    long createdAtMillis,
    boolean warmStarted,
    List<OffsetRange> window,
    Student student) {
  /** "CDSR". */
  public static final int MAGIC = 0x52534443;

  /** The version this code writes and reads. */
  public static final int VERSION = 2;

  public StudentRelease {
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(teacherId, "teacherId");
    Objects.requireNonNull(student, "student");
    window = List.copyOf(window);
    if (version <= 0 || parentVersion < 0 || parentVersion >= version) {
      throw new IllegalArgumentException(
          "version " + version + " with parent " + parentVersion + ": need 0 <= parent < version");
    }
  }

  /**
   * The student as the learner's MLP kind (what a refit warm-starts from), or null for a CNN
   * student, which was fitted offline and cannot warm-start a convex solve.
   */
  public StudentBlock mlpStudent() {
    return student instanceof StudentBlock b ? b : null;
  }

  /** Number of activation records the window held. */
  public long windowSize() {
    return window.stream().mapToLong(OffsetRange::count).sum();
  }

  /** Encodes the release. */
  public byte[] encode() {
    byte[] model = modelId.getBytes(StandardCharsets.UTF_8);
    byte[] teacher = teacherId.getBytes(StandardCharsets.UTF_8);
    byte[] s = StudentFormat.encode(student);
    int size = 8 + 2 + model.length + 2 + teacher.length + 4 + 8 * 8 + 4 + 8 + 4 + 8 + 8;
    size += 4 + 20 * window.size() + 4 + s.length;
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(MAGIC).putShort((short) VERSION).putShort((short) (warmStarted ? 1 : 0));
    WireStrings.put(b, model);
    WireStrings.put(b, teacher);
    b.putInt(block).putLong(version).putLong(parentVersion);
    b.putDouble(lambda).putDouble(objective).putDouble(relativeGap).putDouble(heldOutMse);
    b.putDouble(teacherAgreement).putDouble(selectionLambda);
    b.putInt(iterations).putDouble(solverSeconds).putInt(nonzeroGroups).putLong(parameters);
    b.putLong(createdAtMillis);
    b.putInt(window.size());
    for (OffsetRange r : window) {
      b.putInt(r.partition()).putLong(r.from()).putLong(r.to());
    }
    b.putInt(s.length).put(s);
    return b.array();
  }

  /**
   * Decodes a release, including the student's own checks (shapes, CRC-32).
   *
   * @throws RecordFormatException saying what is wrong
   */
  public static StudentRelease decode(byte[] bytes) throws RecordFormatException {
    if (bytes == null || bytes.length < 8) {
      throw new RecordFormatException("truncated student release");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt() != MAGIC) {
      throw new RecordFormatException("not a student release (bad magic; expected CDSR)");
    }
    int version = b.getShort() & 0xffff;
    if (version != 1 && version != VERSION) {
      throw new RecordFormatException(
          "student release version " + version + " is not supported (this build reads 1 and 2)");
    }
    boolean warm = (b.getShort() & 1) != 0;
    try {
      String model = WireStrings.get(b);
      String teacher = WireStrings.get(b);
      int block = b.getInt();
      long v = b.getLong();
      long parent = b.getLong();
      double lambda = b.getDouble();
      double objective = b.getDouble();
      double gap = b.getDouble();
      double mse = b.getDouble();
      double agreement = version >= 2 ? b.getDouble() : Double.NaN;
      double selection = version >= 2 ? b.getDouble() : lambda;
      int iterations = b.getInt();
      double seconds = b.getDouble();
      int groups = b.getInt();
      long parameters = b.getLong();
      long created = b.getLong();
      int ranges = b.getInt();
      if (ranges < 0 || ranges > 100_000) {
        throw new RecordFormatException("bad window range count " + ranges);
      }
      List<OffsetRange> window = new ArrayList<>(ranges);
      for (int i = 0; i < ranges; i++) {
        window.add(new OffsetRange(b.getInt(), b.getLong(), b.getLong()));
      }
      int n = b.getInt();
      if (n != b.remaining()) {
        throw new RecordFormatException(
            "student release says " + n + " student bytes follow, " + b.remaining() + " do");
      }
      Student student = StudentFormat.decodeAny(bytes, b.position(), n);
      return new StudentRelease(
          model,
          teacher,
          block,
          v,
          parent,
          lambda,
          objective,
          gap,
          mse,
          agreement,
          selection,
          iterations,
          seconds,
          groups,
          parameters,
          created,
          warm,
          window,
          student);
    } catch (StudentFormatException e) {
      throw new RecordFormatException("student release: " + e.getMessage());
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new RecordFormatException("truncated or inconsistent student release");
    }
  }
}
