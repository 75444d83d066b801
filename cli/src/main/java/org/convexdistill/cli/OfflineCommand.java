package org.convexdistill.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.convexdistill.app.Json;
import org.convexdistill.app.OfflinePipeline;
import org.convexdistill.app.UserException;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.core.student.StudentFormat;
import org.convexdistill.learner.offline.DistillOptions;
import org.convexdistill.learner.offline.DistilledBlock;
import org.convexdistill.teacher.DjlTeacher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code distill offline}: label-free convex distillation of blocks and the swapped network. */
@Command(
    name = "offline",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Distil teacher blocks into convex students from unlabeled images (no labels, no"
          + " fine-tuning), swap them in, and compare the hybrid with the teacher on the test set."
    })
final class OfflineCommand implements Callable<Integer> {
  @Option(
      names = "--block",
      split = ",",
      paramLabel = "K",
      description = "Block(s) to replace, e.g. 4 or 3,4 (default: 4).")
  List<Integer> blocks = new ArrayList<>(List.of(4));

  @Option(
      names = "--joint",
      description =
          "Replace the --block span (consecutive, e.g. 3,4) by ONE student from the first block's"
              + " input to the last block's output; its budget is a fraction of the span's"
              + " parameters.")
  boolean joint;

  @Option(
      names = "--max-params",
      paramLabel = "P",
      description = "Student budget per block in parameters, h*(d+1).")
  long maxParams;

  @Option(
      names = "--compression",
      paramLabel = "C",
      description =
          "Block parameters / student parameters per block (default: 6 unless --max-params).")
  double compression;

  @Option(names = "--gates", description = "Gate vectors P (default: ${DEFAULT-VALUE}).")
  int gates = 8;

  @Option(names = "--seed", description = "Seed of the gates (default: ${DEFAULT-VALUE}).")
  long seed = 0;

  @Option(
      names = "--gap-tol",
      description = "Relative duality gap of each path solve (default: ${DEFAULT-VALUE}).")
  double gapTol = 1e-3;

  @Option(names = "--points", description = "Lambda path points (default: ${DEFAULT-VALUE}).")
  int points = 12;

  @Option(
      names = "--min-ratio",
      description = "Smallest lambda / lambda_max of the path (default: ${DEFAULT-VALUE}).")
  double minRatio = 1e-3;

  @Option(
      names = "--support-refit",
      description =
          "Relaxed-lasso refit on the selected support at this fraction of the selected lambda; 0"
              + " turns it off (default: ${DEFAULT-VALUE}).")
  double polish = 0.1;

  @Option(
      names = "--shared-polish",
      description =
          "Then the paper's polishing (appendix A.2): refit a second layer shared across outputs"
              + " by group elastic net, keeping the largest student within the same budget,"
              + " units·(d + C).")
  boolean sharedPolish;

  @Option(
      names = "--nuclear",
      paramLabel = "RATIO",
      description =
          "Fit the convex shared-output model instead (nuclear norm, Theorem 3B) at RATIO·λmax,"
              + " rank budget/(d + C)/gates per gate (default: the group-lasso student).")
  double nuclear;

  @Option(
      names = "--admm",
      description =
          "Solve by ADMM (a cached n×n kernel factorisation; fast at small λ, n up to ~10,000"
              + " samples): the group lasso at --min-ratio·λmax, or with --nuclear the nuclear"
              + " norm at its ratio (exact thresholding, C <= 64: use --head-weight logits); λ is"
              + " raised only when the student exceeds the budget.")
  boolean admm;

  @Option(
      names = "--project-channels",
      paramLabel = "K",
      description =
          "Read the block input through a fixed 1x1 projection to K channels (the leading"
              + " principal directions of the unlabeled inputs' channel vectors), shared by every"
              + " position: its K*(C_in + 1) numbers come out of the budget and buy many more"
              + " hidden units on a wide input (e.g. blocks 3+4: 128 channels x 16 positions);"
              + " 0 = the raw input (default: ${DEFAULT-VALUE}).")
  int projectChannels;

  @Option(
      names = "--head-weight",
      paramLabel = "MU|logits",
      converter = HeadWeightConverter.class,
      description =
          "Weight of the teacher's own logits in the loss, ||y^ - y||^2 + MU*||(y^ - y)H||^2/||H||^2"
              + " (H: the linear suffix after the last block; block 4 only). The teacher's"
              + " outputs, not labels; 0 = block outputs only; 'logits' = the logits alone"
              + " (default: ${DEFAULT-VALUE}).")
  double headWeight;

  @Option(
      names = "--test-limit",
      description = "Evaluate on the first N test images (default: all).")
  int testLimit;

  @Option(names = "--out", paramLabel = "DIR", description = "Write result.json and the students.")
  Path out;

  @Option(names = "--json", description = "Print one JSON object on stdout.")
  boolean json;

  @Mixin ImageSource source;

  @Mixin TeacherOptions teacherOptions;

  @Mixin DataOptions data;

  @Override
  public Integer call() throws Exception {
    for (int k : blocks) {
      if (k < 1 || k > 4) {
        throw new UserException("--block values must be 1..4, got " + k);
      }
    }
    if (maxParams > 0 && compression > 0) {
      throw new UserException("give --max-params or --compression, not both");
    }
    if (maxParams < 0 || compression < 0 || testLimit < 0) {
      throw new UserException("--max-params, --compression and --test-limit must be positive");
    }
    java.util.TreeSet<Integer> span = new java.util.TreeSet<>(blocks);
    if (joint && (span.size() < 2 || span.last() - span.first() + 1 != span.size())) {
      throw new UserException(
          "--joint needs two or more consecutive blocks, e.g. --block 3,4; got " + blocks);
    }
    Images images = source.load(data);
    LabeledImages test = data.load(FashionMnist.Split.TEST);
    if (testLimit > 0) {
      test = test.head(testLimit);
    }
    try (DjlTeacher teacher = teacherOptions.load()) {
      PrintStream progress = json ? null : System.err;
      OfflinePipeline.Result r =
          joint
              ? OfflinePipeline.runJoint(
                  teacher, images, test, span.first(), span.last(), options(), progress)
              : OfflinePipeline.run(teacher, images, test, blocks, options(), progress);
      if (out != null) {
        Files.createDirectories(out);
        for (DistilledBlock b : r.blocks()) {
          StudentFormat.write(out.resolve("student-block" + b.label() + ".cdst"), b.served());
        }
        Files.writeString(out.resolve("result.json"), Json.write(r.json()) + "\n");
      }
      if (json) {
        System.out.println(Json.write(r.json()));
      } else {
        OfflinePipeline.print(System.out, r);
        if (out != null) {
          System.out.println("wrote " + out.resolve("result.json") + " and the student files");
        }
      }
    }
    return 0;
  }

  DistillOptions.Builder options() {
    DistillOptions.Builder b =
        DistillOptions.builder()
            .optGates(gates)
            .optSeed(seed)
            .optGapTolerance(gapTol)
            .optPathPoints(points)
            .optMinRatio(minRatio)
            .optPolishRatio(polish)
            .optSharedPolish(sharedPolish)
            .optHeadWeight(headWeight)
            .optAdmm(admm)
            .optProjectChannels(projectChannels);
    if (nuclear > 0) {
      b.optNuclear(nuclear);
    }
    if (maxParams > 0) {
      b.optMaxParams(maxParams);
    } else {
      b.optCompression(compression > 0 ? compression : 6);
    }
    return b;
  }
}
