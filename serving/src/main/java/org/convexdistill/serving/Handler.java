package org.convexdistill.serving;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/** One protocol's endpoints. The router owns errors, metrics and closing the exchange. */
interface Handler {
  /**
   * Answers the request.
   *
   * @return the student version that answered (0 = the teacher), for the request metrics
   * @throws ApiException a refusal; the router maps it to a status and a JSON error
   */
  long handle(HttpExchange ex, String path, String method) throws IOException, ApiException;
}
