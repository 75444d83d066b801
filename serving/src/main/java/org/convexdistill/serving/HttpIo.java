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
      try {
        if (Long.parseLong(len.trim()) > limit) {
          throw new ApiException.PayloadTooLarge(
              "body of " + len.trim() + " bytes exceeds the limit of " + limit);
        }
      } catch (NumberFormatException e) {
        throw new ApiException.BadRequest("bad Content-Length: " + len);
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
