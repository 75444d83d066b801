package org.convexdistill.core.data;

/**
 * The input transform every role shares: zero-pad 28×28 to 32×32 (2 pixels each side), scale to [0,
 * 1] and normalise with Fashion-MNIST's mean 0.2860 and std 0.3530. With a 32×32 input the
 * ResNet-18 block dimensions equal the paper's Table 1.
 */
public final class Preprocessing {
  /** Side of the network input. */
  public static final int SIDE = 32;

  /** Fashion-MNIST training-set mean of pixel/255. */
  public static final float MEAN = 0.2860f;

  /** Fashion-MNIST training-set standard deviation of pixel/255. */
  public static final float STD = 0.3530f;

  private Preprocessing() {}

  /** All images as normalised 1×32×32 tensors, row-major n×1×32×32 (a new array). */
  public static float[] toTensor(Images images) {
    float[] out = new float[images.count() * SIDE * SIDE];
    toTensor(images, 0, images.count(), out);
    return out;
  }

  /**
   * Writes images {@code [from, from+n)} as normalised 1×32×32 tensors into {@code out} (row-major
   * n×1×32×32). Images larger than 32×32 are rejected; smaller ones are centred with zero padding
   * (zero before normalisation, as torchvision's Pad then Normalize does).
   *
   * @param out receives n·1024 floats from offset 0
   */
  public static void toTensor(Images images, int from, int n, float[] out) {
    int h = images.height();
    int w = images.width();
    if (h > SIDE || w > SIDE) {
      throw new IllegalArgumentException(
          "images are " + h + "×" + w + "; at most " + SIDE + "×" + SIDE + " is supported");
    }
    if (out.length < n * SIDE * SIDE) {
      throw new IllegalArgumentException(
          "output holds " + out.length + " floats, need " + n * SIDE * SIDE);
    }
    int top = (SIDE - h) / 2;
    int left = (SIDE - w) / 2;
    float pad = -MEAN / STD;
    byte[] px = images.pixels();
    for (int i = 0; i < n; i++) {
      int base = i * SIDE * SIDE;
      java.util.Arrays.fill(out, base, base + SIDE * SIDE, pad);
      int src = (from + i) * h * w;
      for (int r = 0; r < h; r++) {
        for (int c = 0; c < w; c++) {
          float v = (px[src + r * w + c] & 0xff) / 255f;
          out[base + (r + top) * SIDE + c + left] = (v - MEAN) / STD;
        }
      }
    }
  }
}
