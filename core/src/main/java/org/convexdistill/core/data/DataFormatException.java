package org.convexdistill.core.data;

import java.io.IOException;

/** A data file is missing, truncated or not in the expected format; the message says which. */
public final class DataFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public DataFormatException(String message) {
    super(message);
  }
}
