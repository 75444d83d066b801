package org.convexdistill.serving;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.convexdistill.runtime.health.Health;
import org.convexdistill.runtime.metrics.MetricsServer;

/**
 * The HTTP endpoint on 127.0.0.1, a router over one handler per protocol: {@link PredictHandler}
 * ({@code /v1/predict}), {@link InferenceProtocolHandler} (Open Inference Protocol v2), {@link
 * ModelAdminHandler} ({@code /v1/model} with pin/rollback), and {@code /metrics}. Every refusal is
 * a JSON object {@code {"error": "..."}} with the status {@link StatusMap} gives its kind.
 */
public final class ServingServer implements AutoCloseable {
  /** Response header carrying the student version that answered (0 = the teacher). */
  public static final String VERSION_HEADER = "X-Student-Version";

  private final HttpServer server;
  private final ExecutorService executor;
  private final ModelRegistry registry;
  private final ServingMetrics metrics;

  private ServingServer(
      HttpServer server, ExecutorService executor, ModelRegistry registry, ServingMetrics metrics) {
    this.server = server;
    this.executor = executor;
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
      s = MetricsServer.server(config.host(), config.port(), 256);
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
    ExecutorService ex = Executors.newFixedThreadPool(config.handlerThreads());
    s.setExecutor(ex);
    ServingServer server = new ServingServer(s, ex, registry, metrics);
    metrics.current(registry.current().version());
    registry.onSwap(m -> metrics.current(m.version()));
    PredictHandler predict = new PredictHandler(inference, config, numClasses);
    InferenceProtocolHandler v2 =
        new InferenceProtocolHandler(inference, registry, config, numClasses, health);
    ModelAdminHandler admin = new ModelAdminHandler(registry);
    s.createContext("/", e -> server.route(e, "other", NOT_FOUND));
    s.createContext("/v1/predict", e -> server.route(e, "predict", exact("/v1/predict", predict)));
    s.createContext("/v2/health/", e -> server.route(e, "health", v2));
    s.createContext(
        "/v2/models/",
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
    try (ex) {
      try {
        version = handler.handle(ex, ex.getRequestURI().getPath(), ex.getRequestMethod());
        metrics.request(endpoint, "ok", version, System.nanoTime() - t0);
      } catch (ApiException e) {
        int status = StatusMap.status(e);
        metrics.request(endpoint, StatusMap.outcome(status), version, System.nanoTime() - t0);
        HttpIo.send(ex, status, HttpIo.JSON.createObjectNode().put("error", e.getMessage()));
      } catch (RuntimeException e) {
        metrics.request(endpoint, "error", version, System.nanoTime() - t0);
        HttpIo.send(ex, 500, HttpIo.JSON.createObjectNode().put("error", "internal error: " + e));
      }
    }
  }

  @Override
  public void close() {
    server.stop(1);
    executor.shutdown();
  }
}
