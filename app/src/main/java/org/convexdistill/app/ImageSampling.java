package org.convexdistill.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.convexdistill.core.data.LabeledImages;

/** Reproducible draws of unlabeled samples from a data set. */
public final class ImageSampling {
  private ImageSampling() {}

  /** The first {@code n} of a seeded random permutation of 0..population-1. */
  public static int[] draw(int population, int n, long seed) {
    int[] order = new int[population];
    for (int i = 0; i < population; i++) {
      order[i] = i;
    }
    Random random = new Random(seed);
    for (int i = 0; i < n; i++) {
      int j = i + random.nextInt(population - i);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return java.util.Arrays.copyOf(order, n);
  }

  /**
   * The paper's protocol: {@code n} images of each class, in the order of a seeded permutation.
   * Labels only choose the images; the learner still receives images alone.
   */
  public static LabeledImages perClass(LabeledImages train, int n, long seed) {
    int[] order = draw(train.count(), train.count(), seed);
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
