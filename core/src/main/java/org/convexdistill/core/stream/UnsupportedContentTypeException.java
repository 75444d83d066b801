package org.convexdistill.core.stream;

/**
 * A payload whose declared content type no decoder handles (not a malformed payload of a known
 * type): HTTP answers 415 for it, 400 for the rest.
 */
public final class UnsupportedContentTypeException extends RecordFormatException {
  private static final long serialVersionUID = 1L;

  public UnsupportedContentTypeException(String message) {
    super(message);
  }
}
