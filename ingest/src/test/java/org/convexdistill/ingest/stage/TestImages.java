package org.convexdistill.ingest.stage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.ImageFolder;
import org.convexdistill.core.data.Images;

/** Images from the repository's Fashion-MNIST fixture, as a device would send them. */
final class TestImages {
  private TestImages() {}

  static Images fixture() {
    try {
      return FashionMnist.readImages(
          Path.of("..", "data", "fashion-mnist-mini", "t10k-images-idx3-ubyte.gz"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] raw(Images images, int i) {
    return images.slice(i, 1).pixels();
  }

  static byte[] png(Images images, int i) {
    return ImageFolder.encodePng(raw(images, i), 28);
  }
}
