package org.convexdistill.serving;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.stream.ImagePayload;
import org.convexdistill.core.stream.OffsetRange;
import org.convexdistill.core.stream.RecordFormatException;
import org.convexdistill.core.stream.StudentRelease;
import org.convexdistill.core.teacher.Logits;
import org.convexdistill.runtime.metrics.MetricsServer;

/**
 * The HTTP endpoint on 127.0.0.1: {@code /v1/predict}, the Open Inference Protocol v2 routes,
 * {@code /v1/model} with pin/rollback, and {@code /metrics}. Every error is a JSON object {@code
 * {"error": "..."}} with a 4xx status for bad input, 413 for oversized bodies and 503 for overload.
 */
public final class ServingServer implements AutoCloseable {
  /** Response header carrying the student version that answered (0 = the teacher). */
  public static final String VERSION_HEADER = "X-Student-Version";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long REQUEST_TIMEOUT_SECONDS = 30;

  private final HttpServer server;
  private final ExecutorService executor;
  private final Batcher batcher;
  private final ModelRegistry registry;
  private final ServingMetrics metrics;
  private final ServingConfig config;
  private final int numClasses;

  private ServingServer(
      HttpServer server,
      ExecutorService executor,
      Batcher batcher,
      ModelRegistry registry,
      ServingMetrics metrics,
      ServingConfig config,
      int numClasses) {
    this.server = server;
    this.executor = executor;
    this.batcher = batcher;
    this.registry = registry;
    this.metrics = metrics;
    this.config = config;
    this.numClasses = numClasses;
  }

  /** Starts listening; the batcher and registry are owned by the caller. */
  public static ServingServer start(
      ServingConfig config,
      Batcher batcher,
      ModelRegistry registry,
      ServingMetrics metrics,
      PrometheusMeterRegistry prometheus,
      int numClasses) {
    HttpServer s;
    try {
      s = MetricsServer.loopbackServer(config.port(), 256);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen on 127.0.0.1:"
              + config.port()
              + " ("
              + e.getMessage()
              + "); choose another port with --http-port",
          e);
    }
    ExecutorService ex = Executors.newFixedThreadPool(config.handlerThreads());
    s.setExecutor(ex);
    ServingServer server = new ServingServer(s, ex, batcher, registry, metrics, config, numClasses);
    metrics.current(registry.current().version());
    registry.onSwap(m -> metrics.current(m.version()));
    s.createContext("/", server::route);
    s.createContext("/metrics", e -> MetricsServer.respond(e, prometheus));
    s.start();
    return server;
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  private void route(HttpExchange ex) throws IOException {
    long t0 = System.nanoTime();
    String path = ex.getRequestURI().getPath();
    String method = ex.getRequestMethod();
    String endpoint = "other";
    long version = registry.current().version();
    try (ex) {
      try {
        if (path.equals("/v1/predict")) {
          endpoint = "predict";
          requireMethod(method, "POST");
          version = predict(ex);
        } else if (path.equals("/v2/health/live")) {
          endpoint = "health";
          requireMethod(method, "GET");
          send(ex, 200, JSON.createObjectNode().put("live", true));
        } else if (path.equals("/v2/health/ready")) {
          endpoint = "health";
          requireMethod(method, "GET");
          send(ex, 200, readiness());
        } else if (path.equals("/v1/model")) {
          endpoint = "model";
          requireMethod(method, "GET");
          send(ex, 200, modelInfo());
        } else if (path.equals("/v1/model/pin")) {
          endpoint = "model";
          pin(ex, method);
        } else if (path.startsWith("/v2/models/")) {
          endpoint = path.endsWith("/infer") ? "infer" : "model";
          version = v2(ex, path.substring("/v2/models/".length()), method);
        } else {
          throw new HttpError(404, "no such endpoint: " + path);
        }
        metrics.request(endpoint, "ok", version, System.nanoTime() - t0);
      } catch (HttpError e) {
        String outcome = e.status == 503 ? "overload" : e.status >= 500 ? "error" : "client_error";
        metrics.request(endpoint, outcome, version, System.nanoTime() - t0);
        send(ex, e.status, JSON.createObjectNode().put("error", e.getMessage()));
      } catch (RuntimeException e) {
        metrics.request(endpoint, "error", version, System.nanoTime() - t0);
        send(ex, 500, JSON.createObjectNode().put("error", "internal error: " + e));
      }
    }
  }

  private static void requireMethod(String method, String expected) throws HttpError {
    if (!expected.equals(method)) {
      throw new HttpError(405, "method " + method + " not allowed here; use " + expected);
    }
  }

  private long predict(HttpExchange ex) throws IOException, HttpError {
    byte[] body = readBody(ex, config.maxBodyBytes());
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    if (type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/")) {
      throw new HttpError(415, "send the image as the raw request body, not multipart");
    }
    byte[] pixels;
    try {
      pixels = ImagePayload.decode(body, type);
    } catch (RecordFormatException e) {
      throw new HttpError(type != null && isUnsupportedType(e) ? 415 : 400, e.getMessage());
    }
    Batcher.Result r = infer(pixels, 1);
    ObjectNode out = JSON.createObjectNode();
    int cls = Logits.argmax(r.logits(), 0, numClasses);
    out.put("class", cls);
    if (numClasses == FashionMnist.CLASSES.length) {
      out.put("label", FashionMnist.CLASSES[cls]);
    }
    ArrayNode probs = out.putArray("probabilities");
    for (float p : softmax(r.logits(), 0, numClasses)) {
      probs.add(p);
    }
    out.put("model", r.model().kind());
    out.put("student_version", r.model().version());
    ex.getResponseHeaders().set(VERSION_HEADER, String.valueOf(r.model().version()));
    send(ex, 200, out);
    return r.model().version();
  }

  private static boolean isUnsupportedType(RecordFormatException e) {
    return e.getMessage().startsWith("unsupported content-type");
  }

  private Batcher.Result infer(byte[] pixels, int n) throws HttpError {
    try {
      return batcher.submit(pixels, n).get(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (OverloadedException e) {
      throw new HttpError(503, e.getMessage() + "; retry later");
    } catch (TimeoutException e) {
      throw new HttpError(503, "inference timed out after " + REQUEST_TIMEOUT_SECONDS + " s");
    } catch (ExecutionException e) {
      throw new IllegalStateException("inference failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HttpError(503, "interrupted");
    }
  }

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

  private ObjectNode readiness() {
    ServingModel m = registry.current();
    ObjectNode o = JSON.createObjectNode();
    o.put("ready", true);
    o.put("serving", m.kind());
    o.put("student_version", m.version());
    if (m.isTeacher()) {
      o.put("note", "no student yet: serving the teacher's own block");
    }
    return o;
  }

  private ObjectNode modelInfo() {
    ServingModel m = registry.current();
    ObjectNode o = JSON.createObjectNode();
    o.put("model", registry.modelId());
    o.put("serving", m.kind());
    o.put("student_version", m.version());
    Long pinned = registry.pinned().orElse(null);
    if (pinned == null) {
      o.putNull("pinned");
    } else {
      o.put("pinned", pinned);
    }
    if (m.release() != null) {
      o.set("current", describe(m.release()));
    }
    ArrayNode h = o.putArray("history");
    for (StudentRelease r : registry.history()) {
      h.add(describe(r));
    }
    return o;
  }

  static ObjectNode describe(StudentRelease r) {
    ObjectNode o = JSON.createObjectNode();
    o.put("version", r.version());
    o.put("parent_version", r.parentVersion());
    o.put("teacher", r.teacherId());
    o.put("block", r.block());
    o.put("hidden_units", r.nonzeroGroups());
    o.put("parameters", r.parameters());
    o.put("created_at", java.time.Instant.ofEpochMilli(r.createdAtMillis()).toString());
    ObjectNode lineage = o.putObject("lineage");
    lineage.put("parent_version", r.parentVersion());
    lineage.put("warm_started", r.warmStarted());
    lineage.put("window_rows", r.windowSize());
    ArrayNode w = lineage.putArray("window");
    for (OffsetRange x : r.window()) {
      w.addObject().put("partition", x.partition()).put("from", x.from()).put("to", x.to());
    }
    ObjectNode c = o.putObject("certificate");
    c.put("lambda", r.lambda());
    c.put("objective", r.objective());
    c.put("relative_gap", r.relativeGap());
    c.put("iterations", r.iterations());
    c.put("solver_seconds", r.solverSeconds());
    c.put("held_out_mse", r.heldOutMse());
    return o;
  }

  private void pin(HttpExchange ex, String method) throws IOException, HttpError {
    if ("DELETE".equals(method)) {
      registry.unpin();
      send(ex, 200, modelInfo());
      return;
    }
    requireMethod(method, "POST");
    JsonNode body = parseJson(readBody(ex, 4096));
    JsonNode v = body.get("version");
    if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
      throw new HttpError(400, "body must be {\"version\": N} with an integer N");
    }
    if (!registry.pin(v.asLong())) {
      throw new HttpError(
          404,
          "version "
              + v.asLong()
              + " is not among the kept versions "
              + registry.history().stream().map(StudentRelease::version).toList());
    }
    send(ex, 200, modelInfo());
  }

  private long v2(HttpExchange ex, String rest, String method) throws IOException, HttpError {
    String name = rest.endsWith("/infer") ? rest.substring(0, rest.length() - 6) : rest;
    int slash = name.indexOf("/versions/");
    if (slash >= 0) {
      name = name.substring(0, slash);
    }
    if (!registry.modelId().equals(name)) {
      throw new HttpError(
          404, "unknown model '" + name + "'; this server serves '" + registry.modelId() + "'");
    }
    if (rest.endsWith("/infer")) {
      requireMethod(method, "POST");
      return v2Infer(ex);
    }
    if (rest.endsWith("/ready")) {
      requireMethod(method, "GET");
      send(ex, 200, readiness());
      return registry.current().version();
    }
    requireMethod(method, "GET");
    ObjectNode o = JSON.createObjectNode();
    o.put("name", registry.modelId());
    ArrayNode versions = o.putArray("versions");
    registry.history().forEach(r -> versions.add(String.valueOf(r.version())));
    o.put("platform", "convex-distill");
    ArrayNode in = o.putArray("inputs");
    in.addObject().put("name", "input").put("datatype", "UINT8").set("shape", shape(-1, 28, 28));
    ArrayNode out = o.putArray("outputs");
    out.addObject()
        .put("name", "probabilities")
        .put("datatype", "FP32")
        .set("shape", shape(-1, numClasses));
    out.addObject().put("name", "class").put("datatype", "INT64").set("shape", shape(-1));
    send(ex, 200, o);
    return registry.current().version();
  }

  private static ArrayNode shape(int... dims) {
    ArrayNode a = JSON.createArrayNode();
    for (int d : dims) {
      a.add(d);
    }
    return a;
  }

  private long v2Infer(HttpExchange ex) throws IOException, HttpError {
    JsonNode body = parseJson(readBody(ex, Math.max(config.maxBodyBytes(), 16 << 20)));
    JsonNode inputs = body.get("inputs");
    if (inputs == null || !inputs.isArray() || inputs.size() != 1) {
      throw new HttpError(400, "'inputs' must be an array with one tensor");
    }
    JsonNode t = inputs.get(0);
    JsonNode shape = t.get("shape");
    JsonNode data = t.get("data");
    String type = t.path("datatype").asText("");
    if (shape == null || !shape.isArray() || shape.size() < 1 || data == null || !data.isArray()) {
      throw new HttpError(400, "the input tensor needs 'shape' and a flat 'data' array");
    }
    long size = 1;
    for (JsonNode d : shape) {
      if (!d.canConvertToInt() || d.asInt() <= 0) {
        throw new HttpError(400, "shape entries must be positive integers, got " + shape);
      }
      size *= d.asInt();
    }
    int n = shape.get(0).asInt();
    if (size != (long) n * ImagePayload.RAW_BYTES) {
      throw new HttpError(
          400, "shape " + shape + " is not n×28×28 or n×784 (images of 28×28 grey values)");
    }
    if (data.size() != size) {
      throw new HttpError(
          400, "'data' has " + data.size() + " values; shape " + shape + " needs " + size);
    }
    if (!type.equals("UINT8") && !type.equals("FP32")) {
      throw new HttpError(
          400, "datatype must be UINT8 (0..255) or FP32 (0..1), got '" + type + "'");
    }
    byte[] pixels = new byte[(int) size];
    for (int i = 0; i < size; i++) {
      JsonNode v = data.get(i);
      if (!v.isNumber()) {
        throw new HttpError(400, "data[" + i + "] is not a number");
      }
      double x = type.equals("UINT8") ? v.asDouble() : v.asDouble() * 255.0;
      if (!(x >= 0 && x <= 255.0001)) {
        throw new HttpError(
            400, "data[" + i + "] = " + v.asText() + " is out of range for " + type);
      }
      pixels[i] = (byte) Math.round(x);
    }
    Batcher.Result r = infer(pixels, n);
    ObjectNode o = JSON.createObjectNode();
    o.put("model_name", registry.modelId());
    o.put("model_version", String.valueOf(r.model().version()));
    o.put("id", body.path("id").asText(""));
    ArrayNode outputs = o.putArray("outputs");
    ObjectNode probs = outputs.addObject();
    probs.put("name", "probabilities").put("datatype", "FP32").set("shape", shape(n, numClasses));
    ArrayNode pd = probs.putArray("data");
    ObjectNode cls = outputs.addObject();
    cls.put("name", "class").put("datatype", "INT64").set("shape", shape(n));
    ArrayNode cd = cls.putArray("data");
    for (int i = 0; i < n; i++) {
      for (float p : softmax(r.logits(), i, numClasses)) {
        pd.add(p);
      }
      cd.add(Logits.argmax(r.logits(), i, numClasses));
    }
    ex.getResponseHeaders().set(VERSION_HEADER, String.valueOf(r.model().version()));
    send(ex, 200, o);
    return r.model().version();
  }

  private static JsonNode parseJson(byte[] body) throws HttpError {
    try {
      JsonNode n = JSON.readTree(body);
      if (n == null || !n.isObject()) {
        throw new HttpError(400, "body must be a JSON object");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw new HttpError(400, "malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new HttpError(400, "cannot read JSON: " + e.getMessage());
    }
  }

  private static byte[] readBody(HttpExchange ex, int limit) throws IOException, HttpError {
    String len = ex.getRequestHeaders().getFirst("Content-Length");
    if (len != null) {
      try {
        if (Long.parseLong(len.trim()) > limit) {
          throw new HttpError(
              413, "body of " + len.trim() + " bytes exceeds the limit of " + limit);
        }
      } catch (NumberFormatException e) {
        throw new HttpError(400, "bad Content-Length: " + len);
      }
    }
    try (InputStream in = ex.getRequestBody()) {
      byte[] body = in.readNBytes(limit + 1);
      if (body.length > limit) {
        throw new HttpError(413, "body exceeds the limit of " + limit + " bytes");
      }
      return body;
    }
  }

  private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
    byte[] b = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  @Override
  public void close() {
    server.stop(1);
    executor.shutdown();
  }
}
