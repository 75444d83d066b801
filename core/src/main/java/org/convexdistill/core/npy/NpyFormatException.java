package org.convexdistill.core.npy;

import java.io.IOException;

/** A file is not a {@code .npy} array this codec can read; the message says what is wrong. */
public final class NpyFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public NpyFormatException(String message) {
    super(message);
  }
}
