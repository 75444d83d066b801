package org.convexdistill.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
  @TempDir Path dir;

  @Test
  void shouldReadPngAndJpegAsGrey28x28() throws Exception {
    BufferedImage white = new BufferedImage(56, 40, BufferedImage.TYPE_INT_RGB);
    var g = white.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, 56, 40);
    g.dispose();
    ImageIO.write(white, "png", dir.resolve("a.png").toFile());
    ImageIO.write(
        new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB),
        "jpg",
        dir.resolve("b.jpg").toFile());
    Files.writeString(dir.resolve("notes.txt"), "ignored");
    Images images = ImageFolder.read(dir);
    assertThat(images.count()).isEqualTo(2);
    assertThat(images.height()).isEqualTo(28);
    assertThat(images.pixels()[28 * 14 + 14] & 0xff).isEqualTo(255); // white PNG first (sorted)
    assertThat(images.pixels()[28 * 28 + 5] & 0xff).isLessThan(10); // black JPEG second
  }

  @Test
  void shouldNameAnUndecodableImage() throws Exception {
    Files.writeString(dir.resolve("broken.png"), "not really a png");
    assertThatThrownBy(() -> ImageFolder.read(dir))
        .isInstanceOf(DataFormatException.class)
        .hasMessageContaining("broken.png: not a PNG or JPEG image");
  }

  @Test
  void shouldRejectAnEmptyOrMissingFolder() {
    assertThatThrownBy(() -> ImageFolder.read(dir))
        .hasMessageContaining("no .png/.jpg/.jpeg images in");
    assertThatThrownBy(() -> ImageFolder.read(dir.resolve("nope")))
        .hasMessageContaining("not found");
  }
}
