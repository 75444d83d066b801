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
import org.convexdistill.runtime.health.Health;

/**
 * {@code GET /metrics} in the Prometheus text format, plus {@code GET /health/live} and {@code
 * /health/ready} (200 or 503 with each check's result as JSON), for the roles without an HTTP
 * endpoint of their own (ingest, learner). Serving exposes the same routes on its own port. Binds
 * 127.0.0.1 unless told otherwise ({@code --metrics-host 0.0.0.0} in a pod).
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
    return server(LOOPBACK, port, backlog);
  }

  /** The default bind address of every role: loopback, so a local run is not on the network. */
  public static final String LOOPBACK = "127.0.0.1";

  /** An {@link HttpServer} on {@code host} (an address or name; 0.0.0.0 = every interface). */
  public static HttpServer server(String host, int port, int backlog) throws IOException {
    // Read once, when the JDK's server configuration class loads: set before the first server.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    // A client that has not sent its whole request (headers and body) within 10 s, or not read
    // its response within 30 s, is disconnected: it would otherwise hold a handler thread for ever
    // (slow-loris). Seconds; -D on the command line wins.
    setIfAbsent("sun.net.httpserver.maxReqTime", "10");
    setIfAbsent("sun.net.httpserver.maxRspTime", "30");
    setIfAbsent("sun.net.httpserver.maxReqHeaders", "100");
    InetAddress address = InetAddress.getByName(host);
    return HttpServer.create(new InetSocketAddress(address, port), backlog);
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /**
   * Starts serving {@code registry}.
   *
   * @param port the port on 127.0.0.1 (0 = a free one)
   */
  public static MetricsServer start(PrometheusMeterRegistry registry, int port) {
    return start(registry, LOOPBACK, port, new Health());
  }

  /** Starts serving {@code registry} and {@code health} on {@code host:port} (0 = a free port). */
  public static MetricsServer start(
      PrometheusMeterRegistry registry, String host, int port, Health health) {
    try {
      HttpServer s = server(host, port, 16);
      s.createContext("/metrics", ex -> respond(ex, registry));
      s.createContext("/health/live", ex -> health(ex, health.live()));
      s.createContext("/health/ready", ex -> health(ex, health.ready()));
      s.start();
      return new MetricsServer(s);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen on "
              + host
              + ":"
              + port
              + " ("
              + e.getMessage()
              + "); choose another with --metrics-host/--metrics-port",
          e);
    }
  }

  /** 200 when {@code report} passed, else 503; the body lists each check. */
  public static void health(HttpExchange ex, Health.Report report) throws IOException {
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body = json(report).getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(report.ok() ? 200 : 503, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** {@code {"ok":true,"checks":{"name":true,...}}}; names are the roles' own constants. */
  static String json(Health.Report report) {
    StringBuilder b = new StringBuilder("{\"ok\":").append(report.ok()).append(",\"checks\":{");
    String sep = "";
    for (var e : report.checks().entrySet()) {
      b.append(sep).append('"').append(e.getKey()).append("\":").append(e.getValue());
      sep = ",";
    }
    return b.append("}}").toString();
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
