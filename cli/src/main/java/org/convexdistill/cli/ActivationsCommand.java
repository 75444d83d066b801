package org.convexdistill.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.convexdistill.app.UserException;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.npy.Npy;
import org.convexdistill.learner.offline.Activations;
import org.convexdistill.teacher.DjlTeacher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code distill activations}: a block's input/output activations as .npy, for NumPy. */
@Command(
    name = "activations",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Run the teacher on unlabeled images; write block k's inputs Z.npy and outputs Y.npy.")
final class ActivationsCommand implements Callable<Integer> {
  @Option(names = "--block", required = true, paramLabel = "K", description = "Block 1..4.")
  int block;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
  Path out;

  @Mixin ImageSource source;

  @Mixin TeacherOptions teacherOptions;

  @Mixin DataOptions data;

  @Override
  public Integer call() throws Exception {
    if (block < 1 || block > 4) {
      throw new UserException("--block must be 1..4, got " + block);
    }
    Images images = source.load(data);
    try (DjlTeacher teacher = teacherOptions.load()) {
      Activations a = Activations.extract(teacher, images, block);
      Npy.write(out.resolve("Z.npy"), a.inputs());
      Npy.write(out.resolve("Y.npy"), a.outputs());
      System.out.printf(
          "wrote %s/Z.npy %s and Y.npy %s (block %d input %s, output %s)%n",
          out,
          a.inputs().shapeString(),
          a.outputs().shapeString(),
          block,
          teacher.blockInputShape(block),
          teacher.blockOutputShape(block));
    }
    return 0;
  }
}
