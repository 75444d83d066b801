package org.convexdistill.core.data;

import java.util.Arrays;

/**
 * Unlabeled grey images, 8-bit, row-major, all {@code height × width}. This is what the learner
 * path accepts: it has no labels by construction.
 *
 * @param pixels count × height × width bytes (0 = black, 255 = white)
 */
public record Images(int count, int height, int width, byte[] pixels) {
  public Images {
    if (count < 0 || height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "bad image set shape: " + count + " × " + height + " × " + width);
    }
    if (pixels.length != (long) count * height * width) {
      throw new IllegalArgumentException(
          count
              + " images of "
              + height
              + "×"
              + width
              + " need "
              + (long) count * height * width
              + " bytes, got "
              + pixels.length);
    }
  }

  /** Bytes per image. */
  public int imageSize() {
    return height * width;
  }

  /** Images {@code [from, from + n)} (copied). */
  public Images slice(int from, int n) {
    if (from < 0 || n < 0 || from + n > count) {
      throw new IllegalArgumentException(
          "slice [" + from + ", " + (from + n) + ") outside " + count + " images");
    }
    int size = imageSize();
    return new Images(n, height, width, Arrays.copyOfRange(pixels, from * size, (from + n) * size));
  }

  /** The images at {@code indices}, in that order (copied). */
  public Images select(int[] indices) {
    int size = imageSize();
    byte[] out = new byte[indices.length * size];
    for (int i = 0; i < indices.length; i++) {
      System.arraycopy(pixels, indices[i] * size, out, i * size, size);
    }
    return new Images(indices.length, height, width, out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Images other
        && other.count == count
        && other.height == height
        && other.width == width
        && Arrays.equals(other.pixels, pixels);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(pixels);
  }

  @Override
  public String toString() {
    return "Images[" + count + " × " + height + "×" + width + "]";
  }
}
