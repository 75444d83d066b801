package org.convexdistill.serving;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.convexdistill.core.stream.OffsetRange;
import org.convexdistill.core.stream.StudentRelease;
import org.convexdistill.core.student.ConvStudent;
import org.convexdistill.core.student.ProjectedStudent;
import org.convexdistill.core.student.Student;

/** The JSON views of what is served: readiness, the model with its history, one release. */
final class ModelViews {
  private ModelViews() {}

  static ObjectNode readiness(ModelRegistry registry) {
    ServingModel m = registry.current();
    ObjectNode o = HttpIo.JSON.createObjectNode();
    o.put("ready", true);
    o.put("serving", m.kind());
    o.put("student_version", m.version());
    if (m.isTeacher()) {
      o.put("note", "no student yet: serving the teacher's own block");
    }
    return o;
  }

  static ObjectNode modelInfo(ModelRegistry registry) {
    ServingModel m = registry.current();
    ObjectNode o = HttpIo.JSON.createObjectNode();
    o.put("model", registry.modelId());
    o.put("serving", m.kind());
    o.put("student_version", m.version());
    Long pinned = registry.pinned().orElse(null);
    if (pinned == null) {
      o.putNull("pinned");
    } else {
      o.put("pinned", pinned);
    }
    if (m.release() != null) {
      o.set("current", describe(m.release()));
    }
    ArrayNode h = o.putArray("history");
    for (StudentRelease r : registry.history()) {
      h.add(describe(r));
    }
    return o;
  }

  static ObjectNode describe(StudentRelease r) {
    ObjectNode o = HttpIo.JSON.createObjectNode();
    o.put("version", r.version());
    o.put("parent_version", r.parentVersion());
    o.put("teacher", r.teacherId());
    o.put("block", r.block());
    o.put("student_kind", kind(r.student()));
    o.put("hidden_units", r.nonzeroGroups());
    o.put("parameters", r.parameters());
    o.put("created_at", java.time.Instant.ofEpochMilli(r.createdAtMillis()).toString());
    ObjectNode lineage = o.putObject("lineage");
    lineage.put("parent_version", r.parentVersion());
    lineage.put("warm_started", r.warmStarted());
    lineage.put("window_rows", r.windowSize());
    ArrayNode w = lineage.putArray("window");
    for (OffsetRange x : r.window()) {
      w.addObject().put("partition", x.partition()).put("from", x.from()).put("to", x.to());
    }
    ObjectNode c = o.putObject("certificate");
    // null where the release has no convex certificate (a CNN student fitted offline by Adam).
    c.put("lambda", finiteOrNull(r.lambda()));
    c.put("selection_lambda", finiteOrNull(r.selectionLambda()));
    c.put("objective", finiteOrNull(r.objective()));
    c.put("relative_gap", finiteOrNull(r.relativeGap()));
    c.put("iterations", r.iterations());
    c.put("solver_seconds", r.solverSeconds());
    c.put("held_out_mse", finiteOrNull(r.heldOutMse()));
    // Top-1 agreement with the teacher on the learner's held-out rows (null: not measured).
    c.put("teacher_agreement", Double.isNaN(r.teacherAgreement()) ? null : r.teacherAgreement());
    return o;
  }

  private static Double finiteOrNull(double v) {
    return Double.isFinite(v) ? v : null;
  }

  private static String kind(Student s) {
    if (s instanceof ConvStudent cnn) {
      return cnn.architecture() == ConvStudent.Architecture.GATED ? "gated-cnn" : "relu-cnn";
    }
    return s instanceof ProjectedStudent ? "convex-mlp-projected" : "convex-mlp";
  }
}
