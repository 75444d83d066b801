package org.convexdistill.serving;

/**
 * A request the server refuses, by kind; {@link StatusMap} is the one place that turns a kind into
 * an HTTP status. The message is the client's {@code {"error": ...}} text.
 */
public abstract class ApiException extends Exception {
  private static final long serialVersionUID = 1L;

  ApiException(String message) {
    super(message);
  }

  /** Malformed input: body, JSON, shape, values. */
  public static final class BadRequest extends ApiException {
    private static final long serialVersionUID = 1L;

    public BadRequest(String message) {
      super(message);
    }
  }

  /** No or a wrong bearer token. */
  public static final class Unauthorized extends ApiException {
    private static final long serialVersionUID = 1L;

    public Unauthorized(String message) {
      super(message);
    }
  }

  /** A Host this server does not answer for. */
  public static final class Forbidden extends ApiException {
    private static final long serialVersionUID = 1L;

    public Forbidden(String message) {
      super(message);
    }
  }

  /** No such endpoint, model or version. */
  public static final class NotFound extends ApiException {
    private static final long serialVersionUID = 1L;

    public NotFound(String message) {
      super(message);
    }
  }

  /** The endpoint exists but not for this method. */
  public static final class MethodNotAllowed extends ApiException {
    private static final long serialVersionUID = 1L;

    public MethodNotAllowed(String message) {
      super(message);
    }
  }

  /** The body is over the endpoint's limit. */
  public static final class PayloadTooLarge extends ApiException {
    private static final long serialVersionUID = 1L;

    public PayloadTooLarge(String message) {
      super(message);
    }
  }

  /** A content type no decoder handles. */
  public static final class UnsupportedMediaType extends ApiException {
    private static final long serialVersionUID = 1L;

    public UnsupportedMediaType(String message) {
      super(message);
    }
  }

  /** Overloaded or timed out: retry later. */
  public static final class Unavailable extends ApiException {
    private static final long serialVersionUID = 1L;

    public Unavailable(String message) {
      super(message);
    }
  }
}
