package org.convexdistill.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
      return all.count() <= samples ? all : all.select(draw(all.count(), samples));
    }
    return from(data.load(FashionMnist.Split.TRAIN));
  }

  /** The unlabeled sample of {@code train} these options describe. */
  Images from(LabeledImages train) {
    if (samplesPerClass > 0) {
      return perClass(train, samplesPerClass).images();
    }
    if (samples > train.count()) {
      throw new UserException(
          "--samples " + samples + " exceeds the " + train.count() + " training images");
    }
    return train.images().select(draw(train.count(), samples));
  }

  private int[] draw(int population, int n) {
    int[] order = new int[population];
    for (int i = 0; i < population; i++) {
      order[i] = i;
    }
    Random random = new Random(sampleSeed);
    for (int i = 0; i < n; i++) {
      int j = i + random.nextInt(population - i);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return java.util.Arrays.copyOf(order, n);
  }

  private LabeledImages perClass(LabeledImages train, int n) {
    int[] order = draw(train.count(), train.count());
    int[] taken = new int[train.numClasses()];
    List<Integer> chosen = new ArrayList<>();
    for (int idx : order) {
      int c = train.labels()[idx];
      if (taken[c] < n) {
        taken[c]++;
        chosen.add(idx);
      }
    }
    return train.select(chosen.stream().mapToInt(Integer::intValue).toArray());
  }
}
