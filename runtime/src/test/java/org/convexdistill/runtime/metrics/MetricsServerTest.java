package org.convexdistill.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.convexdistill.runtime.health.Health;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthFollowsTheWorkersAndMetricsCarryBuildInfo() throws Exception {
    AtomicBoolean workerAlive = new AtomicBoolean(true);
    AtomicBoolean caughtUp = new AtomicBoolean(false);
    Health health =
        new Health()
            .liveness("worker", workerAlive::get)
            .readiness("caught-up", caughtUp::get)
            .readiness(
                "throws",
                () -> {
                  if (caughtUp.get()) {
                    return true;
                  }
                  throw new IllegalStateException("not yet");
                });
    try (MetricsServer s = MetricsServer.start(Metrics.newRegistry(), "127.0.0.1", 0, health)) {
      assertThat(get(s.port(), "/health/live").statusCode()).isEqualTo(200);
      HttpResponse<String> notReady = get(s.port(), "/health/ready");
      assertThat(notReady.statusCode()).isEqualTo(503);
      assertThat(notReady.body())
          .isEqualTo(
              "{\"ok\":false,\"checks\":{\"worker\":true,\"caught-up\":false,\"throws\":false}}");
      caughtUp.set(true);
      assertThat(get(s.port(), "/health/ready").statusCode()).isEqualTo(200);
      workerAlive.set(false);
      assertThat(get(s.port(), "/health/live").statusCode()).isEqualTo(503);
      assertThat(get(s.port(), "/health/ready").statusCode())
          .as("a dead worker is never ready")
          .isEqualTo(503);
      String scrape = get(s.port(), "/metrics").body();
      assertThat(scrape)
          .containsPattern("distill_build_info\\{java=\"[^\"]+\",version=\"[^\"]+\"} 1");
    }
  }

  @Test
  void anUnknownHostIsAClearError() {
    assertThatThrownBy(
            () ->
                MetricsServer.start(Metrics.newRegistry(), "no-such-host.invalid", 0, new Health()))
        .hasMessageContaining("cannot listen on no-such-host.invalid:0")
        .hasMessageContaining("--metrics-host");
  }
}
