package org.convexdistill.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import org.convexdistill.core.stream.ImagePayload;
import org.convexdistill.core.teacher.Logits;
import org.convexdistill.runtime.health.Health;

/**
 * The Open Inference Protocol v2: {@code /v2/health/live|ready}, model metadata and readiness, and
 * {@code POST /v2/models/{name}/infer} with a UINT8 or FP32 tensor of n×28×28 images.
 */
final class InferenceProtocolHandler implements Handler {
  private final InferenceService inference;
  private final ModelRegistry registry;
  private final ServingConfig config;
  private final int numClasses;
  private final Health health;

  InferenceProtocolHandler(
      InferenceService inference,
      ModelRegistry registry,
      ServingConfig config,
      int numClasses,
      Health health) {
    this.health = health;
    this.inference = inference;
    this.registry = registry;
    this.config = config;
    this.numClasses = numClasses;
  }

  @Override
  public long handle(HttpExchange ex, String path, String method) throws IOException, ApiException {
    if (path.equals("/v2/health/live")) {
      HttpIo.requireMethod(method, "GET");
      Health.Report live = health.live();
      HttpIo.send(
          ex,
          live.ok() ? 200 : 503,
          withChecks(HttpIo.JSON.createObjectNode().put("live", live.ok()), live));
      return registry.current().version();
    }
    if (path.equals("/v2/health/ready")) {
      HttpIo.requireMethod(method, "GET");
      Health.Report ready = health.ready();
      ObjectNode o = withChecks(ModelViews.readiness(registry).put("ready", ready.ok()), ready);
      HttpIo.send(ex, ready.ok() ? 200 : 503, o);
      return registry.current().version();
    }
    if (path.startsWith("/v2/models/")) {
      return model(ex, path.substring("/v2/models/".length()), method);
    }
    throw new ApiException.NotFound("no such endpoint: " + path);
  }

  private static ObjectNode withChecks(ObjectNode o, Health.Report report) {
    ObjectNode checks = o.putObject("checks");
    report.checks().forEach(checks::put);
    return o;
  }

  private long model(HttpExchange ex, String rest, String method) throws IOException, ApiException {
    String name = rest.endsWith("/infer") ? rest.substring(0, rest.length() - 6) : rest;
    int slash = name.indexOf("/versions/");
    if (slash >= 0) {
      name = name.substring(0, slash);
    }
    if (!registry.modelId().equals(name)) {
      throw new ApiException.NotFound(
          "unknown model '" + name + "'; this server serves '" + registry.modelId() + "'");
    }
    if (rest.endsWith("/infer")) {
      HttpIo.requireMethod(method, "POST");
      return infer(ex);
    }
    if (rest.endsWith("/ready")) {
      HttpIo.requireMethod(method, "GET");
      HttpIo.send(ex, 200, ModelViews.readiness(registry));
      return registry.current().version();
    }
    HttpIo.requireMethod(method, "GET");
    ObjectNode o = HttpIo.JSON.createObjectNode();
    o.put("name", registry.modelId());
    ArrayNode versions = o.putArray("versions");
    registry.history().forEach(r -> versions.add(String.valueOf(r.version())));
    o.put("platform", "convex-distill");
    ArrayNode in = o.putArray("inputs");
    in.addObject()
        .put("name", "input")
        .put("datatype", "UINT8")
        .set("shape", HttpIo.shape(-1, 28, 28));
    ArrayNode out = o.putArray("outputs");
    out.addObject()
        .put("name", "probabilities")
        .put("datatype", "FP32")
        .set("shape", HttpIo.shape(-1, numClasses));
    out.addObject().put("name", "class").put("datatype", "INT64").set("shape", HttpIo.shape(-1));
    HttpIo.send(ex, 200, o);
    return registry.current().version();
  }

  private long infer(HttpExchange ex) throws IOException, ApiException {
    JsonNode body = HttpIo.parseJson(HttpIo.readBody(ex, config.maxBodyBytes()));
    JsonNode inputs = body.get("inputs");
    if (inputs == null || !inputs.isArray() || inputs.size() != 1) {
      throw new ApiException.BadRequest("'inputs' must be an array with one tensor");
    }
    JsonNode t = inputs.get(0);
    JsonNode shape = t.get("shape");
    JsonNode data = t.get("data");
    String type = t.path("datatype").asText("");
    if (shape == null || !shape.isArray() || shape.size() < 1 || data == null || !data.isArray()) {
      throw new ApiException.BadRequest("the input tensor needs 'shape' and a flat 'data' array");
    }
    long size = 1;
    for (JsonNode d : shape) {
      if (!d.canConvertToInt() || d.asInt() <= 0) {
        throw new ApiException.BadRequest("shape entries must be positive integers, got " + shape);
      }
      size *= d.asInt();
    }
    int n = shape.get(0).asInt();
    if (n > config.guard().maxInferBatch()) {
      throw new ApiException.PayloadTooLarge(
          "a request may carry at most "
              + config.guard().maxInferBatch()
              + " images (--max-infer-batch); got "
              + n
              + ": split it");
    }
    if (size != (long) n * ImagePayload.RAW_BYTES) {
      throw new ApiException.BadRequest(
          "shape " + shape + " is not n×28×28 or n×784 (images of 28×28 grey values)");
    }
    if (data.size() != size) {
      throw new ApiException.BadRequest(
          "'data' has " + data.size() + " values; shape " + shape + " needs " + size);
    }
    if (!type.equals("UINT8") && !type.equals("FP32")) {
      throw new ApiException.BadRequest(
          "datatype must be UINT8 (0..255) or FP32 (0..1), got '" + type + "'");
    }
    byte[] pixels = new byte[(int) size];
    for (int i = 0; i < size; i++) {
      JsonNode v = data.get(i);
      if (!v.isNumber()) {
        throw new ApiException.BadRequest("data[" + i + "] is not a number");
      }
      double x = type.equals("UINT8") ? v.asDouble() : v.asDouble() * 255.0;
      if (!(x >= 0 && x <= 255.0001)) {
        throw new ApiException.BadRequest(
            "data[" + i + "] = " + v.asText() + " is out of range for " + type);
      }
      pixels[i] = (byte) Math.round(x);
    }
    Batcher.Result r = inference.infer(pixels, n);
    ObjectNode o = HttpIo.JSON.createObjectNode();
    o.put("model_name", registry.modelId());
    o.put("model_version", String.valueOf(r.model().version()));
    o.put("id", body.path("id").asText(""));
    ArrayNode outputs = o.putArray("outputs");
    ObjectNode probs = outputs.addObject();
    probs
        .put("name", "probabilities")
        .put("datatype", "FP32")
        .set("shape", HttpIo.shape(n, numClasses));
    ArrayNode pd = probs.putArray("data");
    ObjectNode cls = outputs.addObject();
    cls.put("name", "class").put("datatype", "INT64").set("shape", HttpIo.shape(n));
    ArrayNode cd = cls.putArray("data");
    for (int i = 0; i < n; i++) {
      for (float p : HttpIo.softmax(r.logits(), i, numClasses)) {
        pd.add(p);
      }
      cd.add(Logits.argmax(r.logits(), i, numClasses));
    }
    ex.getResponseHeaders().set(ServingServer.VERSION_HEADER, String.valueOf(r.model().version()));
    HttpIo.send(ex, 200, o);
    return r.model().version();
  }
}
