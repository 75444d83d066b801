package org.convexdistill.core.stream;

/** Bytes that are not a valid record of the expected wire format; the message says why. */
public class RecordFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  public RecordFormatException(String message) {
    super(message);
  }
}
