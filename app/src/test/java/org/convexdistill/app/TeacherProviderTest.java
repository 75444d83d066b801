package org.convexdistill.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.teacher.DjlTeacher;
import org.convexdistill.teacher.ModelCard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The teacher cache is keyed by what the teacher was trained on, not by a file existing. */
class TeacherProviderTest {
  @TempDir Path dir;

  private static Path fixture() {
    Path d = Path.of("").toAbsolutePath();
    for (int up = 0; up < 4 && d != null; up++, d = d.getParent()) {
      Path candidate = d.resolve("data/fashion-mnist-mini");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("data/fashion-mnist-mini not found");
  }

  private void cache(String datasetSha, int trainImages, int epochs, double accuracy)
      throws IOException {
    Files.write(dir.resolve(DjlTeacher.MODEL_NAME + "-0000.params"), new byte[] {1, 2, 3});
    new ModelCard(
            "resnet18-torchvision-1ch-32x32",
            epochs,
            42,
            128,
            0.05,
            trainImages,
            accuracy,
            500,
            1,
            11_175_370,
            datasetSha,
            "2026-12-02T00:00:00Z")
        .write(dir);
  }

  @Test
  void shouldReuseOnlyATeacherTrainedOnTheSameDataForEnoughEpochs() throws IOException {
    Path data = fixture();
    LabeledImages train = FashionMnist.load(data, FashionMnist.Split.TRAIN);
    String sha = TeacherProvider.datasetSha256(data);

    assertThat(TeacherProvider.reuseRefusal(dir, sha, train, 2)).isEqualTo("none cached yet");

    cache(sha, train.count(), 2, 0.88);
    assertThat(TeacherProvider.reuseRefusal(dir, sha, train, 2)).isNull();
    assertThat(TeacherProvider.reuseRefusal(dir, sha, train, 20)).contains("fewer than asked");

    // The old failure: a teacher trained on the 1,000-image fixture reused for the full data.
    String otherData = "0".repeat(64);
    assertThat(TeacherProvider.reuseRefusal(dir, otherData, train, 2))
        .contains("trained on other data");
    cache(sha, 60_000, 2, 0.88);
    assertThat(TeacherProvider.reuseRefusal(dir, sha, train, 2)).contains("trained on other data");
  }

  @Test
  void shouldRefuseATeacherBelowTheAccuracyFloorWithTheReason() throws IOException {
    cache("0".repeat(64), 1000, 2, 0.104);
    ModelCard card = ModelCard.read(dir);
    assertThatThrownBy(() -> TeacherProvider.requireAccuracy(card, 0.5, dir))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("10.40% test accuracy")
        .hasMessageContaining("below the 50% floor");
    cache("0".repeat(64), 60_000, 2, 0.88);
    TeacherProvider.requireAccuracy(ModelCard.read(dir), 0.5, dir);
  }

  @Test
  void shouldUseAnExplicitDataFolderAsGiven() {
    Path given = fixture();
    assertThat(DataLocation.resolve(given, System.out)).isEqualTo(given);
  }
}
