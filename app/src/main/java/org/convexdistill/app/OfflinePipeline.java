package org.convexdistill.app;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.core.student.Student;
import org.convexdistill.core.teacher.Hybrid;
import org.convexdistill.core.teacher.Teacher;
import org.convexdistill.learner.evaluation.HybridEvaluation;
import org.convexdistill.learner.offline.DistillOptions;
import org.convexdistill.learner.offline.DistilledBlock;
import org.convexdistill.learner.offline.OfflineDistiller;

/**
 * The offline pipeline: distil one or more blocks of a teacher from unlabeled images, swap the
 * students in and evaluate the hybrid against the teacher (labels only in that evaluation).
 */
public final class OfflinePipeline {
  private OfflinePipeline() {}

  /** The distilled blocks and the evaluation of the hybrid. */
  public record Result(
      List<DistilledBlock> blocks,
      HybridEvaluation.Figures figures,
      long teacherParams,
      long hybridParams) {
    public Map<String, Object> json() {
      List<Map<String, Object>> rows = new ArrayList<>();
      long blockSum = 0;
      long studentSum = 0;
      for (DistilledBlock b : blocks) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("block", b.block());
        if (b.firstBlock() != b.block()) {
          // One joint student replaces first_block..block.
          m.put("first_block", b.firstBlock());
        }
        m.put("samples", b.samples());
        m.put("block_params", b.blockParameters());
        m.put("student_params", b.studentParameters());
        m.put("student_stored_params", b.served().storedParameterCount());
        if (b.projection() != null) {
          m.put("projected_channels", b.projection().width());
          m.put("projection_params", b.projection().parameterCount());
          m.put("projection_explained_variance", b.explainedVariance());
        }
        m.put("hidden_units", b.student().hiddenUnits());
        m.put("target_units", b.targetGroups());
        m.put("compression", b.compression());
        m.put(
            "output_basis_rank",
            b.student().outputBasis() != null ? b.student().outputBasis().rank() : 0);
        if (b.nuclear() != null) {
          m.put("student", "nuclear-norm (shared output)");
          m.put("lambda", b.nuclear().lambda());
          m.put("relative_gap", b.nuclear().relativeGap());
          m.put("iterations", b.nuclear().iterations());
          m.put("rank_per_gate", b.nuclear().rank());
          m.put("nuclear_norm", b.nuclear().nuclearNorm());
        } else {
          m.put(
              "student",
              b.sharedPolish() != null
                  ? "one-vs-all + shared polish"
                  : b.student().isSharedOutput()
                      ? "nuclear-norm (shared output, ADMM)"
                      : "one-vs-all");
          m.put("lambda", b.solution().lambda());
          m.put("lambda_ratio", b.solution().lambda() / b.solution().lambdaMax());
          m.put("relative_gap", b.solution().relativeGap());
          m.put("iterations", b.solution().iterations());
        }
        if (b.polished() != null && b.solution() != null) {
          m.put("polish_lambda", b.polished().lambda());
          m.put("polish_relative_gap", b.polished().relativeGap());
          m.put("polish_iterations", b.polished().iterations());
          m.put("polish_stop_reason", b.polished().stopReason().jsonName());
        }
        if (b.sharedPolish() != null) {
          m.put("one_vs_all_units", b.oneVsAll().hiddenUnits());
          m.put("one_vs_all_params", b.oneVsAll().parameterCount());
          m.put("shared_polish_lambda", b.sharedPolish().lambda());
          m.put("shared_polish_relative_gap", b.sharedPolish().relativeGap());
          m.put("shared_polish_iterations", b.sharedPolish().iterations());
          m.put("shared_polish_units", b.sharedPolish().nonzeroRows());
        }
        m.put("path_solves", b.pathSolves());
        m.put("path_iterations", b.pathIterations());
        m.put("solver_seconds", b.solverSeconds());
        m.put("extract_seconds", b.extractSeconds());
        rows.add(m);
        blockSum += b.blockParameters();
        studentSum += b.studentParameters();
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("blocks", rows);
      m.put("teacher_accuracy", figures.teacherAccuracy());
      m.put("hybrid_accuracy", figures.hybridAccuracy());
      m.put("accuracy_drop_pp", 100 * (figures.teacherAccuracy() - figures.hybridAccuracy()));
      m.put("agreement", figures.agreement());
      m.put("activation_mse", figures.activationMse());
      m.put("activation_variance", figures.teacherActivationVariance());
      m.put("test_images", figures.images());
      m.put("teacher_params", teacherParams);
      m.put("hybrid_params", hybridParams);
      m.put("block_compression", (double) blockSum / Math.max(1, studentSum));
      m.put("model_compression", (double) teacherParams / hybridParams);
      return m;
    }
  }

  /**
   * Distils each block, builds the hybrid and evaluates it. Shared by {@code offline} and {@code
   * offline-demo}.
   */
  public static Result run(
      Teacher teacher,
      Images images,
      LabeledImages test,
      List<Integer> blocks,
      DistillOptions.Builder options,
      PrintStream progress) {
    Map<Integer, Student> students = new TreeMap<>();
    List<DistilledBlock> distilled = new ArrayList<>();
    java.util.TreeSet<Integer> ordered = new java.util.TreeSet<>(blocks);
    for (int k : ordered) {
      DistillOptions o = options.setBlock(k).build();
      if (o.headWeight() > 0 && k != ordered.last()) {
        // Only the last block's suffix can be linear (block 4: pooling and the classifier); the
        // blocks before it are fitted to their outputs alone.
        o = o.withHeadWeight(0);
        if (progress != null) {
          progress.printf("block %d: fitted to its outputs only (its suffix is not linear)%n", k);
        }
      }
      DistilledBlock b = distil(teacher, images, k, o, progress);
      distilled.add(b);
      students.put(k, b.served());
    }
    return evaluate(teacher, Hybrid.ofStudents(teacher, students), distilled, test, progress);
  }

  /**
   * Distils blocks first..last into ONE joint student (the first block's input to the last block's
   * output), swaps it in for the whole span and evaluates the hybrid. With the teacher's logits in
   * the loss, the last block's linear suffix makes the span's problem as small as a single block's:
   * 10 targets, whatever the blocks between compute.
   */
  public static Result runJoint(
      Teacher teacher,
      Images images,
      LabeledImages test,
      int first,
      int last,
      DistillOptions.Builder options,
      PrintStream progress) {
    DistilledBlock b = distil(teacher, images, first, options.setBlock(last).build(), progress);
    return evaluate(
        teacher, Hybrid.ofSpan(teacher, first, last, b.served()), List.of(b), test, progress);
  }

  private static DistilledBlock distil(
      Teacher teacher, Images images, int first, DistillOptions o, PrintStream progress) {
    String label = first == o.block() ? String.valueOf(first) : first + "-" + o.block();
    if (progress != null) {
      progress.printf(
          "block %s: running the teacher on %d unlabeled images, then %s...%n",
          label,
          images.count(),
          o.admm() ? "ADMM (lambda raised only if over the budget)" : "the lambda path");
    }
    Progress bar =
        progress == null
            ? null
            : new Progress(progress, "block " + label + " path", o.gapTolerance());
    DistilledBlock b = OfflineDistiller.distillSpan(teacher, images, first, o, bar);
    if (bar != null) {
      bar.finish();
      progress.printf(
          "block %s: %d hidden units (budget %d)%s, %d path solves, %d iterations, %.1f s%n",
          label,
          b.student().hiddenUnits(),
          b.targetGroups(),
          b.projection() == null
              ? ""
              : String.format(
                  java.util.Locale.ROOT,
                  " behind a %d-channel projection (%.1f %% of the input variance)",
                  b.projection().width(),
                  100 * b.explainedVariance()),
          b.pathSolves(),
          b.pathIterations(),
          b.solverSeconds());
    }
    return b;
  }

  private static Result evaluate(
      Teacher teacher,
      Hybrid hybrid,
      List<DistilledBlock> distilled,
      LabeledImages test,
      PrintStream progress) {
    if (progress != null) {
      progress.printf("evaluating teacher and hybrid on %d test images...%n", test.count());
    }
    HybridEvaluation.Figures f = HybridEvaluation.evaluate(teacher, hybrid, test, 500);
    return new Result(distilled, f, teacher.totalParameters(), hybrid.totalParameters());
  }

  public static void print(PrintStream out, Result r) {
    Map<String, Object> j = r.json();
    out.println();
    out.printf(
        "%-6s %8s %12s %12s %8s %10s %10s %7s %9s%n",
        "block",
        "samples",
        "block par.",
        "student par.",
        "ratio",
        "lambda/max",
        "rel.gap",
        "iters",
        "solver s");
    for (DistilledBlock b : r.blocks()) {
      out.printf(
          "%-6s %8d %,12d %,12d %7.1fx %10.4f %10.1e %7d %9.1f%n",
          b.label(),
          b.samples(),
          b.blockParameters(),
          b.studentParameters(),
          b.compression(),
          b.solution() == null ? Double.NaN : b.solution().lambda() / b.solution().lambdaMax(),
          b.solution() == null ? b.nuclear().relativeGap() : b.solution().relativeGap(),
          b.pathIterations(),
          b.solverSeconds());
    }
    HybridEvaluation.Figures f = r.figures();
    out.println();
    out.printf("teacher accuracy      %6.2f %%%n", 100 * f.teacherAccuracy());
    out.printf(
        "hybrid accuracy       %6.2f %%  (%+.2f pp, no labels, no fine-tuning)%n",
        100 * f.hybridAccuracy(), 100 * (f.hybridAccuracy() - f.teacherAccuracy()));
    out.printf("top-1 agreement       %6.2f %%%n", 100 * f.agreement());
    out.printf(
        "activation MSE        %.4g  (teacher activation variance %.4g)%n",
        f.activationMse(), f.teacherActivationVariance());
    out.printf(
        "parameters            teacher %,d -> hybrid %,d: model %.2fx smaller, blocks %.1fx%n",
        r.teacherParams(),
        r.hybridParams(),
        (Double) j.get("model_compression"),
        (Double) j.get("block_compression"));
    out.printf("test images           %d%n", f.images());
  }
}
