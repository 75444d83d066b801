package org.convexdistill.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.convexdistill.core.data.ImageFolder;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.teacher.Teacher;
import org.convexdistill.serving.GoldenSet;

/**
 * The serving nodes' golden set on disk: {@value #COUNT} real images (PNG, unlabeled) in {@code
 * <teacher dir>/golden/}, written when a teacher is trained or first reused, so every node that
 * loads the teacher also finds real inputs to judge releases on.
 */
public final class GoldenImages {
  /** Folder inside the teacher's directory. */
  public static final String DIR = "golden";

  /** Images kept. */
  public static final int COUNT = 256;

  private GoldenImages() {}

  /** The golden set serving checks releases against: the images in {@code dir} and the teacher. */
  public static GoldenSet load(Teacher teacher, int block, Path dir) throws IOException {
    return new GoldenSet(teacher, block, ImageFolder.read(dir));
  }

  /** The default location for the teacher in {@code teacherDir}. */
  public static Path of(Path teacherDir) {
    return teacherDir.resolve(DIR);
  }

  /**
   * Writes {@value #COUNT} images spread evenly over {@code images} into {@code of(teacherDir)},
   * unless that folder already holds some.
   */
  public static void ensure(Path teacherDir, Images images) throws IOException {
    Path dir = of(teacherDir);
    if (Files.isDirectory(dir)) {
      try (var s = Files.list(dir)) {
        if (s.findAny().isPresent()) {
          return;
        }
      }
    }
    Files.createDirectories(dir);
    int n = Math.min(COUNT, images.count());
    int size = images.imageSize();
    for (int i = 0; i < n; i++) {
      int at = (int) ((long) i * images.count() / n);
      byte[] px = new byte[size];
      System.arraycopy(images.pixels(), at * size, px, 0, size);
      Files.write(
          dir.resolve(String.format("%04d.png", i)), ImageFolder.encodePng(px, images.width()));
    }
  }
}
