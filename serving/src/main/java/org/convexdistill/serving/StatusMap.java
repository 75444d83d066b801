package org.convexdistill.serving;

/** The one map from a refusal's kind to its HTTP status and its metrics outcome. */
final class StatusMap {
  private StatusMap() {}

  /** The HTTP status for {@code e}; anything that is not an {@link ApiException} is a 500. */
  static int status(Throwable e) {
    if (e instanceof ApiException.BadRequest) {
      return 400;
    }
    if (e instanceof ApiException.Unauthorized) {
      return 401;
    }
    if (e instanceof ApiException.Forbidden) {
      return 403;
    }
    if (e instanceof ApiException.NotFound) {
      return 404;
    }
    if (e instanceof ApiException.MethodNotAllowed) {
      return 405;
    }
    if (e instanceof ApiException.PayloadTooLarge) {
      return 413;
    }
    if (e instanceof ApiException.UnsupportedMediaType) {
      return 415;
    }
    if (e instanceof ApiException.Unavailable) {
      return 503;
    }
    return 500;
  }

  /** The {@code outcome} tag of the request metrics for a status. */
  static String outcome(int status) {
    if (status < 400) {
      return "ok";
    }
    if (status == 503) {
      return "overload";
    }
    return status >= 500 ? "error" : "client_error";
  }
}
