package org.convexdistill.core.student;

import java.io.IOException;

/** Bytes that are not a valid student (bad magic, version, shapes or checksum; truncated). */
public final class StudentFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public StudentFormatException(String message) {
    super(message);
  }
}
