package org.convexdistill.solver;

/** The data or options given to the solver cannot define a valid problem; the message says why. */
public final class InvalidProblemException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidProblemException(String message) {
    super(message);
  }
}
