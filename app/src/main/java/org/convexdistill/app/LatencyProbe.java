package org.convexdistill.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.convexdistill.core.data.Images;

/**
 * Closed-loop HTTP clients sending images to {@code /v1/predict} and recording each latency, the
 * status and the student version that answered: the demo's serving figures come from here.
 */
public final class LatencyProbe implements AutoCloseable {
  /** One answered request. */
  public record Sample(long atNanos, long latencyNanos, int status, long version) {}

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Sample> samples = new ArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong failures = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();

  /**
   * @param pauseMillis think time between a client's requests (keeps the probe from hogging the two
   *     cores the pipeline shares)
   */
  public LatencyProbe(int port, Images images, int clients, long pauseMillis) {
    URI uri = URI.create("http://127.0.0.1:" + port + "/v1/predict");
    for (int c = 0; c < clients; c++) {
      int first = c;
      Thread t =
          new Thread(
              () -> {
                int i = first;
                while (!stop.get()) {
                  byte[] body = images.slice(i % images.count(), 1).pixels();
                  i += clients;
                  long t0 = System.nanoTime();
                  int status;
                  long version = -1;
                  try {
                    HttpResponse<String> r =
                        http.send(
                            HttpRequest.newBuilder(uri)
                                .header("Content-Type", "application/x-raw-gray8")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                            HttpResponse.BodyHandlers.ofString());
                    status = r.statusCode();
                    version =
                        r.headers()
                            .firstValue("X-Student-Version")
                            .map(Long::parseLong)
                            .orElse(-1L);
                  } catch (Exception e) {
                    status = -1;
                  }
                  long t1 = System.nanoTime();
                  if (status != 200) {
                    failures.incrementAndGet();
                  }
                  synchronized (samples) {
                    samples.add(new Sample(t1, t1 - t0, status, version));
                  }
                  if (pauseMillis > 0) {
                    try {
                      Thread.sleep(pauseMillis);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                }
              },
              "probe-" + c);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
  }

  public long failures() {
    return failures.get();
  }

  /** Samples answered at or after {@code sinceNanos}. */
  public List<Sample> since(long sinceNanos) {
    synchronized (samples) {
      return samples.stream().filter(s -> s.atNanos() >= sinceNanos).toList();
    }
  }

  public List<Sample> all() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  /** The q-quantile (0..1) of the latencies in milliseconds, or NaN when empty. */
  public static double quantileMs(List<Sample> s, double q) {
    if (s.isEmpty()) {
      return Double.NaN;
    }
    long[] v = s.stream().mapToLong(Sample::latencyNanos).toArray();
    Arrays.sort(v);
    int idx = (int) Math.min(v.length - 1, Math.ceil(q * v.length) - 1);
    return v[Math.max(0, idx)] / 1e6;
  }

  @Override
  public void close() {
    stop.set(true);
    for (Thread t : threads) {
      try {
        t.join(35_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
