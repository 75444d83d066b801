package org.convexdistill.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import org.convexdistill.core.stream.StudentRelease;

/** {@code GET /v1/model} (current version, lineage, certificate, history) and pin/rollback. */
final class ModelAdminHandler implements Handler {
  private final ModelRegistry registry;

  ModelAdminHandler(ModelRegistry registry) {
    this.registry = registry;
  }

  @Override
  public long handle(HttpExchange ex, String path, String method) throws IOException, ApiException {
    if (path.equals("/v1/model")) {
      HttpIo.requireMethod(method, "GET");
      HttpIo.send(ex, 200, ModelViews.modelInfo(registry));
    } else if (path.equals("/v1/model/pin")) {
      pin(ex, method);
    } else {
      throw new ApiException.NotFound("no such endpoint: " + path);
    }
    return registry.current().version();
  }

  private void pin(HttpExchange ex, String method) throws IOException, ApiException {
    if ("DELETE".equals(method)) {
      try {
        registry.unpin();
      } catch (IllegalStateException e) {
        throw new ApiException.Unavailable(e.getMessage() + "; nothing changed, retry");
      }
      HttpIo.send(ex, 200, ModelViews.modelInfo(registry));
      return;
    }
    HttpIo.requireMethod(method, "POST");
    // A browser sends text/plain or form bodies cross-site without asking; JSON needs a preflight.
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new ApiException.UnsupportedMediaType(
          "send the pin as Content-Type: application/json, got " + type);
    }
    JsonNode body = HttpIo.parseJson(HttpIo.readBody(ex, 4096));
    JsonNode v = body.get("version");
    if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
      throw new ApiException.BadRequest("body must be {\"version\": N} with an integer N");
    }
    boolean kept;
    try {
      kept = registry.pin(v.asLong());
    } catch (IllegalStateException e) {
      throw new ApiException.Unavailable(e.getMessage() + "; nothing changed, retry");
    }
    if (!kept) {
      throw new ApiException.NotFound(
          "version "
              + v.asLong()
              + " is not among the kept versions "
              + registry.history().stream().map(StudentRelease::version).toList());
    }
    HttpIo.send(ex, 200, ModelViews.modelInfo(registry));
  }
}
