package org.convexdistill.core.teacher;

/** The shape of one sample's activation: channels × height × width. */
public record TensorShape(int channels, int height, int width) {
  /** Number of values, the flattened dimension. */
  public int size() {
    return channels * height * width;
  }

  @Override
  public String toString() {
    return channels + "×" + height + "×" + width;
  }
}
