package org.convexdistill.app;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.teacher.DjlTeacher;

/** {@code distill teacher summary}: per-block shapes and parameter counts (no weights needed). */
public final class TeacherSummary {
  private TeacherSummary() {}

  /** Prints the table, or one JSON object with {@code json}. */
  public static void print(boolean json, PrintStream out) {
    try (DjlTeacher teacher =
        DjlTeacher.create(FashionMnist.CLASSES.length, 0, TeacherProvider.BATCH)) {
      List<Map<String, Object>> blocks = new ArrayList<>();
      for (int k = 1; k <= teacher.numBlocks(); k++) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("block", k);
        b.put("input_shape", teacher.blockInputShape(k).toString());
        b.put("input_dim", teacher.blockInputShape(k).size());
        b.put("output_shape", teacher.blockOutputShape(k).toString());
        b.put("output_dim", teacher.blockOutputShape(k).size());
        b.put("parameters", teacher.blockParameters(k));
        blocks.add(b);
      }
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architecture", "resnet18 (torchvision layout, 1 channel, 32x32 input)");
        m.put("total_parameters", teacher.totalParameters());
        m.put("blocks", blocks);
        out.println(Json.write(m));
      } else {
        out.println(
            "ResNet-18 (torchvision layout), input 1×32×32, "
                + teacher.totalParameters()
                + " parameters");
        out.printf("%-6s %-10s %-10s %12s%n", "block", "input", "output", "parameters");
        for (Map<String, Object> b : blocks) {
          out.printf(
              "%-6s %-10s %-10s %,12d%n",
              b.get("block"),
              b.get("input_shape"),
              b.get("output_shape"),
              (Long) b.get("parameters"));
        }
      }
    }
  }
}
