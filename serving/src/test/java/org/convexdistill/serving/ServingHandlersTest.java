package org.convexdistill.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.convexdistill.runtime.health.Health;
import org.convexdistill.teacher.DjlTeacher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The protocol handlers, the router's status map and the batcher without a broker: a real
 * (untrained) teacher behind a real batcher and registry, HTTP on loopback.
 */
class ServingHandlersTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static DjlTeacher teacher;
  private static Batcher batcher;
  private static ServingServer server;
  private static final AtomicBoolean FOLLOWER_ALIVE = new AtomicBoolean(true);
  private static final AtomicBoolean REPLAYED = new AtomicBoolean(false);

  @BeforeAll
  static void start() {
    teacher = DjlTeacher.create(10, 5, 16);
    HybridRunner runner = new HybridRunner(teacher, 4);
    ServingConfig config = new ServingConfig(0, 8, Duration.ofMillis(1), 64, 4096, 4, 3);
    ModelRegistry registry =
        new ModelRegistry("m", runner.blockInputSize(), runner.blockOutputSize(), 3);
    ServingMetrics metrics = new ServingMetrics();
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    metrics.bindTo(prometheus);
    batcher = new Batcher(runner, registry, 8, Duration.ofMillis(1), 64, 1, metrics);
    Health health =
        new Health()
            .liveness("batcher", batcher::alive)
            .liveness("student-follower", FOLLOWER_ALIVE::get)
            .readiness("students-log-replayed", REPLAYED::get);
    server =
        ServingServer.start(
            config, new BatchedInference(batcher), registry, metrics, prometheus, 10, health);
  }

  @AfterAll
  static void stop() {
    server.close();
    batcher.close();
    teacher.close();
  }

  private static HttpResponse<String> send(String method, String path, byte[] body, String type)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (type != null) {
      b.header("Content-Type", type);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertError(HttpResponse<String> r, int status, String text)
      throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(JSON.readTree(r.body()).path("error").asText()).contains(text);
  }

  @Test
  void healthEndpointsReportEachWorkerForKubernetes() throws Exception {
    HttpResponse<String> ready = send("GET", "/v2/health/ready", null, null);
    assertThat(ready.statusCode())
        .as("not ready before the students log is replayed")
        .isEqualTo(503);
    assertThat(JSON.readTree(ready.body()).path("checks").path("students-log-replayed").asBoolean())
        .isFalse();
    REPLAYED.set(true);
    assertThat(send("GET", "/v2/health/ready", null, null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/v2/health/live", null, null).statusCode()).isEqualTo(200);
    FOLLOWER_ALIVE.set(false);
    try {
      HttpResponse<String> live = send("GET", "/v2/health/live", null, null);
      assertThat(live.statusCode()).as("a dead follower: restart the pod").isEqualTo(503);
      assertThat(JSON.readTree(live.body()).path("checks").path("student-follower").asBoolean())
          .isFalse();
      assertThat(JSON.readTree(live.body()).path("checks").path("batcher").asBoolean()).isTrue();
      assertThat(send("GET", "/v2/health/ready", null, null).statusCode()).isEqualTo(503);
    } finally {
      FOLLOWER_ALIVE.set(true);
    }
  }

  @Test
  void shouldClassifyARawImageWithTheTeacherBeforeAnyStudent() throws Exception {
    HttpResponse<String> r = send("POST", "/v1/predict", new byte[784], "application/x-raw-gray8");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("model").asText()).isEqualTo("teacher");
    double sum = 0;
    for (JsonNode p : body.path("probabilities")) {
      sum += p.asDouble();
    }
    assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    assertThat(r.headers().firstValue(ServingServer.VERSION_HEADER)).hasValue("0");
  }

  @Test
  void shouldMapEachKindOfRefusalToItsStatus() throws Exception {
    assertError(send("POST", "/v1/predict", new byte[10], "image/gif"), 415, "unsupported");
    assertError(send("POST", "/v1/predict", new byte[10], "image/png"), 400, "png");
    assertError(send("GET", "/v1/predict", null, null), 405, "use POST");
    assertError(send("GET", "/nowhere", null, null), 404, "no such endpoint");
    assertError(send("GET", "/v1/predict/extra", null, null), 404, "no such endpoint");
    assertError(send("POST", "/v1/predict", new byte[5000], "image/png"), 413, "limit");
    assertError(send("GET", "/v2/models/other", null, null), 404, "unknown model");
    assertError(
        send("POST", "/v2/models/m/infer", "{\"inputs\":[]}".getBytes(), "application/json"),
        400,
        "one tensor");
    assertError(
        send("POST", "/v1/model/pin", "{\"version\": 7}".getBytes(), "application/json"),
        404,
        "not among the kept versions");
  }

  @Test
  void shouldAnswerHealthAndMetadataOverTheInferenceProtocol() throws Exception {
    HttpResponse<String> live = send("GET", "/v2/health/live", null, null);
    assertThat(JSON.readTree(live.body()).path("live").asBoolean()).isTrue();
    HttpResponse<String> ready = send("GET", "/v2/health/ready", null, null);
    assertThat(JSON.readTree(ready.body()).path("serving").asText()).isEqualTo("teacher");
    HttpResponse<String> meta = send("GET", "/v2/models/m", null, null);
    assertThat(meta.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(meta.body()).path("inputs").get(0).path("datatype").asText())
        .isEqualTo("UINT8");
  }

  @Test
  void statusMapShouldCoverEveryKindAndCallTheRestInternal() {
    assertThat(StatusMap.status(new ApiException.BadRequest("x"))).isEqualTo(400);
    assertThat(StatusMap.status(new ApiException.NotFound("x"))).isEqualTo(404);
    assertThat(StatusMap.status(new ApiException.MethodNotAllowed("x"))).isEqualTo(405);
    assertThat(StatusMap.status(new ApiException.PayloadTooLarge("x"))).isEqualTo(413);
    assertThat(StatusMap.status(new ApiException.UnsupportedMediaType("x"))).isEqualTo(415);
    assertThat(StatusMap.status(new ApiException.Unavailable("x"))).isEqualTo(503);
    assertThat(StatusMap.status(new IllegalStateException())).isEqualTo(500);
    assertThat(StatusMap.outcome(503)).isEqualTo("overload");
    assertThat(StatusMap.outcome(404)).isEqualTo("client_error");
  }

  @Test
  void twoBatchWorkersAnswerEveryRequestWithWhatOneWorkerAnswers() throws Exception {
    HybridRunner runner = new HybridRunner(teacher, 4);
    ModelRegistry registry =
        new ModelRegistry("m2", runner.blockInputSize(), runner.blockOutputSize(), 3);
    java.util.Random r = new java.util.Random(3);
    int n = 40;
    byte[][] images = new byte[n][784];
    for (byte[] im : images) {
      r.nextBytes(im);
    }
    float[][] expected = new float[n][];
    for (int i = 0; i < n; i++) {
      expected[i] = runner.logits(images[i], 1, registry.current());
    }
    Batcher two =
        new Batcher(runner, registry, 4, Duration.ofMillis(2), 64, 2, new ServingMetrics());
    try {
      java.util.List<java.util.concurrent.CompletableFuture<Batcher.Result>> results =
          new java.util.ArrayList<>();
      for (byte[] im : images) {
        results.add(two.submit(im, 1));
      }
      for (int i = 0; i < n; i++) {
        float[] got = results.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS).logits();
        for (int k = 0; k < 10; k++) {
          assertThat(got[k])
              .as("image %d logit %d", i, k)
              .isCloseTo(expected[i][k], org.assertj.core.data.Offset.offset(1e-4f));
        }
      }
      assertThat(two.alive()).isTrue();
    } finally {
      two.close();
    }
  }
}
