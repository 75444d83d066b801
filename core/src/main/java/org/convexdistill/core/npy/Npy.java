package org.convexdistill.core.npy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files.
 *
 * <p>Reads format versions 1.0, 2.0 and 3.0 with dtype float32 or float64 in either byte order and
 * C order; float64 is narrowed to float32. Writes version 1.0, little-endian, C order, with the
 * header padded so the data starts on a 64-byte boundary, as NumPy does.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /**
   * Reads an array.
   *
   * @throws NoSuchFileException when the file does not exist
   * @throws NpyFormatException when the file is not a float {@code .npy} array in C order
   */
  public static NpyArray read(Path path) throws IOException {
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString(), null, "file not found");
    }
    byte[] bytes = Files.readAllBytes(path);
    try {
      return decode(bytes);
    } catch (NpyFormatException e) {
      throw new NpyFormatException(path + ": " + e.getMessage());
    }
  }

  /** Decodes the bytes of a whole {@code .npy} file. */
  public static NpyArray decode(byte[] bytes) throws NpyFormatException {
    if (bytes.length < 10) {
      throw new NpyFormatException("not a .npy file (only " + bytes.length + " bytes)");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[i] != MAGIC[i]) {
        throw new NpyFormatException("not a .npy file (bad magic; expected \\x93NUMPY)");
      }
    }
    int major = bytes[6] & 0xff;
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int headerLength;
    int headerStart;
    if (major == 1) {
      headerLength = in.getShort(8) & 0xffff;
      headerStart = 10;
    } else if (major == 2 || major == 3) {
      if (bytes.length < 12) {
        throw new NpyFormatException("truncated header");
      }
      headerLength = in.getInt(8);
      headerStart = 12;
    } else {
      throw new NpyFormatException("unsupported .npy format version " + major);
    }
    if (headerLength < 0 || headerStart + (long) headerLength > bytes.length) {
      throw new NpyFormatException("truncated header");
    }
    String header =
        new String(
            bytes,
            headerStart,
            headerLength,
            major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    String descr = group(DESCR, header, "descr");
    String fortran = group(FORTRAN, header, "fortran_order");
    int[] shape = parseShape(group(SHAPE, header, "shape"));

    if (fortran.equals("True")) {
      throw new NpyFormatException(
          "array is in Fortran order; save it with np.save(path, np.ascontiguousarray(a))");
    }
    ByteOrder order;
    NpyDtype dtype;
    if (descr.length() != 3) {
      throw unsupportedDtype(descr);
    }
    switch (descr.charAt(0)) {
      case '<', '|', '=' -> order = ByteOrder.LITTLE_ENDIAN;
      case '>' -> order = ByteOrder.BIG_ENDIAN;
      default -> throw unsupportedDtype(descr);
    }
    switch (descr.substring(1)) {
      case "f4" -> dtype = NpyDtype.FLOAT32;
      case "f8" -> dtype = NpyDtype.FLOAT64;
      default -> throw unsupportedDtype(descr);
    }

    long count = 1;
    for (int dim : shape) {
      count *= dim;
    }
    if (count > Integer.MAX_VALUE) {
      throw new NpyFormatException("array too large: " + count + " elements");
    }
    int dataStart = headerStart + headerLength;
    long needed = count * dtype.bytes();
    long available = bytes.length - (long) dataStart;
    if (available < needed) {
      throw new NpyFormatException(
          "truncated data: shape needs " + needed + " bytes, file has " + available);
    }
    if (available > needed) {
      throw new NpyFormatException(
          "trailing bytes: shape needs " + needed + " bytes, file has " + available);
    }
    ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, (int) needed).slice().order(order);
    float[] values = new float[(int) count];
    if (dtype == NpyDtype.FLOAT32) {
      data.asFloatBuffer().get(values);
    } else {
      var doubles = data.asDoubleBuffer();
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) doubles.get(i);
      }
    }
    return new NpyArray(shape, values, dtype);
  }

  /** Writes {@code array} as float32. */
  public static void write(Path path, NpyArray array) throws IOException {
    write(path, array, NpyDtype.FLOAT32);
  }

  /** Writes {@code array} with element type {@code dtype} (float64 widens exactly). */
  public static void write(Path path, NpyArray array, NpyDtype dtype) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (OutputStream out = Files.newOutputStream(path)) {
      out.write(encode(array, dtype));
    }
  }

  /** Encodes {@code array} as the bytes of a version 1.0 {@code .npy} file. */
  public static byte[] encode(NpyArray array, NpyDtype dtype) {
    String dict =
        "{'descr': '<"
            + dtype.code()
            + "', 'fortran_order': False, 'shape': "
            + array.shapeString()
            + ", }";
    int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
    int padding = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(padding) + "\n";
    float[] values = array.data();
    ByteBuffer out =
        ByteBuffer.allocate(10 + header.length() + values.length * dtype.bytes())
            .order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    out.put(header.getBytes(StandardCharsets.ISO_8859_1));
    if (dtype == NpyDtype.FLOAT32) {
      out.asFloatBuffer().put(values);
    } else {
      var doubles = out.asDoubleBuffer();
      for (float v : values) {
        doubles.put(v);
      }
    }
    return out.array();
  }

  private static String group(Pattern pattern, String header, String key)
      throws NpyFormatException {
    Matcher m = pattern.matcher(header);
    if (!m.find()) {
      throw new NpyFormatException("header has no valid '" + key + "' entry: " + header.trim());
    }
    return m.group(1);
  }

  private static int[] parseShape(String text) throws NpyFormatException {
    List<Integer> dims = new ArrayList<>();
    for (String part : text.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      if (p.endsWith("L")) {
        p = p.substring(0, p.length() - 1);
      }
      try {
        int dim = Integer.parseInt(p);
        if (dim < 0) {
          throw new NumberFormatException();
        }
        dims.add(dim);
      } catch (NumberFormatException e) {
        throw new NpyFormatException("bad dimension '" + p + "' in shape (" + text + ")");
      }
    }
    return dims.stream().mapToInt(Integer::intValue).toArray();
  }

  private static NpyFormatException unsupportedDtype(String descr) {
    return new NpyFormatException(
        "dtype '"
            + descr
            + "' is not supported; use float32 or float64 (e.g. a.astype(np.float32))");
  }
}
