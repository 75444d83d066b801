package org.convexdistill.teacher;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.Arrays;
import java.util.List;

/**
 * torchvision's ResNet-18 layout with one input channel: 7×7/2 conv + BN + ReLU + 3×3/2 max-pool
 * stem; four stages of two BasicBlocks (64, 128, 256, 512 filters; the first block of stages 2–4
 * strides by 2 with a 1×1 conv + BN downsample); global average pool; linear to the classes.
 * Convolutions have no bias, as in torchvision. DJL's model-zoo ResNetV1 is a different network.
 *
 * <p>The network is kept as six top-level parts — stem, stage 1..4, head — so it can be split at
 * any stage while sharing parameters.
 */
public final class ResNet18 {
  /** Filters of stages 1..4. */
  static final int[] FILTERS = {64, 128, 256, 512};

  /** BatchNorm's ε (torchvision's). */
  static final float BN_EPSILON = 1e-5f;

  private ResNet18() {}

  /** stem, stage1, stage2, stage3, stage4, head. */
  public static List<Block> parts(int numClasses) {
    SequentialBlock stem =
        new SequentialBlock()
            .add(conv(64, 7, 2, 3))
            .add(batchNorm())
            .add(Activation.reluBlock())
            .add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
    Block[] stages = new Block[4];
    for (int s = 0; s < 4; s++) {
      int stride = s == 0 ? 1 : 2;
      stages[s] =
          new SequentialBlock()
              .add(basicBlock(FILTERS[s], stride, s > 0))
              .add(basicBlock(FILTERS[s], 1, false));
    }
    SequentialBlock head =
        new SequentialBlock()
            .add(Pool.globalAvgPool2dBlock())
            .add(Linear.builder().setUnits(numClasses).build());
    return Arrays.asList(stem, stages[0], stages[1], stages[2], stages[3], head);
  }

  /** The whole network as one block over the parts. */
  public static SequentialBlock network(List<Block> parts) {
    SequentialBlock net = new SequentialBlock();
    parts.forEach(net::add);
    return net;
  }

  private static Block basicBlock(int filters, int stride, boolean downsample) {
    SequentialBlock main =
        new SequentialBlock()
            .add(conv(filters, 3, stride, 1))
            .add(batchNorm())
            .add(Activation.reluBlock())
            .add(conv(filters, 3, 1, 1))
            .add(batchNorm());
    Block shortcut =
        downsample
            ? new SequentialBlock().add(conv(filters, 1, stride, 0)).add(batchNorm())
            : Blocks.identityBlock();
    return new SequentialBlock()
        .add(
            new ParallelBlock(
                outputs ->
                    new NDList(
                        outputs.get(0).singletonOrThrow().add(outputs.get(1).singletonOrThrow())),
                Arrays.asList(main, shortcut)))
        .add(Activation.reluBlock());
  }

  /** A bias-free convolution (the students reuse it). */
  static Block conv(int filters, int kernel, int stride, int padding) {
    return Conv2d.builder()
        .setFilters(filters)
        .setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(padding, padding))
        .optBias(false)
        .build();
  }

  /** BatchNorm as the network trains it (the students reuse it). */
  static Block batchNorm() {
    return BatchNorm.builder().optEpsilon(BN_EPSILON).optMomentum(0.9f).build();
  }

  /** Trainable parameters: weights and BN affine, not the running statistics. */
  public static long trainableParameters(Block block) {
    long count = 0;
    for (var pair : block.getParameters()) {
      Parameter p = pair.getValue();
      if (p.getType() == Parameter.Type.RUNNING_MEAN || p.getType() == Parameter.Type.RUNNING_VAR) {
        continue;
      }
      count += p.getArray().getShape().size();
    }
    return count;
  }
}
