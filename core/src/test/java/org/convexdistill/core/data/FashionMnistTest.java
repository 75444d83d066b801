package org.convexdistill.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
  @TempDir Path dir;

  @Test
  void shouldLoadTheFixtureWithAllTenClasses() throws Exception {
    LabeledImages train = FashionMnist.load(FixtureData.dir(), FashionMnist.Split.TRAIN);
    LabeledImages test = FashionMnist.load(FixtureData.dir(), FashionMnist.Split.TEST);
    assertThat(train.count()).isEqualTo(1000);
    assertThat(test.count()).isEqualTo(500);
    assertThat(train.images().height()).isEqualTo(28);
    int[] counts = new int[10];
    for (byte b : train.labels()) {
      counts[b]++;
    }
    assertThat(Arrays.stream(counts).min().getAsInt()).isGreaterThan(50);
  }

  @Test
  void shouldNameThePackageWhenFilesAreMissing() {
    assertThatThrownBy(() -> FashionMnist.load(dir, FashionMnist.Split.TEST))
        .isInstanceOf(DataFormatException.class)
        .hasMessageContaining("t10k-images-idx3-ubyte.gz not found")
        .hasMessageContaining("apt-get install dataset-fashion-mnist")
        .hasMessageContaining("--data");
  }

  @Test
  void shouldRejectCorruptAndTruncatedFiles() throws Exception {
    Path src = FixtureData.dir();
    for (String f : new String[] {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
      Files.copy(src.resolve(f), dir.resolve(f));
    }
    byte[] gz = Files.readAllBytes(dir.resolve("t10k-images-idx3-ubyte.gz"));
    Files.write(dir.resolve("t10k-images-idx3-ubyte.gz"), Arrays.copyOf(gz, gz.length / 2));
    assertThatThrownBy(() -> FashionMnist.load(dir, FashionMnist.Split.TEST))
        .isInstanceOf(DataFormatException.class)
        .hasMessageContaining("corrupt gzip data");

    // Labels where images should be: wrong magic.
    Files.copy(
        src.resolve("t10k-labels-idx1-ubyte.gz"),
        dir.resolve("t10k-images-idx3-ubyte.gz"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> FashionMnist.load(dir, FashionMnist.Split.TEST))
        .hasMessageContaining("not an IDX3 ubyte image file");
  }

  @Test
  void shouldRoundTripThroughWrite() throws Exception {
    LabeledImages test = FashionMnist.load(FixtureData.dir(), FashionMnist.Split.TEST).head(20);
    FashionMnist.write(dir, FashionMnist.Split.TEST, test);
    LabeledImages back = FashionMnist.load(dir, FashionMnist.Split.TEST);
    assertThat(back.images()).isEqualTo(test.images());
    assertThat(back.labels()).containsExactly(test.labels());
  }
}
