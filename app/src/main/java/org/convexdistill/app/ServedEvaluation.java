package org.convexdistill.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.convexdistill.core.data.Images;
import org.convexdistill.serving.HttpGuard;

/** Classes of held-out images as the HTTP endpoint serves them (Open Inference Protocol v2). */
public final class ServedEvaluation {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ServedEvaluation() {}

  /** Predicted classes and the student version that answered each image. */
  public record Served(int[] classes, long[] versions) {}

  public static Served classify(int port, String model, Images images) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    int n = images.count();
    int[] classes = new int[n];
    long[] versions = new long[n];
    // At most what one v2 request may carry (--max-infer-batch, default 64).
    int chunk = HttpGuard.DEFAULT_MAX_INFER_BATCH;
    for (int from = 0; from < n; from += chunk) {
      int b = Math.min(chunk, n - from);
      byte[] px = images.slice(from, b).pixels();
      StringBuilder body = new StringBuilder(px.length * 4 + 200);
      body.append("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"UINT8\",\"shape\":[")
          .append(b)
          .append(",28,28],\"data\":[");
      for (int i = 0; i < px.length; i++) {
        if (i > 0) {
          body.append(',');
        }
        body.append(px[i] & 0xff);
      }
      body.append("]}]}");
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + port + "/v2/models/" + model + "/infer"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                  .timeout(Duration.ofSeconds(60))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(
            "evaluation request failed: " + r.statusCode() + " " + r.body());
      }
      JsonNode out = JSON.readTree(r.body());
      long v = Long.parseLong(out.get("model_version").asText());
      JsonNode cls = out.get("outputs").get(1).get("data");
      for (int i = 0; i < b; i++) {
        classes[from + i] = cls.get(i).asInt();
        versions[from + i] = v;
      }
    }
    return new Served(classes, versions);
  }
}
