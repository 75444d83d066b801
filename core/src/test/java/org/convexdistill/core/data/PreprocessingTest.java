package org.convexdistill.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PreprocessingTest {
  @Test
  void shouldPadTo32AndNormaliseWithTheDatasetStatistics() {
    byte[] px = new byte[28 * 28];
    px[0] = (byte) 255; // top-left pixel of the image lands at (2, 2)
    px[28 * 28 - 1] = (byte) 51; // bottom-right lands at (29, 29)
    float[] out = new float[32 * 32];
    Preprocessing.toTensor(new Images(1, 28, 28, px), 0, 1, out);
    float black = -0.2860f / 0.3530f;
    assertThat(out[0]).isCloseTo(black, within(1e-6f)); // padding is black after normalising
    assertThat(out[2 * 32 + 2]).isCloseTo((1f - 0.2860f) / 0.3530f, within(1e-6f));
    assertThat(out[29 * 32 + 29]).isCloseTo((0.2f - 0.2860f) / 0.3530f, within(1e-6f));
    assertThat(out[2 * 32 + 3]).isCloseTo(black, within(1e-6f));
  }
}
