package org.convexdistill.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.convexdistill.core.data.Images;
import org.convexdistill.runtime.health.Health;
import org.convexdistill.serving.Batcher;
import org.convexdistill.serving.InferenceService;
import org.convexdistill.serving.ModelRegistry;
import org.convexdistill.serving.ServingConfig;
import org.convexdistill.serving.ServingMetrics;
import org.convexdistill.serving.ServingModel;
import org.convexdistill.serving.ServingServer;
import org.junit.jupiter.api.Test;

/**
 * The demo's evaluation client against the real HTTP endpoint with its default limits: more images
 * than one v2 request may carry are sent in requests the server accepts (a first version sent 100
 * per request and the demo died at its summary with a 413).
 */
class ServedEvaluationTest {
  @Test
  void classifiesMoreImagesThanOneRequestMayCarry() throws Exception {
    // Class of each image = its first pixel mod 10, so every answer can be checked.
    InferenceService byFirstPixel =
        (pixels, n) -> {
          float[] logits = new float[n * 10];
          for (int i = 0; i < n; i++) {
            logits[i * 10 + (pixels[i * 784] & 0xff) % 10] = 1f;
          }
          return new Batcher.Result(logits, n, ServingModel.teacher());
        };
    ServingConfig config = ServingConfig.defaults().withPort(0);
    ServingServer server =
        ServingServer.start(
            config,
            byFirstPixel,
            new ModelRegistry("m", 4, 2, 3),
            new ServingMetrics(),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            10,
            new Health());
    try {
      int n = 150;
      byte[] px = new byte[n * 784];
      for (int i = 0; i < n; i++) {
        px[i * 784] = (byte) i;
      }
      ServedEvaluation.Served s =
          ServedEvaluation.classify(server.port(), "m", new Images(n, 28, 28, px));
      for (int i = 0; i < n; i++) {
        assertThat(s.classes()[i]).isEqualTo(i % 10);
      }
    } finally {
      server.close();
    }
  }
}
