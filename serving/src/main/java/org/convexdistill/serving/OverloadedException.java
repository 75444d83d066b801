package org.convexdistill.serving;

/** The request queue is full: the client should back off and retry (HTTP 503). */
public final class OverloadedException extends Exception {
  private static final long serialVersionUID = 1L;

  public OverloadedException(String message) {
    super(message);
  }
}
