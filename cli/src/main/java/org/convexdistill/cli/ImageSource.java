package org.convexdistill.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.convexdistill.app.ImageSampling;
import org.convexdistill.app.UserException;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.ImageFolder;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.data.LabeledImages;
import picocli.CommandLine.Option;

/**
 * Which unlabeled images to distil from: a folder of PNG/JPEG ({@code --images}) or the
 * Fashion-MNIST training split. Only {@link Images} leave this class.
 */
final class ImageSource {
  @Option(
      names = "--images",
      paramLabel = "DIR",
      description =
          "Distil from the PNG/JPEG images in DIR instead of Fashion-MNIST's training set.")
  Path images;

  @Option(
      names = "--samples",
      paramLabel = "N",
      description = "Unlabeled images to distil from, drawn at random (default: ${DEFAULT-VALUE}).")
  int samples = 2000;

  @Option(
      names = "--samples-per-class",
      paramLabel = "N",
      description =
          "The paper's protocol: N training images of each class. Labels only choose the images;"
              + " the learner still receives images alone. Overrides --samples.")
  int samplesPerClass;

  @Option(names = "--sample-seed", description = "Seed of the draw (default: ${DEFAULT-VALUE}).")
  long sampleSeed = 7;

  Images load(DataOptions data) throws IOException {
    if (samples <= 0 || samplesPerClass < 0) {
      throw new UserException("--samples must be > 0 and --samples-per-class >= 0");
    }
    if (images != null) {
      Images all = ImageFolder.read(images);
      return all.count() <= samples
          ? all
          : all.select(ImageSampling.draw(all.count(), samples, sampleSeed));
    }
    return from(data.load(FashionMnist.Split.TRAIN));
  }

  /** The unlabeled sample of {@code train} these options describe. */
  Images from(LabeledImages train) {
    if (samplesPerClass > 0) {
      return ImageSampling.perClass(train, samplesPerClass, sampleSeed).images();
    }
    if (samples > train.count()) {
      throw new UserException(
          "--samples " + samples + " exceeds the " + train.count() + " training images");
    }
    return train.images().select(ImageSampling.draw(train.count(), samples, sampleSeed));
  }
}
