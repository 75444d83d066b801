package org.convexdistill.teacher;

import java.io.IOException;

/** A teacher cannot be loaded or saved (missing or corrupt files); the message says which. */
public final class TeacherException extends IOException {
  private static final long serialVersionUID = 1L;

  public TeacherException(String message) {
    super(message);
  }

  public TeacherException(String message, Throwable cause) {
    super(message, cause);
  }
}
