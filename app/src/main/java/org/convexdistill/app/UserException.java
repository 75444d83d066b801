package org.convexdistill.app;

/** A mistake in the user's input: printed as one line, exit code 2, no stack trace. */
public final class UserException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UserException(String message) {
    super(message);
  }
}
