package org.convexdistill.app;

import java.io.IOException;
import java.nio.file.Path;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.data.LabeledImages;

/** How the demo and {@code up} split Fashion-MNIST between the devices and the evaluation. */
public final class DemoData {
  private DemoData() {}

  /** Data: (stream images, evaluation images with labels, the full splits, their folder). */
  public record Split(
      Images stream, LabeledImages eval, LabeledImages train, LabeledImages test, Path dir) {}

  /**
   * The devices publish the first part of the test set (their labels stay here); the held-out rest
   * (at most half) is only for the evaluation at the end.
   */
  public static Split split(Path dir, int evalCount) throws IOException {
    LabeledImages train = FashionMnist.load(dir, FashionMnist.Split.TRAIN);
    LabeledImages test = FashionMnist.load(dir, FashionMnist.Split.TEST);
    int eval = Math.min(evalCount, test.count() / 2);
    int stream = test.count() - eval;
    Images streamImages = test.images().slice(0, stream);
    int[] idx = new int[eval];
    for (int i = 0; i < eval; i++) {
      idx[i] = stream + i;
    }
    return new Split(streamImages, test.select(idx), train, test, dir);
  }
}
