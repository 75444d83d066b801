package org.convexdistill.serving;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicLong;
import org.convexdistill.runtime.health.Health;
import org.convexdistill.runtime.metrics.MetricsServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint on 127.0.0.1, a router over one handler per protocol: {@link PredictHandler}
 * ({@code /v1/predict}), {@link InferenceProtocolHandler} (Open Inference Protocol v2), {@link
 * ModelAdminHandler} ({@code /v1/model} with pin/rollback), and {@code /metrics}. Every refusal is
 * a JSON object {@code {"error": "..."}} with the status {@link StatusMap} gives its kind.
 */
public final class ServingServer implements AutoCloseable {
  /** Response header carrying the student version that answered (0 = the teacher). */
  public static final String VERSION_HEADER = "X-Student-Version";

  private static final Logger LOG = LoggerFactory.getLogger(ServingServer.class);

  /** Response header naming the request in the log (and in a 500's body). */
  public static final String REQUEST_ID_HEADER = "X-Request-Id";

  private static final AtomicLong REQUESTS = new AtomicLong();

  private final HttpServer server;
  private final ServingConfig config;
  private final ModelRegistry registry;
  private final ServingMetrics metrics;

  private ServingServer(
      HttpServer server, ServingConfig config, ModelRegistry registry, ServingMetrics metrics) {
    this.server = server;
    this.config = config;
    this.registry = registry;
    this.metrics = metrics;
  }

  /** Starts listening over the dynamic batcher; the batcher and registry are the caller's. */
  public static ServingServer start(
      ServingConfig config,
      Batcher batcher,
      ModelRegistry registry,
      ServingMetrics metrics,
      PrometheusMeterRegistry prometheus,
      int numClasses) {
    return start(
        config,
        new BatchedInference(batcher),
        registry,
        metrics,
        prometheus,
        numClasses,
        new Health().liveness("batcher", batcher::alive));
  }

  /** Starts listening over any {@link InferenceService}. */
  public static ServingServer start(
      ServingConfig config,
      InferenceService inference,
      ModelRegistry registry,
      ServingMetrics metrics,
      PrometheusMeterRegistry prometheus,
      int numClasses,
      Health health) {
    HttpServer s;
    try {
      s = HttpEngine.create(config.host(), config.port(), 256, HttpEngine.Limits.of(config));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen on "
              + config.host()
              + ":"
              + config.port()
              + " ("
              + e.getMessage()
              + "); choose another with --http-host/--http-port",
          e);
    }
    ServingServer server = new ServingServer(s, config, registry, metrics);
    metrics.current(registry.current().version());
    registry.onSwap(m -> metrics.current(m.version()));
    PredictHandler predict = new PredictHandler(inference, config, numClasses);
    InferenceProtocolHandler v2 =
        new InferenceProtocolHandler(inference, registry, config, numClasses, health);
    ModelAdminHandler admin = new ModelAdminHandler(registry);
    s.createContext("/", e -> server.route(e, "other", NOT_FOUND));
    s.createContext("/v1/predict", e -> server.route(e, "predict", exact("/v1/predict", predict)));
    s.createContext("/v2/health", e -> server.route(e, "health", v2));
    s.createContext(
        "/v2/models",
        e ->
            server.route(
                e, e.getRequestURI().getPath().endsWith("/infer") ? "infer" : "model", v2));
    s.createContext("/v1/model", e -> server.route(e, "model", admin));
    s.createContext("/metrics", e -> MetricsServer.respond(e, prometheus));
    s.start();
    return server;
  }

  private static final Handler NOT_FOUND =
      (ex, path, method) -> {
        throw new ApiException.NotFound("no such endpoint: " + path);
      };

  /** A handler for exactly {@code path} (contexts match prefixes). */
  private static Handler exact(String path, Handler h) {
    return (ex, p, method) -> {
      if (!p.equals(path)) {
        throw new ApiException.NotFound("no such endpoint: " + p);
      }
      return h.handle(ex, p, method);
    };
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  private void route(HttpExchange ex, String endpoint, Handler handler) throws IOException {
    long t0 = System.nanoTime();
    long version = registry.current().version();
    String requestId =
        Long.toString(REQUESTS.incrementAndGet(), 36) + "-" + Long.toString(t0 & 0xffff, 36);
    ex.getResponseHeaders().set(REQUEST_ID_HEADER, requestId);
    try (ex) {
      try {
        String path = ex.getRequestURI().getPath();
        config
            .guard()
            .check(
                config.host(),
                ex.getRequestHeaders().getFirst("Host"),
                ex.getRequestHeaders().getFirst("Authorization"),
                access(endpoint, path, ex.getRequestMethod()));
        version = handler.handle(ex, path, ex.getRequestMethod());
        metrics.request(endpoint, "ok", version, System.nanoTime() - t0);
      } catch (ApiException e) {
        int status = StatusMap.status(e);
        metrics.request(endpoint, StatusMap.outcome(status), version, System.nanoTime() - t0);
        HttpIo.drain(ex);
        if (status == 401) {
          ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        }
        if (status == 503) {
          ex.getResponseHeaders().set("Retry-After", "1");
        }
        HttpIo.send(ex, status, HttpIo.JSON.createObjectNode().put("error", e.getMessage()));
      } catch (RuntimeException e) {
        // The details stay in the log: a client learns that it failed and which request it was.
        LOG.error("request {} ({} {}) failed", requestId, ex.getRequestMethod(), endpoint, e);
        metrics.request(endpoint, "error", version, System.nanoTime() - t0);
        HttpIo.send(
            ex,
            500,
            HttpIo.JSON
                .createObjectNode()
                .put("error", "internal error")
                .put("request_id", requestId));
      }
    }
  }

  private static HttpGuard.Access access(String endpoint, String path, String method) {
    if (endpoint.equals("health")) {
      return HttpGuard.Access.PUBLIC;
    }
    if (path.startsWith("/v1/model/pin") && !method.equals("GET")) {
      return HttpGuard.Access.ADMIN;
    }
    return HttpGuard.Access.API;
  }

  @Override
  public void close() {
    server.stop(1);
  }
}
