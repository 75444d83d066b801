package org.convexdistill.core.release;

/** A key file that cannot be used; the message names the file and how to make a good one. */
public final class KeyFileException extends Exception {
  private static final long serialVersionUID = 1L;

  public KeyFileException(String message) {
    super(message);
  }
}
