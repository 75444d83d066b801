package org.convexdistill.core.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Fashion-MNIST in its original gzipped IDX files ({@code train-images-idx3-ubyte.gz}, …), as
 * Debian's {@code dataset-fashion-mnist} installs them under {@link #DEFAULT_DIR}.
 */
public final class FashionMnist {
  /** Where Debian's package puts the files. */
  public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** The ten classes, by label. */
  public static final String[] CLASSES = {
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot"
  };

  /** Which split. */
  public enum Split {
    TRAIN("train"),
    TEST("t10k");

    private final String prefix;

    Split(String prefix) {
      this.prefix = prefix;
    }

    /** File name of the images. */
    public String imagesFile() {
      return prefix + "-images-idx3-ubyte.gz";
    }

    /** File name of the labels. */
    public String labelsFile() {
      return prefix + "-labels-idx1-ubyte.gz";
    }
  }

  private FashionMnist() {}

  /**
   * Loads a split from {@code dir}.
   *
   * @throws DataFormatException naming the missing or corrupt file, and how to get the data
   */
  public static LabeledImages load(Path dir, Split split) throws IOException {
    Path images = dir.resolve(split.imagesFile());
    Path labels = dir.resolve(split.labelsFile());
    for (Path p : new Path[] {images, labels}) {
      if (!Files.isRegularFile(p)) {
        throw new DataFormatException(
            "Fashion-MNIST file "
                + p
                + " not found; install it with 'apt-get install dataset-fashion-mnist' or point"
                + " --data at a folder holding the four *-ubyte.gz files");
      }
    }
    Images im = readImages(images);
    byte[] lab = readLabels(labels);
    if (lab.length != im.count()) {
      throw new DataFormatException(
          labels
              + " has "
              + lab.length
              + " labels but "
              + images
              + " has "
              + im.count()
              + " images");
    }
    return new LabeledImages(im, lab, CLASSES.length);
  }

  /** Reads an IDX3 unsigned-byte image file (gzipped or not). */
  public static Images readImages(Path path) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(readMaybeGzipped(path));
    if (b.remaining() < 16) {
      throw new DataFormatException(path + ": too short for an IDX image header");
    }
    int magic = b.getInt();
    if (magic != 0x00000803) {
      throw new DataFormatException(
          path + ": not an IDX3 ubyte image file (magic 0x" + Integer.toHexString(magic) + ")");
    }
    int n = b.getInt();
    int rows = b.getInt();
    int cols = b.getInt();
    long needed = (long) n * rows * cols;
    if (n < 0 || rows <= 0 || cols <= 0 || b.remaining() != needed) {
      throw new DataFormatException(
          path
              + ": header says "
              + n
              + "×"
              + rows
              + "×"
              + cols
              + " = "
              + needed
              + " bytes but the file holds "
              + b.remaining());
    }
    byte[] pixels = new byte[(int) needed];
    b.get(pixels);
    return new Images(n, rows, cols, pixels);
  }

  /** Reads an IDX1 unsigned-byte label file (gzipped or not). */
  public static byte[] readLabels(Path path) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(readMaybeGzipped(path));
    if (b.remaining() < 8) {
      throw new DataFormatException(path + ": too short for an IDX label header");
    }
    int magic = b.getInt();
    if (magic != 0x00000801) {
      throw new DataFormatException(
          path + ": not an IDX1 ubyte label file (magic 0x" + Integer.toHexString(magic) + ")");
    }
    int n = b.getInt();
    if (n < 0 || b.remaining() != n) {
      throw new DataFormatException(
          path + ": header says " + n + " labels but the file holds " + b.remaining());
    }
    byte[] labels = new byte[n];
    b.get(labels);
    return labels;
  }

  /** Writes images and labels as gzipped IDX files named like the originals (for fixtures). */
  public static void write(Path dir, Split split, LabeledImages data) throws IOException {
    Files.createDirectories(dir);
    Images im = data.images();
    ByteBuffer header = ByteBuffer.allocate(16).putInt(0x803).putInt(im.count());
    header.putInt(im.height()).putInt(im.width());
    try (OutputStream out =
        new GZIPOutputStream(Files.newOutputStream(dir.resolve(split.imagesFile())))) {
      out.write(header.array());
      out.write(im.pixels());
    }
    ByteBuffer lh = ByteBuffer.allocate(8).putInt(0x801).putInt(data.count());
    try (OutputStream out =
        new GZIPOutputStream(Files.newOutputStream(dir.resolve(split.labelsFile())))) {
      out.write(lh.array());
      out.write(data.labels());
    }
  }

  private static byte[] readMaybeGzipped(Path path) throws IOException {
    byte[] raw = Files.readAllBytes(path);
    if (raw.length >= 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
      try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length * 4);
        in.transferTo(out);
        return out.toByteArray();
      } catch (ZipException | java.io.EOFException e) {
        throw new DataFormatException(path + ": corrupt gzip data (" + e.getMessage() + ")");
      }
    }
    return raw;
  }
}
