package org.convexdistill.core.data;

/**
 * Images with their class labels, for training the teacher and for evaluation only. The
 * distillation API takes {@link Images}; pass {@link #images()} to it.
 */
public record LabeledImages(Images images, byte[] labels, int numClasses) {
  public LabeledImages {
    if (labels.length != images.count()) {
      throw new IllegalArgumentException(
          images.count() + " images but " + labels.length + " labels");
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException(
            "label " + labels[i] + " of image " + i + " outside [0, " + numClasses + ")");
      }
    }
  }

  public int count() {
    return images.count();
  }

  /** The images at {@code indices} with their labels (copied). */
  public LabeledImages select(int[] indices) {
    byte[] l = new byte[indices.length];
    for (int i = 0; i < indices.length; i++) {
      l[i] = labels[indices[i]];
    }
    return new LabeledImages(images.select(indices), l, numClasses);
  }

  /** The first {@code n} images and labels. */
  public LabeledImages head(int n) {
    int m = Math.min(n, count());
    byte[] l = java.util.Arrays.copyOf(labels, m);
    return new LabeledImages(images.slice(0, m), l, numClasses);
  }
}
