package org.convexdistill.serving;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.spi.JettyHttpServer;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.QoSHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The serving endpoint's HTTP engine: Jetty behind the JDK's {@code com.sun.net.httpserver} API
 * (the handlers are the same either way), because the JDK's own server reads every request's
 * headers on a handler thread — 40 clients sending headers slowly held all of them and the health
 * check timed out. Jetty parses headers on its selector, without a thread per connection, and
 * bounds the rest:
 *
 * <ul>
 *   <li>at most {@code maxConnections} open connections (more wait in the accept queue);
 *   <li>a connection idle for {@code idleTimeout} (no byte of headers or body) is closed;
 *   <li>at most {@code handlerThreads} requests are handled at once; up to {@code maxQueued} more
 *       wait without holding a thread, for at most {@code maxWait}; beyond either, 503 at once;
 *   <li>health checks and {@code /metrics} bypass that queue: a probe is answered while inference
 *       is saturated.
 * </ul>
 */
final class HttpEngine {
  private HttpEngine() {}

  /** What the engine bounds. */
  record Limits(
      int handlerThreads,
      int maxConnections,
      int maxQueued,
      Duration maxWait,
      Duration idleTimeout) {
    static Limits of(ServingConfig c) {
      return new Limits(
          c.handlerThreads(),
          // Idle connections cost Jetty a few KB and no thread: the cap guards file descriptors.
          1024,
          c.queueCapacity(),
          Duration.ofSeconds(2),
          Duration.ofSeconds(5));
    }
  }

  /**
   * Errors the engine answers itself (the queue is full, a malformed request line) in the same JSON
   * shape as the handlers' refusals, with {@code Retry-After} on a 503.
   */
  private static final class JsonErrors extends ErrorHandler {
    @Override
    protected void generateResponse(
        Request request,
        Response response,
        int code,
        String message,
        Throwable cause,
        Callback cb) {
      String text =
          code == 503
              ? "server busy: too many requests in flight; retry shortly"
              : message != null ? message : HttpStatus.getMessage(code);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      if (code == 503) {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
      }
      byte[] body;
      try {
        body = HttpIo.JSON.writeValueAsBytes(HttpIo.JSON.createObjectNode().put("error", text));
      } catch (java.io.IOException e) {
        body = "{\"error\": \"error\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }
      response.write(true, java.nio.ByteBuffer.wrap(body), cb);
    }
  }

  /** An unstarted server bound to {@code host:port} (0 = any free port). */
  static HttpServer create(String host, int port, int backlog, Limits limits) throws IOException {
    // Selector and acceptor threads come out of the same pool as the handlers.
    QueuedThreadPool pool = new QueuedThreadPool(limits.handlerThreads() + 16, 4);
    pool.setName("distill-http");
    pool.setDaemon(true);
    Server server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setRequestHeaderSize(8 * 1024);
    http.setIdleTimeout(limits.idleTimeout().toMillis());
    // The queue in front of every context; the SPI adds its contexts to the collection inside.
    QoSHandler qos = new QoSHandler(new ContextHandlerCollection());
    qos.setMaxRequestCount(limits.handlerThreads());
    qos.setMaxSuspendedRequestCount(limits.maxQueued());
    qos.setMaxSuspend(limits.maxWait());
    qos.setRejectStatusCode(503);
    qos.excludePath("/v2/health/*", "/metrics");
    server.setHandler(qos);
    server.setErrorHandler(new JsonErrors());
    JettyHttpServer engine = new JettyHttpServer(server, false, http);
    engine.bind(new InetSocketAddress(InetAddress.getByName(host), port), backlog);
    for (Connector c : server.getConnectors()) {
      if (c instanceof ServerConnector sc) {
        sc.setIdleTimeout(limits.idleTimeout().toMillis());
        sc.setAcceptQueueSize(backlog);
      }
    }
    server.addBean(new NetworkConnectionLimit(limits.maxConnections(), server));
    return engine;
  }
}
