package org.convexdistill.teacher;

import ai.djl.nn.Block;
import java.util.List;

/**
 * The teacher's head — global average pool, then the classifier — in plain Java, shared by both
 * inference copies ({@link FrozenResNet18}, {@link VectorResNet18}). Why: after block 4 the suffix
 * is 5,120 multiply-adds per image, and a round trip through the engine cost 0.4 ms per batch, more
 * than the student.
 */
final class FrozenHead {
  /** The classifier: weight (classes × channels, row-major) and bias. */
  private final float[] weight;

  private final float[] bias;

  private FrozenHead(float[] weight, float[] bias) {
    this.weight = weight;
    this.bias = bias;
  }

  /** The head of the network {@link ResNet18#parts} built (its last part: pool, linear). */
  static FrozenHead of(List<Block> network) {
    Block linear = network.get(5).getChildren().values().get(1);
    return new FrozenHead(
        linear.getParameters().get("weight").getArray().toFloatArray(),
        linear.getParameters().get("bias").getArray().toFloatArray());
  }

  /** Logits of n maps of {@code channels × positions} values (NCHW). */
  float[] apply(float[] maps, int n, int channels, int positions) {
    int classes = bias.length;
    float[] logits = new float[n * classes];
    float[] pooled = new float[channels];
    for (int i = 0; i < n; i++) {
      int base = i * channels * positions;
      for (int ch = 0; ch < channels; ch++) {
        float sum = 0;
        for (int q = 0; q < positions; q++) {
          sum += maps[base + ch * positions + q];
        }
        pooled[ch] = sum / positions;
      }
      for (int c = 0; c < classes; c++) {
        float acc = bias[c];
        int row = c * channels;
        for (int ch = 0; ch < channels; ch++) {
          acc += weight[row + ch] * pooled[ch];
        }
        logits[i * classes + c] = acc;
      }
    }
    return logits;
  }
}
