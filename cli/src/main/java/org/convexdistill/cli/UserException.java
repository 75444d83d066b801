package org.convexdistill.cli;

/** A mistake in the user's input: printed as one line, exit code 2, no stack trace. */
final class UserException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UserException(String message) {
    super(message);
  }
}
