package org.convexdistill.core.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * A user's own unlabeled images: every PNG/JPEG in a folder, converted to 8-bit grey and resized to
 * 28×28 (Fashion-MNIST's size; dark background, as there).
 */
public final class ImageFolder {
  static {
    // ImageIO caches every input stream in a temporary FILE by default: for a 28×28 image that
    // is most of the decode time (and system time). Memory is the right cache here.
    ImageIO.setUseCache(false);
  }

  /** Side the images are resized to. */
  public static final int SIDE = 28;

  private ImageFolder() {}

  /**
   * Reads every {@code .png}, {@code .jpg} and {@code .jpeg} in {@code dir}, sorted by name.
   *
   * @throws DataFormatException when the folder is missing or holds none, or an image cannot be
   *     decoded (naming it)
   */
  public static Images read(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new DataFormatException("image folder " + dir + " not found");
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(ImageFolder::isImage).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new DataFormatException("no .png/.jpg/.jpeg images in " + dir);
    }
    List<byte[]> images = new ArrayList<>();
    for (Path f : files) {
      images.add(decode(Files.readAllBytes(f), f.toString()));
    }
    byte[] pixels = new byte[images.size() * SIDE * SIDE];
    for (int i = 0; i < images.size(); i++) {
      System.arraycopy(images.get(i), 0, pixels, i * SIDE * SIDE, SIDE * SIDE);
    }
    return new Images(images.size(), SIDE, SIDE, pixels);
  }

  private static boolean isImage(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return Files.isRegularFile(p)
        && (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg"));
  }

  /**
   * Decodes one PNG/JPEG to 28×28 grey bytes.
   *
   * @param source named in the error message
   * @throws DataFormatException when the bytes are not a decodable image
   */
  public static byte[] decode(byte[] encoded, String source) throws DataFormatException {
    BufferedImage img;
    try {
      img = ImageIO.read(new ByteArrayInputStream(encoded));
    } catch (IOException | RuntimeException e) {
      throw new DataFormatException(source + ": cannot decode image (" + e.getMessage() + ")");
    }
    if (img == null) {
      throw new DataFormatException(source + ": not a PNG or JPEG image");
    }
    BufferedImage grey = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = grey.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(img, 0, 0, SIDE, SIDE, null);
    } finally {
      g.dispose();
    }
    byte[] out = new byte[SIDE * SIDE];
    grey.getRaster().getDataElements(0, 0, SIDE, SIDE, out);
    return out;
  }

  /**
   * Decodes a PNG/JPEG that must already be {@code side}×{@code side}; no rescaling. Faster than
   * {@link #decode}: one decode, and grey images are copied straight from their raster.
   *
   * <p>Hostile input is expected here (it comes from devices and HTTP clients): only the PNG and
   * JPEG readers are reachable (chosen by the bytes' magic, never ImageIO's full plug-in list), and
   * the image's dimensions are read from its header <em>before</em> any pixel buffer is allocated,
   * so a small file declaring a huge image (a decompression bomb) is refused at no cost.
   *
   * @return the grey pixels, or null when the bytes are not a decodable PNG/JPEG
   * @throws DataFormatException when the image has another size
   */
  public static byte[] decodeExact(byte[] encoded, int side) throws DataFormatException {
    String format = formatOf(encoded);
    if (format == null) {
      return null;
    }
    BufferedImage img;
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
      Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
      if (in == null || !readers.hasNext()) {
        return null;
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        int w = reader.getWidth(0);
        int h = reader.getHeight(0);
        if (w != side || h != side) {
          throw new DataFormatException(
              "image is " + w + "×" + h + "; expected " + side + "×" + side);
        }
        img = reader.read(0);
      } finally {
        reader.dispose();
      }
    } catch (DataFormatException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      return null;
    }
    if (img.getWidth() != side || img.getHeight() != side) {
      throw new DataFormatException(
          "image is " + img.getWidth() + "×" + img.getHeight() + "; expected " + side + "×" + side);
    }
    byte[] out = new byte[side * side];
    if (img.getType() == BufferedImage.TYPE_BYTE_GRAY) {
      img.getRaster().getDataElements(0, 0, side, side, out);
      return out;
    }
    BufferedImage grey = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = grey.createGraphics();
    try {
      g.drawImage(img, 0, 0, null);
    } finally {
      g.dispose();
    }
    grey.getRaster().getDataElements(0, 0, side, side, out);
    return out;
  }

  /** "png" or "jpeg" by the bytes' magic number, else null. */
  public static String formatOf(byte[] b) {
    if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
      return "png";
    }
    if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8) {
      return "jpeg";
    }
    return null;
  }

  /** Encodes side×side grey bytes as a PNG (what a device would send). */
  public static byte[] encodePng(byte[] grey, int side) {
    if (grey.length != side * side) {
      throw new IllegalArgumentException(grey.length + " pixels for a " + side + "×" + side);
    }
    BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
    img.getRaster().setDataElements(0, 0, side, side, grey);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
