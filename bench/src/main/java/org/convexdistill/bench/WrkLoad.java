package org.convexdistill.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.convexdistill.core.data.ImageFolder;
import org.convexdistill.core.data.Images;

/**
 * Load from {@code wrk} (Debian's), a closed-loop HTTP load generator outside the JVM under test:
 * {@code connections} keep-alive connections on loopback, each posting PNG bodies (Fashion-MNIST
 * test images, encoded as a device would) to {@code /v1/predict} back to back for a fixed time.
 *
 * <p>A Lua {@code done} hook prints one machine-readable line, so the figures come from wrk's own
 * histogram (microseconds) rather than from parsing its human-readable table.
 */
final class WrkLoad implements AutoCloseable {
  /** wrk's figures for one run; latencies in milliseconds. */
  record Result(
      long requests,
      double seconds,
      double p50,
      double p99,
      double max,
      long non2xx,
      long socketErrors,
      long timeouts) {
    double perSecond() {
      return requests / seconds;
    }

    long failed() {
      return non2xx + socketErrors + timeouts;
    }
  }

  private static final String SCRIPT =
      """
      -- Rotates PNG bodies; each of wrk's threads loads its own copy in init().
      local bodies = {}
      local i = 0
      function init(args)
        local dir, count = args[1], tonumber(args[2])
        for k = 0, count - 1 do
          local f = assert(io.open(dir .. "/" .. k .. ".png", "rb"))
          bodies[#bodies + 1] = f:read("*a")
          f:close()
        end
        i = math.random(#bodies) - 1
      end
      function request()
        i = i % #bodies + 1
        return wrk.format("POST", nil, {["Content-Type"] = "image/png"}, bodies[i])
      end
      function done(summary, latency, requests)
        local e = summary.errors
        io.write(string.format("WRK-RESULT %d %d %d %d %d %d %d %d\\n",
          summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
          latency.max, e.status, e.connect + e.read + e.write, e.timeout))
      end
      """;

  private final Path dir;
  private final int count;

  private WrkLoad(Path dir, int count) {
    this.dir = dir;
    this.count = count;
  }

  /** Writes {@code count} test images as PNGs and the script into a temporary folder. */
  static WrkLoad prepare(Images images, int count) throws IOException {
    requireWrk();
    Path dir = Files.createTempDirectory("distill-wrk");
    int n = Math.min(count, images.count());
    for (int i = 0; i < n; i++) {
      Files.write(dir.resolve(i + ".png"), ImageFolder.encodePng(images.slice(i, 1).pixels(), 28));
    }
    Files.writeString(dir.resolve("predict.lua"), SCRIPT);
    return new WrkLoad(dir, n);
  }

  private static void requireWrk() throws IOException {
    try {
      Process p = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new IOException("wrk is not installed; install it with: apt-get install -y wrk", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while looking for wrk", e);
    }
  }

  /**
   * Runs wrk against {@code url} for {@code seconds} with {@code connections} connections on {@code
   * threads} threads; a request unanswered after 10 s counts as a timeout.
   */
  Result run(String url, int connections, int threads, int seconds)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "wrk",
                "-t" + threads,
                "-c" + connections,
                "-d" + seconds + "s",
                "--timeout",
                "10s",
                "-s",
                dir.resolve("predict.lua").toString(),
                url,
                "--",
                dir.toString(),
                String.valueOf(count)));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("wrk did not stop after " + (seconds + 60) + " s");
    }
    for (String line : out.split("\n")) {
      if (line.startsWith("WRK-RESULT ")) {
        String[] f = line.trim().split(" ");
        return new Result(
            Long.parseLong(f[1]),
            Long.parseLong(f[2]) / 1e6,
            Long.parseLong(f[3]) / 1e3,
            Long.parseLong(f[4]) / 1e3,
            Long.parseLong(f[5]) / 1e3,
            Long.parseLong(f[6]),
            Long.parseLong(f[7]),
            Long.parseLong(f[8]));
      }
    }
    throw new IOException("wrk exited " + p.exitValue() + " without a result:\n" + out);
  }

  @Override
  public void close() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
    }
    Files.deleteIfExists(dir);
  }
}
