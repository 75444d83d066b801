package org.convexdistill.runtime.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics} in the Prometheus text format on 127.0.0.1, for the roles without an HTTP
 * endpoint of their own (ingest, learner). Serving exposes the same route on its own port.
 */
public final class MetricsServer implements AutoCloseable {
  private final HttpServer server;

  private MetricsServer(HttpServer server) {
    this.server = server;
  }

  /**
   * An {@link HttpServer} on 127.0.0.1 with TCP_NODELAY. Without it, the JDK server's small
   * responses meet the client's delayed ACK and every request takes ~40 ms extra (Nagle).
   */
  public static HttpServer loopbackServer(int port, int backlog) throws IOException {
    // Read once, when the JDK's server configuration class loads: set before the first server.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    return HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), port), backlog);
  }

  /**
   * Starts serving {@code registry}.
   *
   * @param port the port on 127.0.0.1 (0 = a free one)
   */
  public static MetricsServer start(PrometheusMeterRegistry registry, int port) {
    try {
      HttpServer s = loopbackServer(port, 16);
      s.createContext("/metrics", ex -> respond(ex, registry));
      s.start();
      return new MetricsServer(s);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
  }

  /** Writes a scrape to the exchange. */
  public static void respond(HttpExchange ex, PrometheusMeterRegistry registry) throws IOException {
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
