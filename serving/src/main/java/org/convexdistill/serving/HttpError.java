package org.convexdistill.serving;

/** A request the server answers with a 4xx/5xx JSON error. */
final class HttpError extends Exception {
  private static final long serialVersionUID = 1L;
  final int status;

  HttpError(int status, String message) {
    super(message);
    this.status = status;
  }
}
