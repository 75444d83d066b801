package org.convexdistill.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.convexdistill.runtime.health.Health;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who may call what, over raw HTTP/1.1 on loopback (the JDK's client will not send a foreign Host
 * header): Host names, bearer tokens, JSON-only admin changes, generic 500s, the v2 batch cap.
 */
class HttpGuardTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static ServingServer server;

  /** Answers zeros; an image whose first byte is 13 makes it throw (a bug, for the 500 path). */
  private static final InferenceService FAKE =
      (pixels, n) -> {
        if (pixels[0] == 13) {
          throw new IllegalStateException("secret internal detail /var/lib/x");
        }
        return new Batcher.Result(new float[n * 10], n, ServingModel.teacher());
      };

  @BeforeAll
  static void start() {
    HttpGuard guard = new HttpGuard("api-secret", "admin-secret", Set.of(), 4);
    ServingConfig config =
        new ServingConfig(0, 8, Duration.ofMillis(1), 64, 1 << 16, 4, 3).withGuard(guard);
    ModelRegistry registry = new ModelRegistry("m", 4, 2, 3);
    server =
        ServingServer.start(
            config,
            FAKE,
            registry,
            new ServingMetrics(),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            10,
            new Health());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  record Reply(int status, String headers, String body) {
    JsonNode json() throws Exception {
      return JSON.readTree(body);
    }
  }

  private static Reply raw(
      String method, String path, String host, String extraHeaders, byte[] body) throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      String head =
          method
              + " "
              + path
              + " HTTP/1.1\r\n"
              + (host == null ? "" : "Host: " + host + "\r\n")
              + extraHeaders
              + "Content-Length: "
              + body.length
              + "\r\n"
              + "Connection: close\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String text = all.toString(StandardCharsets.ISO_8859_1);
      int split = text.indexOf("\r\n\r\n");
      int status = Integer.parseInt(text.substring(9, 12));
      return new Reply(status, text.substring(0, split), text.substring(split + 4));
    }
  }

  private static final String API = "Authorization: Bearer api-secret\r\n";
  private static final String ADMIN = "Authorization: Bearer admin-secret\r\n";

  @Test
  void aForeignHostIsRefusedOnEveryEndpointButLoopbackNamesAreServed() throws Exception {
    byte[] img = new byte[784];
    Reply r = raw("POST", "/v1/predict", "evil.example:80", API, img);
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().get("error").asText()).contains("evil.example");
    assertThat(raw("GET", "/v2/health/live", "attacker.test", "", new byte[0]).status())
        .isEqualTo(403);
    for (String host : new String[] {"127.0.0.1:" + server.port(), "localhost", "[::1]:9"}) {
      assertThat(raw("POST", "/v1/predict", host, API, img).status()).as(host).isEqualTo(200);
    }
  }

  @Test
  void tokensGuardInferenceAndAdminSeparatelyButNotHealth() throws Exception {
    byte[] img = new byte[784];
    Reply none = raw("POST", "/v1/predict", "localhost", "", img);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.headers()).containsIgnoringCase("WWW-Authenticate: Bearer");
    assertThat(raw("POST", "/v1/predict", "localhost", ADMIN, img).status()).isEqualTo(401);
    assertThat(raw("GET", "/v1/model", "localhost", "", new byte[0]).status()).isEqualTo(401);
    assertThat(raw("GET", "/v1/model", "localhost", API, new byte[0]).status()).isEqualTo(200);
    assertThat(raw("GET", "/v2/health/live", "localhost", "", new byte[0]).status()).isEqualTo(200);
    byte[] pin = "{\"version\": 1}".getBytes(StandardCharsets.UTF_8);
    String json = "Content-Type: application/json\r\n";
    // The API token cannot change what is served.
    assertThat(raw("POST", "/v1/model/pin", "localhost", API + json, pin).status()).isEqualTo(401);
    assertThat(raw("DELETE", "/v1/model/pin", "localhost", API, new byte[0]).status())
        .isEqualTo(401);
    // With the admin token: 404 (no such version kept) proves the request got through.
    assertThat(raw("POST", "/v1/model/pin", "localhost", ADMIN + json, pin).status())
        .isEqualTo(404);
  }

  @Test
  void aPinMustBeJsonSoACrossSiteFormPostCannotMakeIt() throws Exception {
    byte[] pin = "{\"version\": 1}".getBytes(StandardCharsets.UTF_8);
    Reply r =
        raw("POST", "/v1/model/pin", "localhost", ADMIN + "Content-Type: text/plain\r\n", pin);
    assertThat(r.status()).isEqualTo(415);
    assertThat(r.json().get("error").asText()).contains("application/json");
    assertThat(raw("POST", "/v1/model/pin", "localhost", ADMIN, pin).status()).isEqualTo(415);
  }

  @Test
  void aServerErrorSaysOnlyWhichRequestItWas() throws Exception {
    byte[] img = new byte[784];
    img[0] = 13;
    Reply r = raw("POST", "/v1/predict", "localhost", API, img);
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.body()).doesNotContain("secret", "/var/lib", "IllegalState");
    String id = r.json().get("request_id").asText();
    assertThat(id).isNotBlank();
    assertThat(r.headers()).containsIgnoringCase(ServingServer.REQUEST_ID_HEADER + ": " + id);
  }

  @Test
  void aV2BatchOverTheCapIsRefusedBeforeInference() throws Exception {
    StringBuilder data = new StringBuilder();
    for (int i = 0; i < 5 * 784; i++) {
      data.append(i == 0 ? "0" : ",0");
    }
    byte[] body =
        ("{\"inputs\":[{\"name\":\"input\",\"shape\":[5,28,28],\"datatype\":\"UINT8\",\"data\":["
                + data
                + "]}]}")
            .getBytes(StandardCharsets.UTF_8);
    Reply r =
        raw(
            "POST",
            "/v2/models/m/infer",
            "localhost",
            API + "Content-Type: application/json\r\n",
            body);
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.json().get("error").asText()).contains("at most 4 images");
  }

  @Test
  void aClientThatNeverFinishesItsRequestIsDisconnected() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(40_000);
      s.getOutputStream()
          .write(
              "GET /v2/health/live HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
                  .getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      long t0 = System.nanoTime();
      int read;
      try {
        read = s.getInputStream().read();
      } catch (java.net.SocketException reset) {
        read = -1;
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertThat(read).as("the server closes the connection").isEqualTo(-1);
      // The engine's idle timeout: 5 s without a byte.
      assertThat(seconds).isBetween(3.0, 30.0);
    }
  }

  @Test
  void slowClientsHoldNoHandlerThreadsAndProbesAndPredictsAreStillAnswered() throws Exception {
    // 48 clients that send half their headers and stop, 48 that announce a body and send none:
    // more than the 4 handler threads this server has, many times over.
    java.util.List<Socket> slow = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 96; i++) {
        Socket s = new Socket("127.0.0.1", server.port());
        String partial =
            i % 2 == 0
                ? "POST /v1/predict HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
                : "POST /v1/predict HTTP/1.1\r\nHost: localhost\r\n"
                    + API
                    + "Content-Length: 784\r\n\r\n";
        s.getOutputStream().write(partial.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        slow.add(s);
      }
      Thread.sleep(300);
      long t0 = System.nanoTime();
      assertThat(raw("GET", "/v2/health/live", "localhost", "", new byte[0]).status())
          .isEqualTo(200);
      assertThat((System.nanoTime() - t0) / 1e9).as("a probe bypasses the queue").isLessThan(1.0);
      // The 48 body-less requests hold the 4 handler slots until their idle timeout: a predict
      // now waits at most the queue's 2 s and is told to come back, never stalled.
      long t1 = System.nanoTime();
      Reply busy = raw("POST", "/v1/predict", "localhost", API, new byte[784]);
      assertThat(busy.status()).isIn(200, 503);
      if (busy.status() == 503) {
        assertThat(busy.headers()).containsIgnoringCase("Retry-After: 1");
        assertThat(busy.json().get("error").asText()).contains("busy");
      }
      assertThat((System.nanoTime() - t1) / 1e9).isLessThan(3.0);
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }
}
