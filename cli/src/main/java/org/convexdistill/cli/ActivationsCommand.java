package org.convexdistill.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.convexdistill.app.UserException;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.npy.Npy;
import org.convexdistill.core.npy.NpyArray;
import org.convexdistill.learner.offline.Activations;
import org.convexdistill.learner.stream.LinearHead;
import org.convexdistill.learner.stream.TeacherSuffix;
import org.convexdistill.teacher.DjlTeacher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code distill activations}: a block's input/output activations as .npy, for NumPy. */
@Command(
    name = "activations",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run the teacher on unlabeled images; write block k's inputs Z.npy and outputs Y.npy.",
      "When the teacher's suffix after the block is affine (block 4: pooling and the classifier),"
          + " also its map logits = Y·H + b as H.npy (C × classes) and b.npy."
    })
final class ActivationsCommand implements Callable<Integer> {
  @Option(names = "--block", required = true, paramLabel = "K", description = "Block 1..4.")
  int block;

  @Option(
      names = "--first-block",
      paramLabel = "J",
      description =
          "Z enters block J instead (J <= K): the activations of the span J..K, which one joint"
              + " student replaces (default: K).")
  int firstBlock;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
  Path out;

  @Option(
      names = "--test-split",
      description =
          "Run the teacher on Fashion-MNIST's test images (the first --samples of them, in order)"
              + " instead of a draw from the training images: held-out rows to evaluate on.")
  boolean testSplit;

  @Mixin ImageSource source;

  @Mixin TeacherOptions teacherOptions;

  @Mixin DataOptions data;

  @Override
  public Integer call() throws Exception {
    int first = firstBlock == 0 ? block : firstBlock;
    if (block < 1 || block > 4 || first < 1 || first > block) {
      throw new UserException(
          "--block must be 1..4 and --first-block 1..K, got K=" + block + ", J=" + first);
    }
    if (testSplit && (source.images != null || source.samplesPerClass > 0)) {
      throw new UserException("--test-split takes neither --images nor --samples-per-class");
    }
    Images images =
        testSplit
            ? data.load(FashionMnist.Split.TEST).images().slice(0, testCount())
            : source.load(data);
    try (DjlTeacher teacher = teacherOptions.load()) {
      Activations a = Activations.extractSpan(teacher, images, first, block);
      Npy.write(out.resolve("Z.npy"), a.inputs());
      Npy.write(out.resolve("Y.npy"), a.outputs());
      System.out.printf(
          "wrote %s/Z.npy %s and Y.npy %s (block %d input %s, block %d output %s)%n",
          out,
          a.inputs().shapeString(),
          a.outputs().shapeString(),
          first,
          teacher.blockInputShape(first),
          block,
          teacher.blockOutputShape(block));
      int c = teacher.blockOutputShape(block).size();
      LinearHead head = LinearHead.probe(TeacherSuffix.of(teacher, block), c);
      if (head != null) {
        Npy.write(out.resolve("H.npy"), NpyArray.of(head.weights(), c, head.classes()));
        Npy.write(out.resolve("b.npy"), NpyArray.of(head.bias(), head.classes()));
        System.out.printf(
            "wrote %s/H.npy (%d × %d) and b.npy: the affine suffix after block %d%n",
            out, c, head.classes(), block);
      }
    }
    return 0;
  }

  private int testCount() {
    if (source.samples <= 0 || source.samples > 10_000) {
      throw new UserException(
          "--samples must be 1..10000 with --test-split, got " + source.samples);
    }
    return source.samples;
  }
}
