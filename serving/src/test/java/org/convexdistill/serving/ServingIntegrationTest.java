package org.convexdistill.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.convexdistill.broker.EmbeddedKafka;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.ImageFolder;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.release.ReleaseKeys;
import org.convexdistill.core.release.ReleaseSigner;
import org.convexdistill.core.release.ReleaseVerifier;
import org.convexdistill.core.stream.StudentRelease;
import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.runtime.topics.Topics;
import org.convexdistill.teacher.DjlTeacher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Serving against a real broker and a real (randomly initialised) DJL teacher. */
@Tag("integration")
class ServingIntegrationTest {
  private static final String MODEL = "test-model";
  private static final ReleaseSigner SIGNER =
      new ReleaseSigner(ReleaseKeys.generate().getPrivate());
  private static final ObjectMapper JSON = new ObjectMapper();

  private static EmbeddedKafka kafka;
  private static DjlTeacher teacher;
  private static ServingNode node;
  private static KafkaProducer<String, byte[]> producer;
  private static Images images;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start();
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Topics.ensure(admin, 1);
    }
    teacher = DjlTeacher.create(10, 3, 16);
    ServingConfig config = new ServingConfig(0, 8, Duration.ofMillis(2), 256, 64 << 10, 16, 5);
    node =
        ServingNode.start(
            KafkaConnection.of(kafka.bootstrapServers()),
            teacher,
            4,
            MODEL,
            config,
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            ReleasePolicy.permissive()
                .withVerifier(new ReleaseVerifier(List.of(SIGNER.publicKey())))
                .withTeacherId("t"));
    producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer());
    images =
        FashionMnist.readImages(
            Path.of("..", "data", "fashion-mnist-mini", "t10k-images-idx3-ubyte.gz"));
  }

  @AfterAll
  static void stop() {
    node.close();
    producer.close();
    teacher.close();
    kafka.close();
  }

  private static StudentBlock student(int d, int c, long seed) {
    return TestStudents.random(d, c, 6, seed);
  }

  private static void release(long version, int d, int c) throws Exception {
    byte[] value = releaseOf(MODEL, "t", version, d, c).encode();
    producer.send(signed(MODEL, value, SIGNER.sign(value))).get();
  }

  private static ProducerRecord<String, byte[]> signed(
      String model, byte[] value, byte[] signature) {
    ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.STUDENTS, model, value);
    if (signature != null) {
      r.headers().add(ReleaseSigner.HEADER, signature);
    }
    return r;
  }

  private static StudentRelease releaseOf(
      String model, String teacherId, long version, int d, int c) {
    return TestStudents.release(model, teacherId, 4, version, student(d, c, version));
  }

  private static int d() {
    return teacher.blockInputShape(4).size();
  }

  private static int c() {
    return teacher.blockOutputShape(4).size();
  }

  private static HttpResponse<String> post(String path, byte[] body, String type)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .timeout(Duration.ofSeconds(30));
    if (type != null) {
      b.header("Content-Type", type);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> call(String method, String path)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void awaitVersion(long v) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (node.registry().current().version() != v && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(node.registry().current().version()).isEqualTo(v);
  }

  @Test
  void aFollowerThatDiesRestartsWhereItWasAndSkipsTheRecordItDiedOn() throws Exception {
    String model = "follower-restart";
    // The golden check of the first release runs out of memory (injected); the follower must
    // come back on a new consumer after that record and serve the next release.
    FaultyTeacher faulty = new FaultyTeacher(teacher, FaultyTeacher.Pass.SUFFIX, 1);
    ModelRegistry registry =
        new ModelRegistry(
            model,
            4,
            d(),
            c(),
            3,
            ReleasePolicy.permissive()
                .withTeacherId("t")
                .withGolden(new GoldenSet(faulty, 4, images.slice(0, 8)), 0.0));
    ServingMetrics metrics = new ServingMetrics();
    try (StudentFollower follower =
        new StudentFollower(KafkaConnection.of(kafka.bootstrapServers()), registry, metrics)) {
      for (long v = 1; v <= 2; v++) {
        producer.send(signed(model, releaseOf(model, "t", v, d(), c()).encode(), null)).get();
      }
      long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (registry.current().version() != 2 && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      assertThat(registry.current().version()).isEqualTo(2);
      assertThat(follower.alive()).isTrue();
      assertThat(metrics.workerEvents("student-follower", false)).isEqualTo(1);
      assertThat(metrics.workerEvents("student-follower", true)).isEqualTo(1);
      assertThat(metrics.swaps("accepted")).as("v1 was skipped, v2 accepted").isEqualTo(1);
    }
  }

  @Test
  void aPinHoldsOnEveryReplicaAndAcrossARestart() throws Exception {
    String model = "pinned-model";
    java.util.function.Supplier<ServingNode> start = () -> guardedNode(model);
    for (long v = 1; v <= 3; v++) {
      byte[] value = releaseOf(model, "t", v, d(), c()).encode();
      producer.send(signed(model, value, SIGNER.sign(value))).get();
    }
    try (ServingNode a = start.get();
        ServingNode b = start.get()) {
      awaitVersion(a, 3);
      awaitVersion(b, 3);
      // Roll back to 2 on replica a: replica b follows.
      assertThat(a.registry().pin(2)).isTrue();
      awaitVersion(b, 2);
    }
    // Version 4 arrives while no node runs; a restarted node comes back with the pin, not 4.
    byte[] v4 = releaseOf(model, "t", 4, d(), c()).encode();
    producer.send(signed(model, v4, SIGNER.sign(v4))).get();
    try (ServingNode again = start.get()) {
      long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!again.registry().pinned().isPresent() || !readyNow(again)) {
        assertThat(System.nanoTime()).as("ready with the pin in 30 s").isLessThan(until);
        Thread.sleep(50);
      }
      assertThat(again.registry().pinned()).hasValue(2L);
      assertThat(again.registry().current().version()).isEqualTo(2);
      Thread.sleep(500);
      assertThat(again.registry().current().version()).as("4 must not return").isEqualTo(2);
      again.registry().unpin();
      assertThat(again.registry().current().version()).isEqualTo(4);
    }
    try (ServingNode last = start.get()) {
      awaitVersion(last, 4);
      assertThat(last.registry().pinned()).isEmpty();
    }
  }

  /** A node of {@code model} that trusts only {@link #SIGNER} and serves teacher "t". */
  private static ServingNode guardedNode(String model) {
    return ServingNode.start(
        KafkaConnection.of(kafka.bootstrapServers()),
        teacher,
        4,
        model,
        new ServingConfig(0, 8, Duration.ofMillis(2), 64, 64 << 10, 8, 5),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        ReleasePolicy.permissive()
            .withVerifier(new ReleaseVerifier(List.of(SIGNER.publicKey())))
            .withTeacherId("t"));
  }

  private static boolean readyNow(ServingNode n) throws Exception {
    return HTTP.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + n.port() + "/v2/health/ready"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .statusCode()
        == 200;
  }

  private static void awaitVersion(ServingNode n, long v) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (n.registry().current().version() != v && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(n.registry().current().version()).isEqualTo(v);
  }

  @Test
  void onlyReleasesSignedByTheLearnersKeyServe() throws Exception {
    String model = "hostile-model";
    ReleaseSigner stranger = new ReleaseSigner(ReleaseKeys.generate().getPrivate());
    try (ServingNode guarded = guardedNode(model)) {
      byte[] v1 = releaseOf(model, "t", 1, d(), c()).encode();
      // A plain producer with no signature, a stranger's key, and a genuine signature moved onto
      // other bytes: all refused, by name.
      producer.send(signed(model, v1, null)).get();
      producer.send(signed(model, v1, stranger.sign(v1))).get();
      byte[] forged = releaseOf(model, "t", 2, d(), c()).encode();
      producer.send(signed(model, forged, SIGNER.sign(v1))).get();
      // Signed, but of another teacher; then the genuine one; then a signed jump to 2^62.
      byte[] foreign = releaseOf(model, "other-teacher", 1, d(), c()).encode();
      producer.send(signed(model, foreign, SIGNER.sign(foreign))).get();
      producer.send(signed(model, v1, SIGNER.sign(v1))).get();
      byte[] huge = releaseOf(model, "t", 1L << 62, d(), c()).encode();
      producer.send(signed(model, huge, SIGNER.sign(huge))).get();
      long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      ServingMetrics m = guarded.metrics();
      while (m.swaps("accepted") + m.swaps("rejected") < 6 && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      assertThat(m.rejections("unsigned")).isEqualTo(1);
      assertThat(m.rejections("unknown-key")).isEqualTo(1);
      assertThat(m.rejections("bad-signature")).isEqualTo(1);
      assertThat(m.rejections("foreign-teacher")).isEqualTo(1);
      assertThat(m.rejections("version-gap")).isEqualTo(1);
      assertThat(m.swaps("accepted")).isEqualTo(1);
      assertThat(guarded.registry().current().version()).isEqualTo(1);
      // Version 2 still comes through after the 2^62 attempt.
      byte[] v2 = releaseOf(model, "t", 2, d(), c()).encode();
      producer.send(signed(model, v2, SIGNER.sign(v2))).get();
      while (guarded.registry().current().version() != 2 && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      assertThat(guarded.registry().current().version()).isEqualTo(2);
    }
  }

  @Test
  void servesTheTeacherFirstThenSwapsUnderLoadWithoutAFailureAndHonoursPins() throws Exception {
    // Before any student: the teacher answers, and says so.
    HttpResponse<String> first = post("/v1/predict", png(0), "image/png");
    assertThat(first.statusCode()).isEqualTo(200);
    JsonNode j = JSON.readTree(first.body());
    assertThat(j.get("model").asText()).isEqualTo("teacher");
    assertThat(j.get("student_version").asLong()).isZero();
    assertThat(j.get("probabilities")).hasSize(10);
    assertThat(first.headers().firstValue(ServingServer.VERSION_HEADER)).hasValue("0");
    assertThat(JSON.readTree(call("GET", "/v2/health/ready").body()).get("serving").asText())
        .isEqualTo("teacher");
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (call("GET", "/v2/health/ready").statusCode() != 200 && System.nanoTime() < until) {
      Thread.sleep(100);
    }
    JsonNode ready = JSON.readTree(call("GET", "/v2/health/ready").body());
    assertThat(ready.path("checks").path("students-log-replayed").asBoolean())
        .as("ready once the (empty) students log is replayed: %s", ready)
        .isTrue();

    // 8 clients hammer the endpoint while 5 versions arrive.
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ok = new AtomicInteger();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    List<Thread> clients = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int id = t;
      Thread th =
          new Thread(
              () -> {
                int i = id;
                while (!stop.get()) {
                  try {
                    HttpResponse<String> r = post("/v1/predict", png(i++ % 100), "image/png");
                    if (r.statusCode() == 200) {
                      ok.incrementAndGet();
                    } else {
                      failures.add(r.statusCode() + " " + r.body());
                    }
                  } catch (Exception e) {
                    failures.add(e.toString());
                  }
                }
              });
      th.start();
      clients.add(th);
    }
    for (long v = 1; v <= 5; v++) {
      release(v, d(), c());
      awaitVersion(v);
      Thread.sleep(200);
    }
    // A broken update (wrong block shape) is rejected and leaves version 5 serving.
    release(6, 10, c());
    Thread.sleep(500);
    stop.set(true);
    for (Thread th : clients) {
      th.join();
    }
    assertThat(failures).isEmpty();
    assertThat(ok.get()).isGreaterThan(20);
    assertThat(node.registry().current().version()).isEqualTo(5);
    assertThat(node.metrics().swaps("accepted")).isEqualTo(5);
    assertThat(node.metrics().swaps("rejected")).isEqualTo(1);

    // Pin an older version (rollback), publish a newer one: the pin holds until removed.
    HttpResponse<String> pinned =
        post("/v1/model/pin", "{\"version\": 3}".getBytes(), "application/json");
    assertThat(pinned.statusCode()).isEqualTo(200);
    assertThat(
            post("/v1/predict", png(1), "image/png")
                .headers()
                .firstValue(ServingServer.VERSION_HEADER))
        .hasValue("3");
    release(7, d(), c());
    Thread.sleep(1000);
    assertThat(node.registry().current().version()).isEqualTo(3);
    JsonNode model = JSON.readTree(call("GET", "/v1/model").body());
    assertThat(model.get("pinned").asLong()).isEqualTo(3);
    assertThat(model.get("history").get(0).get("version").asLong()).isEqualTo(7);
    assertThat(model.get("current").get("lineage").get("parent_version").asLong()).isEqualTo(2);
    assertThat(model.get("current").get("certificate").get("relative_gap").asDouble())
        .isEqualTo(1e-3);
    assertThat(call("DELETE", "/v1/model/pin").statusCode()).isEqualTo(200);
    assertThat(node.registry().current().version()).isEqualTo(7);
    String metrics = call("GET", "/metrics").body();
    assertThat(metrics)
        .contains("distill_student_swaps_total{outcome=\"accepted\",reason=\"ok\"} 6.0");
    assertThat(metrics)
        .contains(
            "distill_requests_seconds_count{endpoint=\"predict\",outcome=\"ok\",served=\"student\"}");
    assertThat(metrics.lines().filter(l -> l.startsWith("distill_requests")))
        .as("request histograms must not grow a series per student version")
        .noneMatch(l -> l.contains("version="));
  }

  @Test
  void kserveV2InferAndMetadata() throws Exception {
    assertThat(call("GET", "/v2/health/live").statusCode()).isEqualTo(200);
    JsonNode meta = JSON.readTree(call("GET", "/v2/models/" + MODEL).body());
    assertThat(meta.get("inputs").get(0).get("shape").toString()).isEqualTo("[-1,28,28]");
    StringBuilder data = new StringBuilder();
    byte[] px = images.slice(0, 2).pixels();
    for (int i = 0; i < px.length; i++) {
      data.append(i == 0 ? "" : ",").append(px[i] & 0xff);
    }
    String body =
        "{\"id\":\"r1\",\"inputs\":[{\"name\":\"input\",\"shape\":[2,28,28],\"datatype\":\"UINT8\",\"data\":["
            + data
            + "]}]}";
    HttpResponse<String> r =
        post("/v2/models/" + MODEL + "/infer", body.getBytes(), "application/json");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode out = JSON.readTree(r.body());
    assertThat(out.get("id").asText()).isEqualTo("r1");
    assertThat(out.get("outputs").get(0).get("data")).hasSize(20);
    assertThat(out.get("outputs").get(1).get("data")).hasSize(2);
    // The same image through /v1/predict gets the same class.
    int viaV1 =
        JSON.readTree(
                post("/v1/predict", images.slice(0, 1).pixels(), "application/x-raw-gray8").body())
            .get("class")
            .asInt();
    assertThat(out.get("outputs").get(1).get("data").get(0).asInt()).isEqualTo(viaV1);
  }

  @Test
  void badRequestsGetSpecificErrors() throws Exception {
    assertError(
        post("/v1/predict", "garbage".getBytes(), "image/png"), 400, "not a decodable image/png");
    assertError(post("/v1/predict", new byte[10], "image/gif"), 415, "unsupported content-type");
    assertError(
        post("/v1/predict", new byte[100], "application/x-raw-gray8"),
        400,
        "raw image has 100 bytes");
    // Repeated: a server that answers before reading the body made the client see a reset now
    // and then instead of the 413 (CI caught one).
    for (int i = 0; i < 30; i++) {
      assertError(post("/v1/predict", new byte[70 << 10], "image/png"), 413, "exceeds the limit");
    }
    assertError(call("GET", "/v1/predict"), 405, "use POST");
    assertError(call("GET", "/nope"), 404, "no such endpoint");
    assertError(call("GET", "/v2/models/other"), 404, "unknown model 'other'");
    assertError(
        post("/v2/models/" + MODEL + "/infer", "{".getBytes(), "application/json"),
        400,
        "malformed JSON");
    assertError(
        post(
            "/v2/models/" + MODEL + "/infer",
            "{\"inputs\":[{\"shape\":[1,3],\"datatype\":\"UINT8\",\"data\":[1,2,3]}]}".getBytes(),
            "application/json"),
        400,
        "is not n×28×28");
    assertError(
        post("/v1/model/pin", "{\"version\":\"x\"}".getBytes(), "application/json"),
        400,
        "integer");
    assertError(
        post("/v1/model/pin", "{\"version\":999}".getBytes(), "application/json"),
        404,
        "not among the kept versions");
  }

  private static void assertError(HttpResponse<String> r, int status, String fragment)
      throws IOException {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(JSON.readTree(r.body()).get("error").asText()).contains(fragment);
  }

  @Test
  void aFullQueueAnswers503AtOnce() throws Exception {
    // One request in the queue at most, no batching: a burst of 24 concurrent requests must see
    // 503s (answered at once, not after waiting) and only 200s otherwise.
    ServingConfig tiny = new ServingConfig(0, 1, Duration.ZERO, 1, 64 << 10, 32, 5);
    try (ServingNode small =
        ServingNode.start(
            KafkaConnection.of(kafka.bootstrapServers()),
            teacher,
            4,
            MODEL,
            tiny,
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            ReleasePolicy.permissive())) {
      URI uri = URI.create("http://127.0.0.1:" + small.port() + "/v1/predict");
      byte[] body = images.slice(0, 1).pixels();
      List<Thread> threads = new ArrayList<>();
      ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<String> overloadBodies = new ConcurrentLinkedQueue<>();
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      for (int t = 0; t < 24; t++) {
        Thread th =
            new Thread(
                () -> {
                  try {
                    go.await();
                    HttpResponse<String> r =
                        HTTP.send(
                            HttpRequest.newBuilder(uri)
                                .header("Content-Type", "application/x-raw-gray8")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                            HttpResponse.BodyHandlers.ofString());
                    statuses.add(r.statusCode());
                    if (r.statusCode() == 503) {
                      overloadBodies.add(r.body());
                    }
                  } catch (Exception e) {
                    statuses.add(-1);
                  }
                });
        th.start();
        threads.add(th);
      }
      go.countDown();
      for (Thread th : threads) {
        th.join();
      }
      assertThat(statuses).hasSize(24).containsOnly(200, 503).contains(503, 200);
      assertThat(JSON.readTree(overloadBodies.peek()).get("error").asText()).contains("overloaded");
      assertThat(small.metrics().requests("overload")).isEqualTo(overloadBodies.size());
    }
  }

  private static byte[] png(int i) {
    return ImageFolder.encodePng(images.slice(i, 1).pixels(), 28);
  }
}
