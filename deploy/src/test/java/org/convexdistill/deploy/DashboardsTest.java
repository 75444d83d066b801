package org.convexdistill.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.convexdistill.broker.EmbeddedKafka;
import org.convexdistill.ingest.device.DevicePublisher;
import org.convexdistill.ingest.stage.BlockInference;
import org.convexdistill.ingest.stage.InferenceConfig;
import org.convexdistill.ingest.stage.IngestStage;
import org.convexdistill.learner.stream.LearnerConfig;
import org.convexdistill.learner.stream.StreamingLearner;
import org.convexdistill.runtime.health.Health;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.runtime.metrics.Metrics;
import org.convexdistill.runtime.metrics.MetricsServer;
import org.convexdistill.runtime.topics.Topics;
import org.convexdistill.serving.ReleasePolicy;
import org.convexdistill.serving.ServingConfig;
import org.convexdistill.serving.ServingNode;
import org.convexdistill.teacher.DjlTeacher;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code grafana/}: the dashboards' structure, and every panel's query against a real Prometheus
 * (Debian's, on loopback) scraping the real roles (inference stage, learner, serving on an embedded
 * broker, an untrained teacher) while images and HTTP requests flow: each query parses and returns
 * data, so every metric a dashboard names exists in a real scrape. The alert rules are loaded too.
 */
@Tag("integration")
class DashboardsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Path DASHBOARDS = Repo.root().resolve("grafana/dashboards");

  /** Each dashboard's panels' queries, by "dashboard / panel". */
  static Map<String, String> queries() throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(DASHBOARDS)) {
      for (Path f : files.sorted().toList()) {
        JsonNode d = JSON.readTree(f.toFile());
        for (JsonNode p : d.path("panels")) {
          for (JsonNode t : p.path("targets")) {
            out.put(
                d.path("uid").asText()
                    + " / "
                    + p.path("title").asText()
                    + " / "
                    + t.path("refId").asText(),
                t.path("expr").asText());
          }
        }
      }
    }
    return out;
  }

  @Test
  void everyDashboardHasAFixedUidADatasourceVariableAndJobInstanceTemplating() throws Exception {
    Set<String> uids = new HashSet<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(DASHBOARDS)) {
      files = s.sorted().toList();
    }
    assertThat(files.stream().map(p -> p.getFileName().toString()))
        .containsExactlyInAnyOrder("pipeline.json", "learner.json", "serving.json", "jvm.json");
    for (Path f : files) {
      JsonNode d = JSON.readTree(f.toFile());
      String uid = d.path("uid").asText();
      assertThat(uid).as(f.toString()).startsWith("distill-");
      assertThat(uids.add(uid)).as("unique uid " + uid).isTrue();
      Map<String, JsonNode> vars = new LinkedHashMap<>();
      d.path("templating").path("list").forEach(v -> vars.put(v.path("name").asText(), v));
      assertThat(vars).containsKeys("DS_PROMETHEUS", "job", "instance");
      assertThat(vars.get("DS_PROMETHEUS").path("type").asText()).isEqualTo("datasource");
      assertThat(vars.get("DS_PROMETHEUS").path("query").asText()).isEqualTo("prometheus");
      for (JsonNode p : d.path("panels")) {
        assertThat(p.path("datasource").path("uid").asText()).isEqualTo("${DS_PROMETHEUS}");
        assertThat(p.path("targets")).as(p.path("title").asText()).isNotEmpty();
        for (JsonNode t : p.path("targets")) {
          String expr = t.path("expr").asText();
          assertThat(expr)
              .as(p.path("title").asText())
              .contains("job=~\"$job\"", "instance=~\"$instance\"");
        }
      }
    }
  }

  /** Grafana's variables as a user with "All" selected gets them. */
  static String substitute(String expr) {
    return expr.replace("$__rate_interval", "20s")
        .replace("$job", "distill-.*")
        .replace("$instance", ".+");
  }

  @Test
  void everyPanelQueryReturnsDataFromARealPrometheusScrapingTheRoles(@TempDir Path dir)
      throws Exception {
    Path prometheus =
        Repo.tool(
            "prometheus",
            "run the tests with './distill test' (it unpacks Debian's prometheus package into .tools/)");
    DjlTeacher ingestTeacher = DjlTeacher.create(10, 11, 16);
    DjlTeacher servingTeacher = DjlTeacher.create(10, 11, 16);
    List<AutoCloseable> open = new ArrayList<>();
    Process prom = null;
    AtomicBoolean stop = new AtomicBoolean();
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      KafkaConnection conn = KafkaConnection.of(kafka.bootstrapServers());
      try (var admin = org.apache.kafka.clients.admin.Admin.create(conn.clientConfig())) {
        Topics.ensure(admin, 1);
      }
      PrometheusMeterRegistry ingestMeters = Metrics.newRegistry();
      IngestStage stage =
          IngestStage.start(
              conn,
              new BlockInference(ingestTeacher, "test-teacher", 4),
              InferenceConfig.defaults(),
              ingestMeters,
              dir.resolve("state").toString(),
              1);
      open.add(stage);
      PrometheusMeterRegistry learnerMeters = Metrics.newRegistry();
      LearnerConfig config =
          LearnerConfig.builder()
              .setModelId("m")
              .setWindowSize(40)
              .setRefitEvery(20)
              .setGates(4)
              .setMaxIterations(100)
              .setMaxRelativeGap(10)
              .setMseTolerance(1e9)
              .setGateRows(8)
              .setMinGateRows(1)
              .setMinAgreement(0)
              .build();
      StreamingLearner learner = new StreamingLearner(conn, config, learnerMeters);
      learner.start();
      open.add(learner);
      PrometheusMeterRegistry servingMeters = Metrics.newRegistry();
      ServingNode serving =
          ServingNode.start(
              conn,
              servingTeacher,
              4,
              "m",
              ServingConfig.defaults().withPort(0),
              servingMeters,
              ReleasePolicy.permissive());
      open.add(serving);
      MetricsServer ingestHttp =
          MetricsServer.start(
              ingestMeters, "127.0.0.1", 0, new Health().liveness("streams", stage::alive));
      MetricsServer learnerHttp =
          MetricsServer.start(
              learnerMeters, "127.0.0.1", 0, new Health().liveness("learner", learner::alive));
      open.add(ingestHttp);
      open.add(learnerHttp);

      // Devices (and one malformed image for the dead-letter panels) and an HTTP client.
      Thread devices =
          new Thread(
              () -> {
                try (DevicePublisher p = DevicePublisher.builder().setKafka(conn).build()) {
                  p.publish("bad", new byte[] {1, 2, 3}, "image/png");
                  java.util.Random r = new java.util.Random(1);
                  while (!stop.get()) {
                    byte[] img = new byte[784];
                    r.nextBytes(img);
                    p.publish("cam-1", img, "application/x-raw-gray8");
                    Thread.sleep(20);
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      devices.setDaemon(true);
      devices.start();
      Thread client =
          new Thread(
              () -> {
                while (!stop.get()) {
                  try {
                    HTTP.send(
                        HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + serving.port() + "/v1/predict"))
                            .header("Content-Type", "application/x-raw-gray8")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[784]))
                            .build(),
                        HttpResponse.BodyHandlers.discarding());
                    Thread.sleep(20);
                  } catch (Exception e) {
                    return;
                  }
                }
              });
      client.setDaemon(true);
      client.start();

      int promPort;
      try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        promPort = s.getLocalPort();
      }
      Path rules = dir.resolve("rules.yaml");
      Files.copy(AlertRulesTest.RULES, rules);
      Path cfg = dir.resolve("prometheus.yml");
      Files.writeString(
          cfg,
          String.join(
              "\n",
              "global:",
              "  scrape_interval: 1s",
              "  evaluation_interval: 1s",
              "rule_files: [" + rules + "]",
              "scrape_configs:",
              "  - job_name: distill-ingest",
              "    static_configs: [{targets: ['127.0.0.1:" + ingestHttp.port() + "']}]",
              "  - job_name: distill-learner",
              "    static_configs: [{targets: ['127.0.0.1:" + learnerHttp.port() + "']}]",
              "  - job_name: distill-serving",
              "    static_configs: [{targets: ['127.0.0.1:" + serving.port() + "']}]",
              ""));
      prom =
          new ProcessBuilder(
                  prometheus.toString(),
                  "--config.file=" + cfg,
                  "--storage.tsdb.path=" + dir.resolve("tsdb"),
                  "--web.listen-address=127.0.0.1:" + promPort)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("prometheus.log").toFile())
              .start();

      Map<String, String> pending = new LinkedHashMap<>(queries());
      assertThat(pending).hasSizeGreaterThan(20);
      Map<String, String> errors = new LinkedHashMap<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
      while (!pending.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(2000);
        for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
          var e = it.next();
          JsonNode r = query(promPort, substitute(e.getValue()));
          if (r == null) {
            continue; // Prometheus not up yet
          }
          if (!r.path("status").asText().equals("success")) {
            errors.put(e.getKey(), r.path("error").asText());
            it.remove();
          } else if (!r.path("data").path("result").isEmpty()) {
            it.remove();
          }
        }
      }
      assertThat(errors).as("queries Prometheus refused").isEmpty();
      assertThat(pending)
          .as(
              "queries that never returned data (%s)",
              Files.readString(dir.resolve("prometheus.log"))
                  .lines()
                  .filter(l -> l.contains("level=error"))
                  .toList())
          .isEmpty();
      JsonNode ruleState = get(promPort, "/api/v1/rules");
      ruleState
          .path("data")
          .path("groups")
          .forEach(
              g ->
                  g.path("rules")
                      .forEach(
                          rule ->
                              assertThat(rule.path("health").asText())
                                  .as(
                                      rule.path("name").asText()
                                          + " "
                                          + rule.path("lastError").asText())
                                  .isEqualTo("ok")));
      long alerts =
          Files.readAllLines(AlertRulesTest.RULES).stream()
              .filter(l -> l.trim().startsWith("- alert:"))
              .count();
      assertThat(ruleState.path("data").path("groups").get(0).path("rules"))
          .as("Prometheus loaded every alert of the rules file")
          .hasSize((int) alerts);
    } finally {
      stop.set(true);
      if (prom != null) {
        prom.destroy();
        prom.waitFor(10, TimeUnit.SECONDS);
      }
      for (int i = open.size() - 1; i >= 0; i--) {
        open.get(i).close();
      }
      ingestTeacher.close();
      servingTeacher.close();
    }
  }

  private static JsonNode query(int port, String expr) {
    return get(port, "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
  }

  private static JsonNode get(int port, String path) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body());
    } catch (Exception e) {
      return null;
    }
  }
}
