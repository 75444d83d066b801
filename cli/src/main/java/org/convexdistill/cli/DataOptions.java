package org.convexdistill.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.LabeledImages;
import picocli.CommandLine.Option;

/** {@code --data DIR}: where Fashion-MNIST's gzipped IDX files are. */
final class DataOptions {
  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Fashion-MNIST folder (default: ${DEFAULT-VALUE}, from Debian's dataset-fashion-mnist).")
  Path data = FashionMnist.DEFAULT_DIR;

  LabeledImages load(FashionMnist.Split split) throws IOException {
    return FashionMnist.load(data, split);
  }
}
