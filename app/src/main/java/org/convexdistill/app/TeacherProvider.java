package org.convexdistill.app;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.teacher.DjlTeacher;
import org.convexdistill.teacher.ModelCard;
import org.convexdistill.teacher.TeacherId;
import org.convexdistill.teacher.TeacherTrainer;
import org.convexdistill.teacher.TrainingOptions;

/**
 * The teacher a run distils: the cached one when it was trained on this very data (the model card's
 * dataset SHA-256 and image count) for at least the epochs asked for, otherwise a new one trained
 * now and cached with its card.
 */
public final class TeacherProvider {
  /** Inference batch of a loaded teacher. */
  public static final int BATCH = 256;

  /** Below this test accuracy a teacher is not worth distilling (chance is 10 %). */
  public static final double DEFAULT_ACCURACY_FLOOR = 0.5;

  private TeacherProvider() {}

  /** What {@link #ensure} was asked for. */
  public record Request(Path dir, int epochs, boolean retrain) {}

  /** The teacher and its card, and whether it was trained by this call. */
  public record Provided(DjlTeacher teacher, ModelCard card, boolean trained) {}

  /**
   * Loads the cached teacher in {@code request.dir()} when it fits this data, else trains one (with
   * a progress bar on {@code out}) and caches it there.
   */
  public static Provided ensure(
      PrintStream out, Request request, LabeledImages train, LabeledImages test, Path dataDir)
      throws IOException {
    Path dir = request.dir();
    String datasetSha = datasetSha256(dataDir);
    String refusal =
        request.retrain()
            ? "--retrain was given"
            : reuseRefusal(dir, datasetSha, train, request.epochs());
    if (refusal == null) {
      DjlTeacher teacher = DjlTeacher.load(dir, FashionMnist.CLASSES.length, BATCH);
      GoldenImages.ensure(dir, train.images()); // a teacher cached before golden sets existed
      ModelCard card = ModelCard.read(dir);
      out.printf(
          "teacher: cached in %s (%d epochs on %,d images), test accuracy %.2f%%%s%n",
          dir,
          card.epochs(),
          card.trainImages(),
          100 * card.testAccuracy(),
          card.epochs() < 20 ? " (the full one: 'distill teacher train --epochs 20')" : "");
      return new Provided(teacher, card, false);
    }
    out.printf(
        "teacher: training ResNet-18 for %d epochs on %,d images (%s; cached in %s)%n",
        request.epochs(), train.count(), refusal, dir);
    out.flush();
    DjlTeacher teacher =
        train(dir, train, test, TrainingOptions.defaults(request.epochs()), datasetSha);
    ModelCard card = ModelCard.read(dir);
    out.printf(
        "teacher: trained, test accuracy %.2f%% in %.0f s%n",
        100 * card.testAccuracy(), card.trainSeconds());
    return new Provided(teacher, card, true);
  }

  /** Why the cached teacher in {@code dir} cannot be reused for this data, or null when it can. */
  static String reuseRefusal(Path dir, String datasetSha, LabeledImages train, int epochs)
      throws IOException {
    if (!Files.isRegularFile(dir.resolve(DjlTeacher.MODEL_NAME + "-0000.params"))) {
      return "none cached yet";
    }
    if (!Files.isRegularFile(dir.resolve(ModelCard.FILE))) {
      return "the cached one has no model card";
    }
    ModelCard card = ModelCard.read(dir);
    if (!datasetSha.equals(card.datasetSha256()) || card.trainImages() != train.count()) {
      return String.format(
          "the cached one was trained on other data (%,d images, dataset %s)",
          card.trainImages(),
          card.datasetSha256() == null ? "unknown" : card.datasetSha256().substring(0, 12));
    }
    if (card.epochs() < epochs) {
      return "the cached one had " + card.epochs() + " epochs, fewer than asked for";
    }
    return null;
  }

  /** Trains a teacher on {@code train}, saves it and its model card in {@code out}. */
  public static DjlTeacher train(
      Path out, LabeledImages train, LabeledImages test, TrainingOptions options, String datasetSha)
      throws IOException {
    DjlTeacher teacher = DjlTeacher.create(FashionMnist.CLASSES.length, options.seed(), BATCH);
    long start = System.nanoTime();
    int used = options.limit() > 0 ? Math.min(options.limit(), train.count()) : train.count();
    TrainingBar bar = new TrainingBar(options.epochs(), used);
    // Training is alone on the machine: every core, whatever inference threads the run set.
    int before = DjlTeacher.setIntraOpThreads(Runtime.getRuntime().availableProcessors());
    double accuracy;
    try {
      accuracy = TeacherTrainer.train(teacher, train, test, options, bar);
    } finally {
      DjlTeacher.setIntraOpThreads(before);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Files.createDirectories(out);
    teacher.save(out);
    GoldenImages.ensure(out, train.images());
    new ModelCard(
            "resnet18-torchvision-1ch-32x32",
            options.epochs(),
            options.seed(),
            options.batchSize(),
            options.learningRate(),
            used,
            accuracy,
            test.count(),
            seconds,
            teacher.totalParameters(),
            datasetSha,
            Instant.now().toString())
        .write(out);
    return teacher;
  }

  /** The SHA-256 of the training images file: what a model card records as its data. */
  public static String datasetSha256(Path dataDir) throws IOException {
    return TeacherId.sha256(dataDir.resolve(FashionMnist.Split.TRAIN.imagesFile()));
  }

  /**
   * Refuses a teacher below {@code floor}: distillation figures of a model near chance would say
   * nothing about distillation.
   */
  public static void requireAccuracy(ModelCard card, double floor, Path dir) {
    if (card.testAccuracy() < floor) {
      throw new UserException(
          String.format(
              "the teacher in %s has %.2f%% test accuracy, below the %.0f%% floor: its"
                  + " distillation figures would mean nothing; train a better one ('distill"
                  + " teacher train --epochs 20', or --retrain here) or lower"
                  + " --min-teacher-accuracy",
              dir, 100 * card.testAccuracy(), 100 * floor));
    }
  }
}
