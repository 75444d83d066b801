package org.convexdistill.serving;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Request and response plumbing every handler shares: bounded bodies, JSON in and out. */
final class HttpIo {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Over-limit bodies up to this size are read and dropped so the client sees the 413. */
  static final long DRAIN_LIMIT = 4L << 20;

  private HttpIo() {}

  static void requireMethod(String method, String expected) throws ApiException {
    if (!expected.equals(method)) {
      throw new ApiException.MethodNotAllowed(
          "method " + method + " not allowed here; use " + expected);
    }
  }

  /** The body, refused before reading when Content-Length says it is over {@code limit}. */
  static byte[] readBody(HttpExchange ex, int limit) throws IOException, ApiException {
    String len = ex.getRequestHeaders().getFirst("Content-Length");
    if (len != null) {
      long declared;
      try {
        declared = Long.parseLong(len.trim());
      } catch (NumberFormatException e) {
        throw new ApiException.BadRequest("bad Content-Length: " + len);
      }
      if (declared > limit) {
        // Refused before reading; the router drains what the client still sends.
        throw new ApiException.PayloadTooLarge(
            "body of " + declared + " bytes exceeds the limit of " + limit);
      }
    }
    try (InputStream in = ex.getRequestBody()) {
      byte[] body = in.readNBytes(limit + 1);
      if (body.length > limit) {
        throw new ApiException.PayloadTooLarge("body exceeds the limit of " + limit + " bytes");
      }
      return body;
    }
  }

  /**
   * Reads and drops what is left of the request body before an early answer (a refusal sent while
   * the client is still writing reaches it as a connection reset, not as the answer). Bodies over
   * {@link #DRAIN_LIMIT} are not read: the connection is closed after the answer instead.
   */
  static void drain(HttpExchange ex) {
    String len = ex.getRequestHeaders().getFirst("Content-Length");
    long declared;
    try {
      declared = len == null ? DRAIN_LIMIT : Long.parseLong(len.trim());
    } catch (NumberFormatException e) {
      declared = Long.MAX_VALUE;
    }
    if (declared > DRAIN_LIMIT) {
      ex.getResponseHeaders().set("Connection", "close");
      return;
    }
    try (InputStream in = ex.getRequestBody()) {
      byte[] sink = new byte[64 << 10];
      long read = 0;
      for (int n; (n = in.read(sink)) >= 0; ) {
        read += n;
        if (read > DRAIN_LIMIT) { // chunked and endless: stop reading, close after the answer
          ex.getResponseHeaders().set("Connection", "close");
          return;
        }
      }
    } catch (IOException e) {
      // the client went away, or the body was already read: nothing more to drop
    }
  }

  static JsonNode parseJson(byte[] body) throws ApiException {
    try {
      JsonNode n = JSON.readTree(body);
      if (n == null || !n.isObject()) {
        throw new ApiException.BadRequest("body must be a JSON object");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw new ApiException.BadRequest("malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ApiException.BadRequest("cannot read JSON: " + e.getMessage());
    }
  }

  static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
    byte[] b = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  static ArrayNode shape(int... dims) {
    ArrayNode a = JSON.createArrayNode();
    for (int d : dims) {
      a.add(d);
    }
    return a;
  }

  /** Softmax of row {@code row} of an n × classes logits array. */
  static float[] softmax(float[] logits, int row, int classes) {
    float[] p = new float[classes];
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < classes; i++) {
      max = Math.max(max, logits[row * classes + i]);
    }
    double sum = 0;
    for (int i = 0; i < classes; i++) {
      p[i] = (float) Math.exp(logits[row * classes + i] - max);
      sum += p[i];
    }
    for (int i = 0; i < classes; i++) {
      p[i] /= (float) sum;
    }
    return p;
  }
}
