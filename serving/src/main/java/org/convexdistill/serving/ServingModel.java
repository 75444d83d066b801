package org.convexdistill.serving;

import org.convexdistill.core.stream.StudentRelease;
import org.convexdistill.core.student.Student;

/**
 * What a request runs on: the teacher's block k (version 0, before any student arrived) or a
 * student release. Immutable; a request keeps the instance it started with, so a swap never changes
 * the model under a request in flight.
 */
public record ServingModel(long version, StudentRelease release) {
  /** The teacher itself. */
  public static ServingModel teacher() {
    return new ServingModel(0, null);
  }

  public static ServingModel of(StudentRelease release) {
    return new ServingModel(release.version(), release);
  }

  public boolean isTeacher() {
    return release == null;
  }

  /** The student, or null for the teacher. */
  public Student student() {
    return release == null ? null : release.student();
  }

  /** "teacher" or "student". */
  public String kind() {
    return isTeacher() ? "teacher" : "student";
  }
}
