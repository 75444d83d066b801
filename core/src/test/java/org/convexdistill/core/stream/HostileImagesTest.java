package org.convexdistill.core.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.convexdistill.core.data.ImageFolder;
import org.junit.jupiter.api.Test;

/** Images built to hurt the decoder are refused with the reason, before anything big is made. */
class HostileImagesTest {
  /** A real 28×28 PNG whose IHDR (and its CRC) is rewritten to declare {@code w × h}. */
  static byte[] pngDeclaring(int w, int h) {
    byte[] png = ImageFolder.encodePng(new byte[28 * 28], 28);
    // Signature (8), then the IHDR chunk: length (4), "IHDR" (4), width (4), height (4), ...
    ByteBuffer b = ByteBuffer.wrap(png);
    b.putInt(16, w).putInt(20, h);
    CRC32 crc = new CRC32();
    crc.update(png, 12, 4 + 13);
    b.putInt(8 + 8 + 13, (int) crc.getValue());
    return png;
  }

  @Test
  void aPngDeclaringAHugeImageIsRefusedFromItsHeader() {
    byte[] bomb = pngDeclaring(60_000, 60_000); // 3.6 G pixels behind ~100 bytes
    long before = usedHeap();
    assertThatThrownBy(() -> ImagePayload.decode(bomb, "image/png"))
        .isInstanceOf(RecordFormatException.class)
        .hasMessageContaining("60000×60000")
        .hasMessageContaining("expected 28×28");
    // Nothing near a 3.6 GB raster was allocated (a generous bound for GC noise).
    assertThat(usedHeap() - before).isLessThan(256L << 20);
  }

  @Test
  void otherImageFormatsNeverReachADecoder() throws Exception {
    BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    for (String format : new String[] {"gif", "bmp"}) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(ImageIO.write(img, format, out)).isTrue();
      byte[] bytes = out.toByteArray();
      // ImageIO.read would decode these; the payload decoder does not even try.
      assertThat(ImageIO.read(new java.io.ByteArrayInputStream(bytes))).isNotNull();
      assertThatThrownBy(() -> ImagePayload.decode(bytes, "image/png"))
          .isInstanceOf(RecordFormatException.class)
          .hasMessageContaining("not a decodable image/png");
    }
  }

  @Test
  void aTruncatedPngIsRefusedNotCrashed() {
    byte[] png = ImageFolder.encodePng(new byte[28 * 28], 28);
    byte[] cut = java.util.Arrays.copyOf(png, png.length / 2);
    assertThatThrownBy(() -> ImagePayload.decode(cut, null))
        .isInstanceOf(RecordFormatException.class);
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }
}
